package audit

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/report"
)

// plantedSecrets have formats the detectors know whatever surrounds them.
func plantedSecrets(tag string) []string {
	pad := func(s string, n int) string { return (s + strings.Repeat("Q7X", n))[:n] }
	return []string{
		"ghp_" + pad("Plant"+tag, 36),
		// AWS key IDs are base32: digits 0, 1, 8 and 9 are spelled as letters.
		"AKIA" + pad("PLANT"+strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return 'A' + r - '0'
			}
			return r
		}, strings.ToUpper(tag)), 16),
	}
}

// renderAll is every view a user can get of a report: text, verbose text, JSON, SARIF and
// HTML (unescaped, so that a secret html/template spells with entities is still found).
func renderAll(t *testing.T, r *report.Report) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, fn := range map[string]func(*bytes.Buffer) error{
		"text":    func(b *bytes.Buffer) error { return report.WriteText(b, r, report.TextOptions{}) },
		"text -v": func(b *bytes.Buffer) error { return report.WriteText(b, r, report.TextOptions{Verbose: true}) },
		"json":    func(b *bytes.Buffer) error { return report.WriteJSON(b, r) },
		"sarif":   func(b *bytes.Buffer) error { return report.WriteSARIF(b, r) },
		"html":    func(b *bytes.Buffer) error { return report.WriteHTML(b, r) },
	} {
		var b bytes.Buffer
		if err := fn(&b); err != nil {
			t.Fatal(err)
		}
		out[name] = b.String()
		if name == "html" {
			out[name] = html.UnescapeString(out[name])
		}
	}
	return out
}

// auditFixtures are the fixture trees of every audit rule family: the Django rules, the nginx
// rules and the mixed trees.
func auditFixtures(t *testing.T) []string {
	var out []string
	for _, glob := range []string{"django/testdata/rules/*", "django/testdata/*", "testdata/*"} {
		ms, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if filepath.Base(m) != "rules" {
				out = append(out, m)
			}
		}
	}
	return append(out, "nginx/testdata")
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// plantOnLines appends a comment holding secrets to the given lines of file (1-based).
func plantOnLines(t *testing.T, file string, lines map[int]bool, secrets []string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ls := strings.Split(string(data), "\n")
	for n := range lines {
		if n >= 1 && n <= len(ls) && !strings.HasSuffix(ls[n-1], `\`) {
			ls[n-1] += "  # keys " + strings.Join(secrets, " ")
		}
	}
	if err := os.WriteFile(file, []byte(strings.Join(ls, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNoSecretInAnyOutput plants known secrets on every line that any rule reports, in the
// fixtures of every rule family, and checks that no view of the report prints them: each
// rule's snippet shows its whole line, so without masking the secret would ride along.
// With --show-secrets the same secrets do appear, which shows the planting reached the
// snippets.
func TestNoSecretInAnyOutput(t *testing.T) {
	fixtures := auditFixtures(t)
	if len(fixtures) < 40 {
		t.Fatalf("only %d fixture trees found", len(fixtures))
	}
	otherRules := map[string]bool{}
	for i, fx := range fixtures {
		secrets := plantedSecrets(fmt.Sprint(i))
		dir := t.TempDir()
		copyTree(t, fx, dir)
		before := audit(t, Options{}, dir)
		lines := map[string]map[int]bool{}
		for _, f := range before.Findings {
			if f.File == "" || f.Line == 0 || f.Rule == "secret-in-source" {
				continue
			}
			p := filepath.Join(dir, filepath.FromSlash(f.File))
			if lines[p] == nil {
				lines[p] = map[int]bool{}
			}
			lines[p][f.Line] = true
		}
		for p, ls := range lines {
			plantOnLines(t, p, ls, secrets)
		}
		r := audit(t, Options{}, dir)
		for _, f := range r.Findings {
			if f.Rule != "secret-in-source" {
				otherRules[f.Rule] = true
			}
		}
		for view, out := range renderAll(t, r) {
			for _, s := range secrets {
				if strings.Contains(out, s) {
					i := strings.Index(out, s)
					t.Errorf("%s: %s output prints the planted secret %s: …%s…", fx, view, s, out[max(0, i-200):i+len(s)])
				}
			}
		}
		if len(lines) > 0 {
			shown := audit(t, Options{ShowSecrets: true}, dir)
			if !strings.Contains(renderAll(t, shown)["json"], secrets[0]) {
				t.Errorf("%s: with --show-secrets the planted secret appears nowhere: the test plants it where no output looks", fx)
			}
		}
	}
	if len(otherRules) < 20 {
		t.Errorf("planted lines were reported by only %d rules besides secret-in-source: %v", len(otherRules), otherRules)
	}
}

// FuzzNoSecretSurvives: a secret of a known format, planted in any surrounding text of a
// settings file or an nginx config, is in no view of the report once the detectors see it.
func FuzzNoSecretSurvives(f *testing.F) {
	f.Add("ALLOWED_HOSTS = ['*']  # ", "", true)
	f.Add("DEBUG = True; KEY = '", "'", true)
	f.Add("add_header Access-Control-Allow-Origin * ; # ", "", false)
	f.Add("ssl_protocols TLSv1 TLSv1.1; # token=", "\n", false)
	f.Fuzz(func(t *testing.T, before, after string, python bool) {
		if len(before)+len(after) > 4096 {
			return
		}
		dir := t.TempDir()
		name := "settings.py"
		if !python {
			name = "nginx.conf"
			before = "http { server { listen 443 ssl;\n" + before
			after += "\n} }\n"
		}
		for _, s := range plantedSecrets("fz") {
			content := before + s + after
			if !detected(content, s) {
				continue // the surrounding text glued the secret into something else
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := Run(context.Background(), []string{dir}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for view, out := range renderAll(t, r) {
				if strings.Contains(out, s) {
					t.Fatalf("%s output prints %s from %q", view, s, content)
				}
			}
		}
	})
}

func detected(content, secret string) bool {
	for _, m := range exposure.Scan([]byte(content)) {
		if m.Kind == exposure.Secret && strings.Contains(m.Value, secret) {
			return true
		}
	}
	return false
}
