package audit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
)

// TestNotASecretInReport: the reason reaches the finding and its severity is info, so the
// default --fail-on high passes on a template.
func TestNotASecretInReport(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".env.example", "DB_PASSWORD=Hk3s9QpL2mX8vR4t\n")
	write("deploy/app.env", "DB_PASSWORD=Hk3s9QpL2mX8vR4t\n")
	r, err := Run(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]finding.Finding{}
	for _, f := range r.Findings {
		if f.Rule == "secret-in-source" {
			got[f.File] = f
		}
	}
	tmpl, ok := got[".env.example"]
	if !ok || tmpl.Severity != finding.Info || !strings.Contains(strings.Join(tmpl.Evidence.Notes, "\n"), "template file") {
		t.Errorf(".env.example: %+v, want info with the template reason in the notes", tmpl)
	}
	if real, ok := got["deploy/app.env"]; !ok || real.Severity != finding.High {
		t.Errorf("deploy/app.env: %+v, want high", real)
	}
}
