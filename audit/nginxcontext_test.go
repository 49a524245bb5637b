package audit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
)

func TestNonProductionConfig(t *testing.T) {
	for rel, want := range map[string]string{
		"docker/compose/test-nginx.conf": "compose/",
		"tests/nginx/site.conf":          "tests/",
		"docs/examples/nginx.conf":       "examples/",
		"deploy/nginx.example.conf":      "nginx.example.conf",
		"conf/nginx-dev.conf":            "nginx-dev.conf",
		"nginx/nginx.conf":               "",
		"etc/nginx/sites-available/shop": "",
		"deploy/latest/nginx.conf":       "",
		"contest/nginx.conf":             "",
	} {
		if got := nonProductionConfig(rel); got != want {
			t.Errorf("nonProductionConfig(%s) = %q, want %q", rel, got, want)
		}
	}
}

func TestNginxInTestConfigKeepsFindingWithPath(t *testing.T) {
	dir := t.TempDir()
	conf := "events {}\nhttp {\n  server {\n    listen 80;\n    location / {\n      add_header Access-Control-Allow-Origin * always;\n    }\n  }\n}\n"
	for _, rel := range []string{"docker/compose/nginx.conf", "nginx/nginx.conf"} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Run(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]finding.Finding{}
	for _, f := range r.Findings {
		if f.Rule == "nginx-acao-wildcard" {
			got[f.File] = f
		}
	}
	test, ok := got["docker/compose/nginx.conf"]
	if !ok || test.Severity != finding.Low || !strings.Contains(strings.Join(test.Evidence.Notes, "\n"), "docker/compose/nginx.conf") {
		t.Errorf("compose config: %+v, want the finding kept at low with its path in the notes", test)
	}
	if prod, ok := got["nginx/nginx.conf"]; !ok || prod.Severity < finding.High {
		t.Errorf("production config: %+v, want high or above", prod)
	}
}
