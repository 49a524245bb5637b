package django

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
)

// Fixtures declare what they must produce in comments:
//
//	# want: RULE@COLUMN ...   this line must hold exactly these findings
//	# checks: RULE ...        only these rules are compared (default: every rule)
//
// so a fixture documents itself and a finding on the wrong line or column fails.
type want struct {
	file string
	line int
	col  int
	rule string
}

func (w want) String() string { return fmt.Sprintf("%s:%d:%d %s", w.file, w.line, w.col, w.rule) }

func readWants(t *testing.T, dir string) (wants []want, checks map[string]bool) {
	t.Helper()
	checks = map[string]bool{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(p, ".py") {
			return err
		}
		fh, err := os.Open(p)
		if err != nil {
			return err
		}
		defer fh.Close()
		sc := bufio.NewScanner(fh)
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			for _, seg := range strings.Split(text, ";") {
				if i := strings.Index(seg, "checks:"); i >= 0 {
					for _, r := range strings.Fields(seg[i+len("checks:"):]) {
						checks[r] = true
					}
				}
				if i := strings.Index(seg, "want:"); i >= 0 {
					for _, spec := range strings.Fields(seg[i+len("want:"):]) {
						rule, col, ok := strings.Cut(spec, "@")
						c, err := strconv.Atoi(col)
						if !ok || err != nil {
							t.Fatalf("%s:%d: bad want %q", p, line, spec)
						}
						wants = append(wants, want{p, line, c, rule})
					}
				}
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return wants, checks
}

func auditDir(t *testing.T, dir string) []finding.Finding {
	t.Helper()
	if isFile(filepath.Join(dir, "manage.py")) {
		ps, err := Discover(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []finding.Finding
		for _, p := range ps {
			fs, err := Audit(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fs...)
		}
		return out
	}
	var out []finding.Finding
	files, _ := filepath.Glob(filepath.Join(dir, "*.py"))
	for _, f := range files {
		fs, err := AuditFile(f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fs...)
	}
	return out
}

func compareWants(t *testing.T, dir string, fs []finding.Finding) {
	t.Helper()
	wants, checks := readWants(t, dir)
	abs, _ := filepath.Abs(dir)
	var got, exp []string
	for _, f := range fs {
		if len(checks) > 0 && !checks[f.Rule] {
			continue
		}
		if _, ok := finding.Lookup(f.Rule); !ok {
			t.Errorf("unknown rule %s", f.Rule)
		}
		if f.Remediation == "" || f.Detail == "" || f.Fingerprint == "" {
			t.Errorf("%s at %s:%d lacks detail, remediation or fingerprint", f.Rule, f.File, f.Line)
		}
		rel, _ := filepath.Rel(abs, f.File)
		got = append(got, want{rel, f.Line, f.Column, f.Rule}.String())
	}
	for _, w := range wants {
		rel, _ := filepath.Rel(dir, w.file)
		exp = append(exp, want{rel, w.line, w.col, w.rule}.String())
	}
	sort.Strings(got)
	sort.Strings(exp)
	if strings.Join(got, "\n") != strings.Join(exp, "\n") {
		t.Errorf("%s:\n got:\n  %s\n want:\n  %s", dir, strings.Join(got, "\n  "), strings.Join(exp, "\n  "))
		for _, f := range fs {
			t.Logf("  %s %s:%d:%d %s", f.Rule, filepath.Base(f.File), f.Line, f.Column, f.Detail)
		}
	}
}

func TestRuleFixtures(t *testing.T) {
	dirs, err := filepath.Glob("testdata/rules/*")
	if err != nil || len(dirs) < 20 {
		t.Fatalf("rule fixtures missing: %v %d", err, len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			compareWants(t, dir, auditDir(t, dir))
		})
	}
}

func TestProjectFixtures(t *testing.T) {
	for _, name := range []string{"seedlike", "split", "envdriven", "clean"} {
		t.Run(name, func(t *testing.T) {
			compareWants(t, filepath.Join("testdata", name), auditDir(t, filepath.Join("testdata", name)))
		})
	}
}

func TestCleanProjectHasNoFindings(t *testing.T) {
	fs := auditDir(t, "testdata/clean")
	for _, f := range fs {
		t.Errorf("clean project: %s %s:%d %s", f.Rule, f.File, f.Line, f.Detail)
	}
}

func TestDiscover(t *testing.T) {
	cases := map[string][]string{
		"testdata/seedlike":  {"mysite.settings"},
		"testdata/split":     {"mysite.settings.production", "mysite.settings.dev"},
		"testdata/envdriven": {"envsite.settings"},
	}
	for dir, mods := range cases {
		ps, err := Discover(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 1 {
			t.Fatalf("%s: %d projects", dir, len(ps))
		}
		abs, _ := filepath.Abs(dir)
		if ps[0].Root != abs || ps[0].ManagePy != filepath.Join(abs, "manage.py") {
			t.Errorf("%s: project %+v", dir, ps[0])
		}
		if strings.Join(ps[0].SettingsModules, ",") != strings.Join(mods, ",") {
			t.Errorf("%s: settings modules %v, want %v", dir, ps[0].SettingsModules, mods)
		}
	}
}

func TestDiscoverWithoutEntryPoints(t *testing.T) {
	// No manage.py, no wsgi.py: every settings module that no other imports, so base.py
	// is audited through production.py and dev.py on its own.
	dir := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("proj/__init__.py", "")
	write("proj/settings/__init__.py", "")
	write("proj/settings/base.py", "DEBUG = False\n")
	write("proj/settings/production.py", "from .base import *\n")
	write("proj/settings/dev.py", "from proj.settings.base import *\nDEBUG = True\n")
	write(".env", "# local\nexport DJANGO_SETTINGS_MODULE_UNUSED=x\n")
	ps, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || strings.Join(ps[0].SettingsModules, ",") != "proj.settings.dev,proj.settings.production" {
		t.Fatalf("projects %+v", ps)
	}
	fs, err := Audit(ps[0], Options{})
	if err != nil {
		t.Fatal(err)
	}
	var debug []finding.Finding
	for _, f := range fs {
		if f.Rule == "django-debug-enabled" {
			debug = append(debug, f)
		}
	}
	// dev.py is development settings: reported, one step lower, with a note.
	if len(debug) != 1 || debug[0].Settings != "proj.settings.dev" || debug[0].Severity != finding.Low || len(debug[0].Evidence.Notes) == 0 {
		t.Fatalf("debug findings %+v", debug)
	}

	// A .env file naming the module puts it first; dev.py is still audited.
	write(".env", "DJANGO_SETTINGS_MODULE=\"proj.settings.production\"  # prod\n")
	ps, err = Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || strings.Join(ps[0].SettingsModules, ",") != "proj.settings.production,proj.settings.dev" {
		t.Fatalf("with .env: %+v", ps)
	}
}

func findRule(fs []finding.Finding, rule string) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func TestSeedlikeDetails(t *testing.T) {
	fs := auditDir(t, "testdata/seedlike")
	sk := findRule(fs, "django-secret-key-hardcoded")
	if len(sk) != 1 {
		t.Fatalf("secret key findings: %d", len(sk))
	}
	if strings.Contains(sk[0].Evidence.Snippet, "7x!k2m") || !strings.Contains(sk[0].Evidence.Snippet, `"djan…"`) {
		t.Errorf("secret not masked: %q", sk[0].Evidence.Snippet)
	}
	if sk[0].Settings != "mysite.settings" {
		t.Errorf("settings module %q", sk[0].Settings)
	}
	if got := findRule(fs, "django-cors-allow-all"); len(got) != 0 {
		t.Errorf("allow-all reported next to allow-all-credentials: %+v", got)
	}
	cred := findRule(fs, "django-cors-allow-all-credentials")
	if len(cred) != 1 || !strings.Contains(cred[0].Remediation, "CORS_ALLOWED_ORIGINS = [") {
		t.Errorf("credentials finding %+v", cred)
	}
	// ShowSecrets keeps the value; a custom mask is used when given.
	p, _ := Discover("testdata/seedlike")
	shown, _ := Audit(p[0], Options{ShowSecrets: true})
	if sk := findRule(shown, "django-secret-key-hardcoded"); !strings.Contains(sk[0].Evidence.Snippet, "7x!k2m") {
		t.Errorf("ShowSecrets masked the key: %q", sk[0].Evidence.Snippet)
	}
	masked, _ := Audit(p[0], Options{Mask: func(string) string { return "[redacted]" }})
	if sk := findRule(masked, "django-secret-key-hardcoded"); !strings.Contains(sk[0].Evidence.Snippet, `"[redacted]"`) {
		t.Errorf("custom mask not used: %q", sk[0].Evidence.Snippet)
	}
}

func TestEnvDetails(t *testing.T) {
	fs := auditDir(t, "testdata/envdriven")
	d := findRule(fs, "django-debug-enabled")
	if len(d) != 1 || !strings.Contains(d[0].Detail, "DEBUG comes from the environment variable DEBUG, default True") {
		t.Errorf("debug detail: %+v", d)
	}
	c := findRule(fs, "django-cors-allow-all")
	if len(c) != 1 || !strings.Contains(c[0].Detail, "set only when `os.environ.get(\"ENABLE_LEGACY_CORS\")`") {
		t.Errorf("conditional detail: %+v", c)
	}
	ck := findRule(fs, "django-insecure-cookies")
	if len(ck) != 1 || !strings.Contains(ck[0].Detail, "environment variable SESSION_COOKIE_SECURE, default False") {
		t.Errorf("cookie detail: %+v", ck)
	}
	dbg := findRule(auditDir(t, "testdata/rules/debug-bad"), "django-debug-enabled")
	if len(dbg) != 2 || !strings.Contains(dbg[0].Detail+dbg[1].Detail, "DJANGO_DEBUG, default True") {
		t.Errorf("debug-bad details: %+v", dbg)
	}
}

// A line of base.py in effect through production.py and dev.py is reported once, for the
// module that rates it worst (production: dev's findings are one step lower), naming the
// other; what only dev.py reaches belongs to dev.
func TestSplitSettingsModuleAndFiles(t *testing.T) {
	fs := auditDir(t, "testdata/split")
	for _, f := range fs {
		want := "mysite.settings.dev"
		if f.Rule == "django-cors-http-origin" || f.Rule == "django-insecure-cookies" && filepath.Base(f.File) == "base.py" {
			want = "mysite.settings.production"
		}
		if f.Settings != want {
			t.Errorf("%s at %s:%d belongs to %q, want %s", f.Rule, filepath.Base(f.File), f.Line, f.Settings, want)
		}
	}
	var ck []finding.Finding
	for _, f := range findRule(fs, "django-insecure-cookies") {
		if filepath.Base(f.File) == "base.py" {
			ck = append(ck, f)
		}
	}
	if len(ck) != 1 || ck[0].Severity != finding.Medium || !strings.Contains(strings.Join(ck[0].Evidence.Notes, " "), "through settings module mysite.settings.dev too") {
		t.Errorf("the cookie setting in base.py, once, for production, naming dev: %+v", ck)
	}
}

func TestSeverityAdjustments(t *testing.T) {
	http := findRule(auditDir(t, "testdata/rules/cors-http-bad"), "django-cors-http-origin")
	sev := map[int]finding.Severity{}
	for _, f := range http {
		sev[f.Line] = f.Severity
	}
	if sev[4] != finding.Medium || sev[5] != finding.Low {
		t.Errorf("http origin severities %v", sev)
	}
	proxy := findRule(auditDir(t, "testdata/rules/ssl-redirect-proxy"), "django-ssl-redirect-off")
	if len(proxy) != 1 || proxy[0].Severity != finding.Info || proxy[0].SeverityReason == "" {
		t.Errorf("proxy ssl redirect %+v", proxy)
	}
	rx := findRule(auditDir(t, "testdata/rules/cors-regex-bad"), "django-cors-regex-unsafe")
	for _, f := range rx {
		want := finding.High
		if f.Line == 6 {
			want = finding.Medium // only http allowed
		}
		if f.Severity != want {
			t.Errorf("regex line %d severity %s, want %s (%s)", f.Line, f.Severity, want, f.Detail)
		}
	}
}

func TestFingerprintsStableAndDistinct(t *testing.T) {
	a := auditDir(t, "testdata/rules/cookies-bad")
	b := auditDir(t, "testdata/rules/cookies-bad")
	seen := map[string]bool{}
	for i := range a {
		if a[i].Fingerprint != b[i].Fingerprint {
			t.Errorf("fingerprint changed between runs")
		}
		if seen[a[i].Fingerprint] {
			t.Errorf("duplicate fingerprint %s for %s:%d", a[i].Fingerprint, a[i].Rule, a[i].Line)
		}
		seen[a[i].Fingerprint] = true
	}
}

func TestAuditErrors(t *testing.T) {
	if _, err := AuditFile("testdata/does-not-exist.py", Options{}); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := Discover("testdata/does-not-exist"); err == nil {
		t.Error("missing dir: no error")
	}
	if _, err := Audit(Project{Root: "testdata/seedlike", SettingsModules: []string{"nope.settings"}}, Options{}); err == nil {
		t.Error("unknown settings module: no error")
	}
	// Broken Python still parses (tree-sitter recovers) and yields what it can, and says the
	// settings module is not valid Python.
	dir := t.TempDir()
	p := filepath.Join(dir, "settings.py")
	os.WriteFile(p, []byte("DEBUG = True\ndef broken(:\n  x = = 1\nSECRET_KEY = 'abc'\n"), 0o644)
	fs, err := AuditFile(p, Options{})
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 2 || se.File != "settings.py" {
		t.Fatalf("want a SyntaxError at settings.py:2, got %v", err)
	}
	if len(findRule(fs, "django-debug-enabled")) != 1 {
		t.Errorf("broken file: DEBUG not found: %+v", fs)
	}
}

// The orchestrator may audit several paths at once: results must not depend on it.
func TestConcurrentAudits(t *testing.T) {
	files, _ := filepath.Glob("testdata/rules/*/*.py")
	seq := map[string]int{}
	for _, f := range files {
		fs, err := AuditFile(f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		seq[f] = len(fs)
	}
	type res struct {
		f string
		n int
	}
	ch := make(chan res)
	for _, f := range files {
		go func(f string) {
			fs, _ := AuditFile(f, Options{})
			ch <- res{f, len(fs)}
		}(f)
	}
	for range files {
		r := <-ch
		if r.n != seq[r.f] {
			t.Errorf("%s: %d findings concurrently, %d sequentially", r.f, r.n, seq[r.f])
		}
	}
}

// Discovering the whole testdata tree finds every fixture project once, and the code scan of
// the enclosing "project" does not report the nested projects' findings a second time.
func TestDiscoverNestedProjects(t *testing.T) {
	ps, err := Discover("testdata")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, p := range ps {
		fs, err := Audit(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			seen[fmt.Sprintf("%s %s:%d:%d %s", f.Rule, f.File, f.Line, f.Column, f.Detail)]++
		}
	}
	if len(ps) != 6 {
		t.Errorf("%d projects, want seedlike, split, envdriven, clean, apionly and the rules tree", len(ps))
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("finding reported %d times: %s", n, k)
		}
	}
}

// Django's own defaults module holds every insecure default by design; it is not a project's
// settings (auditing Django's source tree reported CSRF_COOKIE_SECURE = False there).
func TestGlobalSettingsIsNotProjectSettings(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"django/__init__.py", "django/conf/__init__.py"} {
		writeFile(t, filepath.Join(dir, p), "")
	}
	src := "DEBUG = False\nSECRET_KEY = ''\nALLOWED_HOSTS = []\nINSTALLED_APPS = []\nMIDDLEWARE = []\nSESSION_COOKIE_SECURE = False\nCSRF_COOKIE_SECURE = False\nSECURE_SSL_REDIRECT = False\n"
	gs := filepath.Join(dir, "django/conf/global_settings.py")
	writeFile(t, gs, src)
	fs, err := AuditFile(gs, Options{})
	if err != nil || len(fs) != 0 {
		t.Errorf("global_settings: %v %+v", err, fs)
	}
	// the same content as a project's settings is reported
	ps := filepath.Join(dir, "proj/settings.py")
	writeFile(t, ps, src)
	if fs, err := AuditFile(ps, Options{}); err != nil || len(fs) == 0 {
		t.Errorf("proj/settings.py: %v, %d findings", err, len(fs))
	}
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A finding about a value set under an if says under which condition: here the production
// branch has CorsMiddleware and only the other one lacks it.
func TestConditionalMiddlewareSaysWhen(t *testing.T) {
	var fs []finding.Finding
	for _, f := range auditDir(t, "testdata/rules/cors-middleware-conditional") {
		if f.Rule == "django-cors-middleware-order" {
			fs = append(fs, f)
		}
	}
	if len(fs) != 1 || !strings.Contains(fs[0].Detail, `When not `+"`"+`os.environ.get("DJANGO_ENV") == "production"`+"`") {
		t.Fatalf("findings %+v", fs)
	}
}

// A reusable app's tests/settings.py (no manage.py, nothing names a settings module) is
// test settings: its findings are lowered one step like those of a test.py.
func TestTestPackageSettingsDemoted(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "tests/__init__.py"), "")
	writeFile(t, filepath.Join(dir, "tests/settings.py"), "SECRET_KEY = \"NOTASECRETBUTLONGENOUGH0123456789\"\nDEBUG = True\nINSTALLED_APPS = [\"corsheaders\"]\nMIDDLEWARE = [\"corsheaders.middleware.CorsMiddleware\"]\nROOT_URLCONF = \"tests.urls\"\nCORS_ALLOW_ALL_ORIGINS = True\n")
	writeFile(t, filepath.Join(dir, "proj/__init__.py"), "")
	writeFile(t, filepath.Join(dir, "proj/testimonials.py"), "")
	ps, err := Discover(dir)
	if err != nil || len(ps) != 1 {
		t.Fatalf("Discover: %v %+v", err, ps)
	}
	fs, err := Audit(ps[0], Options{})
	if err != nil {
		t.Fatal(err)
	}
	sev := map[string]finding.Severity{}
	for _, f := range fs {
		sev[f.Rule] = f.Severity
	}
	if sev["django-cors-allow-all"] != finding.Medium || sev["django-secret-key-hardcoded"] != finding.Medium {
		t.Errorf("tests.settings not demoted: %v", sev)
	}
	for _, c := range []struct {
		mod  string
		want bool
	}{
		{"tests.settings", true}, {"myapp.tests.settings", true}, {"tests.testproject.settings", true},
		{"config.settings.test", true}, {"config.settings.local", true}, {"config.settings.production", false},
		{"testimonials.settings", false}, {"mysite.settings", false}, {"local.settings", false},
	} {
		if got := (&settingsModule{name: c.mod}).demoted(); got != c.want {
			t.Errorf("demoted(%s) = %v, want %v", c.mod, got, c.want)
		}
	}
}
