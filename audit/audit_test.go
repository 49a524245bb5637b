package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/audit/source"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/report"
)

func audit(t *testing.T, opts Options, paths ...string) *report.Report {
	t.Helper()
	r, err := Run(context.Background(), paths, opts)
	if err != nil {
		t.Fatalf("Run(%v): %v", paths, err)
	}
	return r
}

func locs(r *report.Report, prefix string) []string {
	var out []string
	for _, f := range r.Findings {
		if strings.HasPrefix(f.Rule, prefix) {
			out = append(out, fmt.Sprintf("%s@%s:%d", f.Rule, f.File, f.Line))
		}
	}
	sort.Strings(out)
	return out
}

func TestSeedlikeNginx(t *testing.T) {
	r := audit(t, Options{}, "testdata/seedlike")
	got := locs(r, "nginx-")
	want := []string{
		"nginx-acao-wildcard@nginx/nginx.conf:13",
		"nginx-dotfiles-served@nginx/nginx.conf:12",
		"nginx-identity-headers-not-cleared@nginx/nginx.conf:23",
		"nginx-verify-client-optional@nginx/nginx.conf:10",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("nginx findings:\n got %q\nwant %q", got, want)
	}
	for _, f := range r.Findings {
		if f.Rule == "nginx-acao-wildcard" && f.Severity != finding.Critical {
			t.Errorf("ACAO * on the mTLS server is %s, want critical", f.Severity)
		}
		if f.Fingerprint == "" || strings.Contains(f.File, `\`) || filepath.IsAbs(f.File) {
			t.Errorf("%s: file %q fingerprint %q", f.Rule, f.File, f.Fingerprint)
		}
	}
	if len(r.Targets) != 1 || r.Targets[0].Path != "testdata/seedlike" || r.Targets[0].Error != "" || r.Targets[0].Files < 8 {
		t.Errorf("targets: %+v", r.Targets)
	}
	if r.Targets[0].Findings != len(r.Findings) {
		t.Errorf("target counts %d findings, report has %d", r.Targets[0].Findings, len(r.Findings))
	}
}

func TestSeedlikeSecrets(t *testing.T) {
	r := audit(t, Options{}, "testdata/seedlike")
	got := locs(r, "secret-in-source")
	want := []string{"secret-in-source@mysite/storage.py:2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("secret findings (ignored/ is in .crossgateignore, legacy.py has an inline ignore, settings.py's SECRET_KEY is the Django analyser's):\n got %q\nwant %q", got, want)
	}
	for _, f := range r.Findings {
		if f.Rule != "secret-in-source" {
			continue
		}
		if f.Column != 22 || strings.Contains(f.Evidence.Snippet, "AKIACROSSGATEFAKEKEY") || !strings.HasPrefix(f.Evidence.Snippet, `AWS_ACCESS_KEY_ID = "`) {
			t.Errorf("column %d snippet %q", f.Column, f.Evidence.Snippet)
		}
	}
	shown := audit(t, Options{ShowSecrets: true}, "testdata/seedlike")
	for _, f := range shown.Findings {
		if f.Rule == "secret-in-source" && f.Evidence.Snippet != `AWS_ACCESS_KEY_ID = "AKIACROSSGATEFAKEKEY"` {
			t.Errorf("--show-secrets snippet %q", f.Evidence.Snippet)
		}
	}
}

func TestSeedlikeDjango(t *testing.T) {
	r := audit(t, Options{}, "testdata/seedlike")
	rules := map[string]finding.Finding{}
	for _, f := range r.Findings {
		rules[f.Rule] = f
	}
	for rule, line := range map[string]int{
		"django-cors-allow-all":       27,
		"django-debug-enabled":        8,
		"django-secret-key-hardcoded": 6,
		"django-mtls-dn-substring":    12,
	} {
		f, ok := rules[rule]
		if !ok {
			t.Errorf("no %s finding", rule)
			continue
		}
		if f.Line != line || filepath.IsAbs(f.File) || !strings.HasPrefix(f.File, "mysite/") {
			t.Errorf("%s at %s:%d, want line %d relative to the root", rule, f.File, f.Line, line)
		}
	}
	if s := r.Targets[0].Settings; len(s) != 1 || s[0] != "mysite.settings" {
		t.Errorf("settings modules %q", s)
	}
}

func TestClean(t *testing.T) {
	r := audit(t, Options{}, "testdata/clean")
	for _, f := range r.Findings {
		t.Errorf("clean project: %s at %s:%d: %s", f.Rule, f.File, f.Line, f.Detail)
	}
	if r.Summary.Scanned != 1 || r.Summary.Failed != 0 {
		t.Errorf("summary %+v targets %+v", r.Summary, r.Targets)
	}
}

func TestSingleFile(t *testing.T) {
	r := audit(t, Options{}, "testdata/seedlike/nginx/nginx.conf")
	got := locs(r, "nginx-verify")
	if len(got) != 1 || got[0] != "nginx-verify-client-optional@nginx.conf:10" {
		t.Errorf("single file: %q", got)
	}
	if r.Targets[0].Files != 1 {
		t.Errorf("files %d", r.Targets[0].Files)
	}
}

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBrokenNginxDoesNotAbort(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "nginx/nginx.conf", "http {\n    server {\n        listen 80\n    }\n}\n")
	write(t, dir, "nginx/ok.conf", "server {\n    ssl_protocols TLSv1 TLSv1.2;\n}\n")
	r := audit(t, Options{}, dir)
	if len(r.Targets) != 2 || r.Targets[0].Error != "" {
		t.Fatalf("targets %+v", r.Targets)
	}
	want := filepath.ToSlash(filepath.Join(dir, "nginx/nginx.conf")) + `:4:5: unexpected "}", expecting ";" after "listen"`
	if r.Targets[1].Error != want {
		t.Errorf("error %q\nwant  %q", r.Targets[1].Error, want)
	}
	if got := locs(r, "nginx-"); len(got) != 1 || got[0] != "nginx-weak-tls@nginx/ok.conf:2" {
		t.Errorf("the good config was not audited: %q", got)
	}
	// The broken file given on its own: that target failed.
	r = audit(t, Options{}, filepath.Join(dir, "nginx/nginx.conf"))
	if len(r.Targets) != 1 || !strings.Contains(r.Targets[0].Error, `nginx.conf:4:5: unexpected "}"`) || r.Summary.Scanned != 0 {
		t.Errorf("single broken file: %+v", r.Targets)
	}
}

func TestIncludedFilesAuditedOnce(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "etc/nginx/nginx.conf", "events {}\nhttp {\n    include sites-enabled/*.conf;\n}\n")
	write(t, dir, "etc/nginx/sites-enabled/app.conf", "server {\n    add_header Access-Control-Allow-Origin *;\n}\n")
	r := audit(t, Options{}, dir)
	if got := locs(r, "nginx-"); len(got) != 1 || got[0] != "nginx-acao-wildcard@etc/nginx/sites-enabled/app.conf:2" {
		t.Errorf("findings %q", got)
	}
}

func TestMissingPath(t *testing.T) {
	_, err := Run(context.Background(), []string{"testdata/clean", "testdata/no-such-dir"}, Options{})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Path != "testdata/no-such-dir" || !strings.Contains(err.Error(), "no such file or directory") {
		t.Errorf("err = %v", err)
	}
}

func TestSkippedFiles(t *testing.T) {
	dir := t.TempDir()
	key := `KEY = "AKIACROSSGATEFAKEKEY"` + "\n"
	write(t, dir, "app/keys.py", key)
	write(t, dir, ".git/config", key)
	write(t, dir, "node_modules/x/index.js", key)
	write(t, dir, "vendor/x.go", key)
	write(t, dir, "pip/_vendor/urllib3/x.py", key)
	write(t, dir, "env/pyvenv.cfg", "home = /usr\n")
	write(t, dir, "env/lib/x.py", key)
	write(t, dir, "package-lock.json", key)
	write(t, dir, "bin/blob", "\x00\x01"+key)
	write(t, dir, "big.txt", key+strings.Repeat("x", source.MaxFileSize))
	write(t, dir, "docs/notes.md", key)
	write(t, dir, "inline.js", "const k = \"AKIACROSSGATEFAKEKEY\"; // crossgate:ignore\n")
	write(t, dir, "other-rule.js", "// crossgate:ignore nginx-weak-tls\nconst k = \"AKIACROSSGATEFAKEKEY\";\n")
	r := audit(t, Options{Ignore: []string{"docs/"}}, dir)
	got := locs(r, "secret-in-source")
	want := []string{"secret-in-source@app/keys.py:1", "secret-in-source@other-rule.js:2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// What was not read is listed with why; what was left out on purpose is not.
	var na []string
	for _, n := range r.Targets[0].NotAudited {
		na = append(na, n.Path+": "+n.Reason)
	}
	wantNA := []string{"big.txt: " + source.ReasonTooLarge, "bin/blob: " + source.ReasonBinary}
	if strings.Join(na, "\n") != strings.Join(wantNA, "\n") {
		t.Errorf("not audited:\n got %q\nwant %q", na, wantNA)
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, []string{"testdata/seedlike"}, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestIgnorePatterns(t *testing.T) {
	ig := &ignorer{}
	for _, p := range []string{"# comment", "", "*.log", "/build", "docs/", "src/**/gen_*.py", "!keep.log", `\#literal`} {
		ig.add(p)
	}
	for path, want := range map[string]bool{
		"app.log":            true,
		"a/b/app.log":        true,
		"keep.log":           false,
		"build":              true,
		"build/x.py":         true,
		"sub/build/x.py":     false,
		"docs/readme.md":     true,
		"a/docs/readme.md":   true,
		"docs.md":            false,
		"src/gen_x.py":       true,
		"src/a/b/gen_x.py":   true,
		"src/a/b/x.py":       false,
		"#literal":           true,
		"mysite/settings.py": false,
	} {
		if got := ig.match(path, false); got != want {
			t.Errorf("match(%q) = %v, want %v", path, got, want)
		}
	}
	if !ig.match("docs", true) || ig.match("docs", false) {
		t.Errorf("docs/ must match the directory only")
	}
}

func TestInlineIgnore(t *testing.T) {
	for _, c := range []struct {
		line, rule string
		want       bool
	}{
		{`x = 1  # crossgate:ignore secret-in-source`, "secret-in-source", true},
		{`x = 1  # crossgate:ignore secret-in-source`, "django-debug-enabled", false},
		{`// crossgate:ignore nginx-weak-tls, secret-in-source -- test key`, "secret-in-source", true},
		{`# crossgate:ignore`, "nginx-acao-wildcard", true},
		{`# crossgate:ignore -- reason`, "nginx-acao-wildcard", true},
		{`/* crossgate:ignore secret-in-source */`, "secret-in-source", true},
		{`# crossgate: ignore secret-in-source`, "secret-in-source", false},
		{`x = 1`, "secret-in-source", false},
	} {
		if got := inlineIgnored(c.line, c.rule); got != c.want {
			t.Errorf("inlineIgnored(%q, %s) = %v", c.line, c.rule, got)
		}
	}
}

func TestCodeAssignmentsAreNotSecrets(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "forms.py", "def clean(self):\n    password = self.cleaned_data[\"password1\"]\n    secret = settings.SECRET_KEY\n")
	write(t, dir, "conf.py", "DB_PASSWORD = \"k9#Lq2!vRt8zW\"\n")
	write(t, dir, ".env", "DB_PASSWORD=k9#Lq2!vRt8zW\n")
	r := audit(t, Options{}, dir)
	got := locs(r, "secret-in-source")
	want := []string{"secret-in-source@.env:1", "secret-in-source@conf.py:1"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// Debian's layout: sites-enabled/x links to sites-available/x, and snippets include files by
// paths relative to /etc/nginx, not to the snippet.
func TestDebianLayout(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "nginx/nginx.conf", "events {}\nhttp {\n    include sites-enabled/*;\n}\n")
	write(t, dir, "nginx/fastcgi.conf", "fastcgi_param A b;\n")
	write(t, dir, "nginx/snippets/php.conf", "include fastcgi.conf;\nssl_protocols TLSv1 TLSv1.2;\n")
	write(t, dir, "nginx/sites-available/app", "server {\n    add_header Access-Control-Allow-Origin *;\n}\n")
	if err := os.MkdirAll(filepath.Join(dir, "nginx/sites-enabled"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../sites-available/app", filepath.Join(dir, "nginx/sites-enabled/app")); err != nil {
		t.Fatal(err)
	}
	r := audit(t, Options{}, dir)
	got := locs(r, "nginx-")
	want := []string{"nginx-acao-wildcard@nginx/sites-enabled/app:2", "nginx-weak-tls@nginx/snippets/php.conf:2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(r.Targets) != 1 {
		t.Errorf("got %q\nwant %q\ntargets %+v", got, want, r.Targets)
	}
}

func TestNginxDetection(t *testing.T) {
	for _, c := range []struct {
		path, data string
		want       bool
	}{
		{"x/nginx.conf", "", true},
		{"deploy/nginx/api.conf", "ssl_protocols TLSv1.2;", true},
		{"etc/nginx/sites-enabled/default", "server { }", true},
		{"srv/sites-enabled/app", "server {\n}", true},
		{"etc/apache2/sites-available/000-default.conf", "<VirtualHost *:80>\n</VirtualHost>\n", false},
		{"conf/app.conf", "http {\n}", true},
		{"conf/supervisor.conf", "[program:x]\ncommand=y\n", false},
		{"app/settings.py", "server {", false},
	} {
		if got := isNginxConfig(filepath.FromSlash(c.path), []byte(c.data)); got != c.want {
			t.Errorf("isNginxConfig(%s) = %v, want %v", c.path, got, c.want)
		}
	}
}

func TestBrokenPythonIsAnalysedAndNoted(t *testing.T) {
	root := t.TempDir()
	write(t, root, "settings.py", "DEBUG = True\nSECRET_KEY = (\nALLOWED_HOSTS = ['*']\n")
	r := audit(t, Options{}, root)
	found := false
	for _, f := range r.Findings {
		found = found || f.Rule == "django-debug-enabled"
	}
	if !found {
		t.Errorf("DEBUG before the syntax error not reported: %v", locs(r, ""))
	}
	notes := strings.Join(r.Targets[0].Notes, "\n")
	if !strings.Contains(notes, "settings.py:2: not valid Python") {
		t.Errorf("no syntax note: %q", notes)
	}
}

// A repository's nginx.conf includes files that exist only on the server: the rest is
// audited, and the target says what was left out.
func TestNginxMissingIncludeIsNoted(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "deploy/nginx.conf", "events {}\nhttp {\n    include mime.types;\n    server {\n        ssl_protocols TLSv1 TLSv1.2;\n    }\n}\n")
	r := audit(t, Options{}, dir)
	if got := locs(r, "nginx-"); len(got) != 1 || got[0] != "nginx-weak-tls@deploy/nginx.conf:5" {
		t.Errorf("findings %q", got)
	}
	if len(r.Targets) != 1 || r.Targets[0].Error != "" {
		t.Fatalf("targets %+v", r.Targets)
	}
	want := `deploy/nginx.conf:3:5: include "mime.types" not found (deploy/mime.types); audited without it`
	found := false
	for _, n := range r.Targets[0].Notes {
		found = found || n == want
	}
	if !found {
		t.Errorf("notes %q, want %q", r.Targets[0].Notes, want)
	}
}

// The test-fixture policy: a secret under a test path is still reported, at low severity
// with a note, because test keys are usually throwaway but sometimes copied from production;
// one in documentation (Markdown, reST, package metadata, a Python docstring) at medium.
func TestSecretSeverityPolicy(t *testing.T) {
	dir := t.TempDir()
	key := `KEY = "AKIACROSSGATEFAKEKEY"` + "\n"
	write(t, dir, "app/keys.py", key)
	write(t, dir, "tests/test_keys.py", key)
	write(t, dir, "app/tests.py", key)
	write(t, dir, "pkg/keys_test.go", "package pkg\n\nconst "+key)
	write(t, dir, "pkg/testdata/creds.json", `{"key": "AKIACROSSGATEFAKEKEY"}`+"\n")
	write(t, dir, "spec/fixtures/aws.yml", "key: AKIACROSSGATEFAKEKEY\n")
	write(t, dir, "web/src/api.test.js", "const k = \"AKIACROSSGATEFAKEKEY\";\n")
	write(t, dir, "app/conftest.py", key)
	// a Django app's fixtures/ is loaddata input, not a test folder
	write(t, dir, "shop/fixtures/initial.json", `{"key": "AKIACROSSGATEFAKEKEY"}`+"\n")
	write(t, dir, "docs/setup.md", "Set `AWS_ACCESS_KEY_ID=AKIACROSSGATEFAKEKEY`.\n")
	write(t, dir, "lib/client.py", "def sign(req):\n    \"\"\"Sign a request.\n\n    Example::\n\n        {\"access_token\": \"AKIACROSSGATEFAKEKEY\"}\n    \"\"\"\n    return req\n\n\nBLOB = \"\"\"\nAKIACROSSGATEFAKEKEY\n\"\"\"\n")
	// testing, contest and attestation are not test folders
	write(t, dir, "attestation/keys.py", key)
	r := audit(t, Options{}, dir)
	got := map[string]string{}
	for _, f := range r.Findings {
		if f.Rule != "secret-in-source" {
			continue
		}
		got[fmt.Sprintf("%s:%d", f.File, f.Line)] = f.Severity.String()
		if f.Severity < finding.High && (f.SeverityReason == "" || len(f.Evidence.Notes) == 0 || f.BaseSeverity != finding.High) {
			t.Errorf("%s:%d lowered without a reason or note: %+v", f.File, f.Line, f)
		}
	}
	want := map[string]string{
		"app/keys.py:1":                "high",
		"attestation/keys.py:1":        "high",
		"tests/test_keys.py:1":         "low",
		"app/tests.py:1":               "low",
		"pkg/keys_test.go:3":           "low",
		"pkg/testdata/creds.json:1":    "low",
		"spec/fixtures/aws.yml:1":      "low",
		"web/src/api.test.js:1":        "low",
		"app/conftest.py:1":            "low",
		"shop/fixtures/initial.json:1": "high",
		"docs/setup.md:1":              "medium",
		"lib/client.py:6":              "medium",
		"lib/client.py:12":             "high",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("severities:\n got %v\nwant %v", got, want)
	}
}

// Package metadata and entry points name plugins with dotted paths; a key such as
// hardcoded_password_default = bandit.plugins.x:y is not a password.
func TestDottedPathsAreNotSecrets(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "bandit.egg-info/entry_points.txt", "[bandit.plugins]\nhardcoded_password_default = bandit.plugins.general_hardcoded_password:hardcoded_password_default\ntry_except_pass = bandit.plugins.try_except_pass:try_except_pass\n")
	write(t, dir, "settings.ini", "[auth]\npassword_hasher = django.contrib.auth.hashers.PBKDF2PasswordHasher\ndb_password = k9#Lq2!vRt8zW\n")
	r := audit(t, Options{}, dir)
	got := locs(r, "secret-in-source")
	want := []string{"secret-in-source@settings.ini:3"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// An mTLS nginx that never sets the identity header the app reads hands the client's own
// header to the app: the audit sees both sides and says so; with the header overwritten, or
// with no app code reading it, there is nothing to report.
func TestAppReadsIdentityHeaderNginxNeverSets(t *testing.T) {
	conf := func(extra string) string {
		return "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    ssl_certificate s.pem;\n    ssl_certificate_key s.key;\n" +
			"    ssl_client_certificate ca.pem;\n    ssl_verify_client on;\n    location / {\n" + extra +
			"      proxy_pass http://127.0.0.1:8000;\n    }\n  }\n}\n"
	}
	mw := "def identity(request):\n    return request.META.get(\"HTTP_X_SSL_CLIENT_S_DN\", \"\")\n"
	for _, c := range []struct {
		name, nginx, py string
		want            bool
	}{
		{"app reads, nginx never sets", conf(""), mw, true},
		{"nginx overwrites it", conf("      proxy_set_header X-SSL-Client-S-DN $ssl_client_s_dn;\n"), mw, false},
		{"no app code reads it", conf(""), "def f():\n    return 1\n", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, "deploy/nginx.conf", c.nginx)
			write(t, root, "app/auth.py", c.py)
			r := audit(t, Options{}, root)
			var got []string
			for _, f := range r.Findings {
				if f.Rule == "nginx-identity-headers-not-cleared" {
					got = append(got, f.Detail)
				}
			}
			if c.want && (len(got) != 1 || !strings.Contains(got[0], "X-SSL-CLIENT-S-DN") || !strings.Contains(got[0], "app/auth.py:2")) {
				t.Fatalf("want one finding naming the header and app/auth.py:2, got %q", got)
			}
			if !c.want && len(got) != 0 {
				t.Fatalf("want none, got %q", got)
			}
		})
	}
}

// The identity headers one project's code reads are matched to the nginx configs of that
// project only: in a tree holding several projects, one project's middleware does not make
// another project's nginx.conf critical. A config belongs to the project nearest to it in
// the tree (a sibling nginx/ folder of backend/ is that backend's).
func TestAppReadsMatchedToTheirProject(t *testing.T) {
	conf := "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    ssl_certificate s.pem;\n    ssl_certificate_key s.key;\n" +
		"    ssl_client_certificate ca.pem;\n    ssl_verify_client on;\n    location / {\n      proxy_pass http://127.0.0.1:8000;\n    }\n  }\n}\n"
	reads := "def identity(request):\n    return request.META.get(\"HTTP_X_SSL_CLIENT_S_DN\", \"\")\n"
	plain := "def index(request):\n    return 1\n"
	manage := func(mod string) string {
		return "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"" + mod + ".settings\")\n"
	}
	for _, c := range []struct {
		name  string
		files map[string]string
		want  []string // configs with the finding
	}{
		{"side by side, nginx next to backend", map[string]string{
			"a/backend/manage.py": manage("shop"), "a/backend/shop/__init__.py": "", "a/backend/shop/settings.py": "DEBUG = False\n",
			"a/backend/shop/auth.py": reads, "a/nginx/nginx.conf": conf,
			"b/backend/manage.py": manage("blog"), "b/backend/blog/__init__.py": "", "b/backend/blog/settings.py": "DEBUG = False\n",
			"b/backend/blog/views.py": plain, "b/nginx/nginx.conf": conf,
		}, []string{"a/nginx/nginx.conf"}},
		{"nginx inside each project", map[string]string{
			"a/manage.py": manage("shop"), "a/shop/__init__.py": "", "a/shop/settings.py": "DEBUG = False\n", "a/shop/auth.py": reads, "a/deploy/nginx.conf": conf,
			"b/manage.py": manage("blog"), "b/blog/__init__.py": "", "b/blog/settings.py": "DEBUG = False\n", "b/blog/views.py": plain, "b/deploy/nginx.conf": conf,
		}, []string{"a/deploy/nginx.conf"}},
		{"one project, nginx beside it", map[string]string{
			"backend/manage.py": manage("shop"), "backend/shop/__init__.py": "", "backend/shop/settings.py": "DEBUG = False\n",
			"backend/shop/auth.py": reads, "deploy/nginx/nginx.conf": conf,
		}, []string{"deploy/nginx/nginx.conf"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			for p, s := range c.files {
				write(t, root, p, s)
			}
			var got []string
			for _, f := range audit(t, Options{}, root).Findings {
				if f.Rule == "nginx-identity-headers-not-cleared" {
					got = append(got, f.File)
				}
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("findings in %v, want %v", got, c.want)
			}
		})
	}
}

// audit and scan rate the seed's mistake alike (README, "How severity is rated"): audit
// cannot see the data, so it assumes personal data. With client-certificate authentication
// in the same project (nginx ssl_verify_client, or code reading the certificate's identity
// header), allow-all is high like scan's cors-wildcard-on-mtls (Chromium presents the
// certificate on non-credentialed reads); without it, ACAO * reads only what anyone can
// fetch: medium, like cors-wildcard on a public endpoint serving personal data. Allow-all
// with credentials reflects any origin with cookies or certificates: critical either way,
// like cors-reflect-origin-credentials.
func TestCORSAllowAllRatedByClientCertificateAuth(t *testing.T) {
	mtlsNginx := "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    ssl_certificate s.pem;\n    ssl_certificate_key s.key;\n" +
		"    ssl_client_certificate ca.pem;\n    ssl_verify_client on;\n    location / {\n      proxy_set_header X-SSL-Client-S-DN $ssl_client_s_dn;\n      proxy_set_header X-SSL-Client-Verify $ssl_client_verify;\n      proxy_pass http://127.0.0.1:8000;\n    }\n  }\n}\n"
	plainNginx := "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    ssl_certificate s.pem;\n    ssl_certificate_key s.key;\n    location / {\n      proxy_pass http://127.0.0.1:8000;\n    }\n  }\n}\n"
	middleware := "def identity(request):\n    if request.META.get(\"HTTP_X_SSL_CLIENT_VERIFY\") != \"SUCCESS\":\n        return None\n    return request.META.get(\"HTTP_X_SSL_CLIENT_S_DN\") == \"CN=alice\"\n"
	project := func(mod, settings string) map[string]string {
		return map[string]string{
			"manage.py":          "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"" + mod + ".settings\")\n",
			mod + "/__init__.py": "",
			mod + "/settings.py": "INSTALLED_APPS = [\"corsheaders\"]\nMIDDLEWARE = [\"corsheaders.middleware.CorsMiddleware\"]\n" + settings,
		}
	}
	allowAll := "CORS_ALLOW_ALL_ORIGINS = True\n"
	withCreds := allowAll + "CORS_ALLOW_CREDENTIALS = True\n"
	under := func(dir string, files map[string]string) map[string]string {
		out := map[string]string{}
		for p, s := range files {
			out[dir+"/"+p] = s
		}
		return out
	}
	merge := func(ms ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	for _, c := range []struct {
		name  string
		files map[string]string
		rule  string
		want  finding.Severity
	}{
		{"allow-all, nginx requires client certificates", merge(project("api", allowAll), map[string]string{"deploy/nginx.conf": mtlsNginx}), "django-cors-allow-all", finding.High},
		{"allow-all, mTLS middleware", merge(project("api", allowAll), map[string]string{"api/auth.py": middleware}), "django-cors-allow-all", finding.High},
		{"allow-all, no client certificates", merge(project("api", allowAll), map[string]string{"deploy/nginx.conf": plainNginx}), "django-cors-allow-all", finding.Medium},
		{"allow-all, another project's mTLS", merge(under("a", project("api", allowAll)), under("b", merge(project("shop", ""), map[string]string{"deploy/nginx.conf": mtlsNginx}))), "django-cors-allow-all", finding.Medium},
		{"credentials, nginx requires client certificates", merge(project("api", withCreds), map[string]string{"deploy/nginx.conf": mtlsNginx}), "django-cors-allow-all-credentials", finding.Critical},
		{"credentials, no client certificates", project("api", withCreds), "django-cors-allow-all-credentials", finding.Critical},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			for p, s := range c.files {
				write(t, root, p, s)
			}
			var got []finding.Finding
			for _, f := range audit(t, Options{}, root).Findings {
				if f.Rule == c.rule {
					got = append(got, f)
				}
			}
			if len(got) != 1 || got[0].Severity != c.want || got[0].SeverityReason == "" {
				t.Fatalf("want one %s at %s with a reason, got %+v", c.rule, c.want, got)
			}
		})
	}
}
