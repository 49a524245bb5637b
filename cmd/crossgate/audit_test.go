package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/report"
)

const seedlike = "../../audit/testdata/seedlike"
const clean = "../../audit/testdata/clean"

func runAuditCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = runAudit(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestAuditExitCodes(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want int
	}{
		{"seedlike has critical findings", []string{seedlike}, exitFindings},
		{"clean has none", []string{clean}, exitOK},
		{"fail-on none never fails", []string{"--fail-on", "none", seedlike}, exitOK},
		{"fail-on critical still fails", []string{seedlike, "--fail-on", "critical"}, exitFindings},
		{"both paths", []string{clean, seedlike}, exitFindings},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runAuditCLI(t, c.args...)
			if code != c.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, c.want, stderr)
			}
		})
	}
}

func TestAuditUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args      []string
		err, hint string
	}{
		{[]string{"no/such/dir"}, "error: cannot audit no/such/dir: no such file or directory", "hint: check the path"},
		{[]string{"--format", "xml", clean}, `error: unknown --format "xml"`, "hint: use text, json, sarif or html"},
		{[]string{"--fail-on", "severe", clean}, `error: --fail-on: unknown severity "severe" (want info, low, medium, high, critical or none)`, "hint:"},
		{[]string{"--bogus", clean}, "error: flag provided but not defined: -bogus", "hint: run 'crossgate audit --help'"},
		{nil, "error: no PATH to audit", "hint: give a directory or file"},
	} {
		code, stdout, stderr := runAuditCLI(t, c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.err+"\n") || !strings.Contains(stderr, c.hint) || stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s", c.args, code, stdout, stderr)
		}
	}
}

func TestAuditBrokenNginx(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte("http {\n    server {\n        listen 80;\n    }\n    }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Given on its own, nothing could be audited: exit 3 with the position of the error.
	code, _, stderr := runAuditCLI(t, conf)
	if code != exitNoTarget || !strings.Contains(stderr, `nginx.conf:6:1: unexpected "}"`) {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	// Inside a tree it is reported and the rest is still audited.
	if err := os.WriteFile(filepath.Join(dir, "ok.conf"), []byte("server {\n    ssl_protocols TLSv1.1 TLSv1.2;\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runAuditCLI(t, "--format", "json", "--fail-on", "medium", dir)
	if code != exitFindings || !strings.Contains(stderr, `nginx.conf:6:1: unexpected "}"`) {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("json: %v\n%s", err, stdout)
	}
	if len(r.Findings) != 1 || r.Findings[0].Rule != "nginx-weak-tls" || r.Findings[0].File != "ok.conf" || r.Findings[0].Line != 2 {
		t.Errorf("findings %+v", r.Findings)
	}
}

func TestAuditFormats(t *testing.T) {
	code, stdout, _ := runAuditCLI(t, "--format", "json", seedlike)
	var r report.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || code != exitFindings || r.Command != "audit" || r.Version != version {
		t.Fatalf("json: exit %d err %v", code, err)
	}
	found := false
	for _, f := range r.Findings {
		if f.Rule == "nginx-identity-headers-not-cleared" && f.File == "nginx/nginx.conf" && f.Line == 23 && f.Column == 13 {
			found = true
		}
	}
	if !found {
		t.Errorf("the location inheritance trap is missing from the JSON report")
	}

	out := filepath.Join(t.TempDir(), "audit.sarif")
	code, stdout, stderr := runAuditCLI(t, "--format", "sarif", "-o", out, seedlike)
	if code != exitFindings || stdout != "" || !strings.Contains(stderr, "wrote sarif report to") {
		t.Errorf("sarif -o: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string
		Runs    []struct{ Results []struct{ RuleID string } }
	}
	if err := json.Unmarshal(raw, &log); err != nil || log.Version != "2.1.0" || len(log.Runs[0].Results) != len(r.Findings) {
		t.Errorf("sarif: %v %+v", err, log)
	}

	_, stdout, _ = runAuditCLI(t, clean)
	if !strings.Contains(stdout, "crossgate audit") || !strings.Contains(stdout, "0 findings") {
		t.Errorf("text report for the clean project:\n%s", stdout)
	}
}

func TestAuditHelp(t *testing.T) {
	code, out, _ := runAuditCLI(t, "--help")
	if code != exitOK {
		t.Errorf("exit %d", code)
	}
	for _, s := range []string{"Usage: crossgate audit", "--format", "-o", "--fail-on", "--show-secrets", "--ignore", ".crossgateignore", "crossgate:ignore", "Examples:", "Exit codes:", "3  a PATH or a config file in it could not be audited"} {
		if !strings.Contains(out, s) {
			t.Errorf("audit --help does not mention %q", s)
		}
	}
}

func TestAuditShowSecrets(t *testing.T) {
	_, masked, _ := runAuditCLI(t, "--format", "json", seedlike)
	_, shown, _ := runAuditCLI(t, "--format", "json", "--show-secrets", seedlike)
	const key = "AKIACROSSGATEFAKEKEY"
	if strings.Contains(masked, key) || !strings.Contains(shown, key) {
		t.Errorf("--show-secrets: masked has key %v, shown has key %v", strings.Contains(masked, key), strings.Contains(shown, key))
	}
}

// The secret severity policy is documented, and a test-fixture key does not fail the
// default --fail-on high while the same key in application code does.
func TestAuditSecretPolicy(t *testing.T) {
	_, help, _ := runAuditCLI(t, "--help")
	for _, s := range []string{"low in", "test code and its data", "medium in documentation", "_vendor"} {
		if !strings.Contains(help, s) {
			t.Errorf("audit --help does not mention %q", s)
		}
	}
	dir := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("tests/test_aws.py", "KEY = \"AKIACROSSGATEFAKEKEY\"\n")
	if code, _, stderr := runAuditCLI(t, dir); code != exitOK {
		t.Errorf("test fixture only: exit %d, want %d\n%s", code, exitOK, stderr)
	}
	if code, _, _ := runAuditCLI(t, "--fail-on", "low", dir); code != exitFindings {
		t.Errorf("test fixture with --fail-on low: exit %d, want %d", code, exitFindings)
	}
	write("app/aws.py", "KEY = \"AKIACROSSGATEFAKEKEY\"\n")
	if code, _, _ := runAuditCLI(t, dir); code != exitFindings {
		t.Errorf("key in app code: exit %d, want %d", code, exitFindings)
	}
}

// A directory whose only nginx config does not parse was not audited: exit 3, not a pass.
func TestAuditBrokenConfigInDirectoryExits3(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte("server { listen 443 ssl; location / { \n"), 0o644)
	var o, e bytes.Buffer
	code := runAudit(context.Background(), []string{dir}, &o, &e)
	if code != exitNoTarget || !strings.Contains(e.String(), "could not be audited") {
		t.Fatalf("exit %d, stderr:\n%s", code, e.String())
	}
}

// What could not be audited never passes a CI gate: a PATH with nothing crossgate can read,
// and a Django settings module that is not valid Python (Django could not import it, so
// what crossgate read of it is partial), exit 3 like a broken nginx.conf, naming the reason.
func TestAuditUnauditableExits3(t *testing.T) {
	manage := "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\n"
	for _, c := range []struct {
		name  string
		files map[string]string
		args  []string
		want  int
		say   string
	}{
		{"empty directory", map[string]string{}, nil, exitNoTarget, "nothing to audit"},
		{"only binary files", map[string]string{"logo.png": "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, nil, exitNoTarget, "nothing to audit"},
		{"everything ignored", map[string]string{"app/settings.py": "DEBUG = False\n"}, []string{"--ignore", "app/**"}, exitNoTarget, "nothing to audit"},
		{"settings module does not parse", map[string]string{"manage.py": manage, "mysite/__init__.py": "",
			"mysite/settings.py": "DEBUG = False\nALLOWED_HOSTS = [\"api.example.com\"\nSECRET_KEY = os.environ[\"K\"]\n"}, nil, exitNoTarget, "mysite.settings"},
		{"star-imported base does not parse", map[string]string{"manage.py": strings.Replace(manage, "mysite.settings", "mysite.settings.production", 1),
			"mysite/__init__.py": "", "mysite/settings/__init__.py": "", "mysite/settings/production.py": "from .base import *\nDEBUG = False\n",
			"mysite/settings/base.py": "INSTALLED_APPS = [\n    \"django.contrib.auth\"\n    def\n"}, nil, exitNoTarget, "mysite/settings/base.py:"},
		{"broken view is not a settings module", map[string]string{"manage.py": manage, "mysite/__init__.py": "",
			"mysite/settings.py": "DEBUG = False\nSECURE_SSL_REDIRECT = True\n", "mysite/views.py": "def index(:\n    pass\n"}, nil, exitOK, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, s := range c.files {
				full := filepath.Join(dir, p)
				os.MkdirAll(filepath.Dir(full), 0o755)
				if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, stdout, stderr := runAuditCLI(t, append(append([]string{"--fail-on", "none"}, c.args...), dir)...)
			if code != c.want || !strings.Contains(stdout+stderr, c.say) {
				t.Fatalf("exit %d (want %d), output lacks %q:\n%s\n%s", code, c.want, c.say, stdout, stderr)
			}
		})
	}
	// The one settings file given on its own, broken: its target failed.
	dir := t.TempDir()
	p := filepath.Join(dir, "settings.py")
	os.WriteFile(p, []byte("DEBUG = True\nINSTALLED_APPS = [\nSECRET_KEY = 'x'\n"), 0o644)
	if code, stdout, stderr := runAuditCLI(t, "--fail-on", "none", p); code != exitNoTarget || !strings.Contains(stdout, "not valid Python") {
		t.Fatalf("single broken settings file: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// Every settings module of a split-settings project is audited and each finding names its
// module (settings_module); --settings narrows the audit to the modules given, listing the
// others as not chosen; DJANGO_SETTINGS_MODULE in the environment adds its module; a
// --settings module the project lacks fails the target (exit 3).
func TestAuditSettingsModules(t *testing.T) {
	split := "../../audit/django/testdata/split"
	type rep struct {
		Targets []struct {
			Settings   []string `json:"settings_modules"`
			NotAudited []struct {
				Module, File, Reason string
			} `json:"settings_not_audited"`
			Error string
		}
		Findings []struct {
			Rule     string
			Settings string `json:"settings_module"`
		}
	}
	run := func(args ...string) (int, rep, string) {
		t.Helper()
		code, stdout, stderr := runAuditCLI(t, append([]string{"--format", "json", "--fail-on", "none"}, args...)...)
		var r rep
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("json: %v\n%s", err, stdout)
		}
		return code, r, stderr
	}
	modsOf := func(r rep) string {
		seen := map[string]bool{}
		for _, f := range r.Findings {
			if f.Rule != "secret-in-source" {
				if f.Settings == "" && strings.HasPrefix(f.Rule, "django-") && f.Rule != "django-logging-sensitive" && !strings.HasPrefix(f.Rule, "django-mtls") {
					t.Errorf("%s names no settings module", f.Rule)
				}
				seen[f.Settings] = true
			}
		}
		delete(seen, "")
		return strings.Join(slices.Sorted(maps.Keys(seen)), ",")
	}

	_, r, _ := run(split)
	if got := modsOf(r); got != "mysite.settings.dev,mysite.settings.production" {
		t.Errorf("findings from modules %s, want dev and production", got)
	}
	base := false
	for _, s := range r.Targets[0].NotAudited {
		base = base || s.Module == "mysite.settings.base" && s.File == "mysite/settings/base.py" && strings.Contains(s.Reason, "audited through them")
	}
	if !base {
		t.Errorf("settings_not_audited lacks base.py: %+v", r.Targets[0].NotAudited)
	}

	_, r, _ = run("--settings", "mysite.settings.production", split)
	if got := modsOf(r); got != "mysite.settings.production" || strings.Join(r.Targets[0].Settings, ",") != "mysite.settings.production" {
		t.Errorf("--settings production: findings from %s, target settings %v", got, r.Targets[0].Settings)
	}
	notChosen := false
	for _, s := range r.Targets[0].NotAudited {
		notChosen = notChosen || s.Module == "mysite.settings.dev" && strings.Contains(s.Reason, "--settings")
	}
	if !notChosen {
		t.Errorf("dev not listed as not chosen: %+v", r.Targets[0].NotAudited)
	}

	if code, r, stderr := run("--settings", "mysite.settings.prod", split); code != exitNoTarget || !strings.Contains(stderr+fmt.Sprint(r.Targets), "mysite.settings.prod") {
		t.Errorf("unknown --settings module: exit %d, %+v\n%s", code, r.Targets, stderr)
	}

	// A module no entry point names and whose name does not say settings, chosen through the
	// environment as Django would be.
	dir := t.TempDir()
	for p, s := range map[string]string{
		"manage.py":           "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site.settings\")\n",
		"site/__init__.py":    "",
		"site/settings.py":    "DEBUG = False\nSECURE_SSL_REDIRECT = True\n",
		"site/hosting_cfg.py": "from site.settings import *\nDEBUG = True\n",
	} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644)
	}
	t.Setenv("DJANGO_SETTINGS_MODULE", "site.hosting_cfg")
	_, r, _ = run(dir)
	if got := modsOf(r); got != "site.hosting_cfg" {
		t.Errorf("with DJANGO_SETTINGS_MODULE=site.hosting_cfg: findings from %q", got)
	}
}

// SARIF locations are relative to the directory audit runs from (the repository root in a
// workflow), so code scanning attaches each alert to its file when several PATHs are given,
// as relative or absolute paths, or a file on its own.
func TestAuditSARIFPathsFromWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	for p, s := range map[string]string{
		"src/mysite/settings.py":  "DEBUG = True\n",
		"deploy/nginx/nginx.conf": "http {\n  server {\n    listen 80;\n    add_header Access-Control-Allow-Origin *;\n  }\n}\n",
		"ops/site.conf":           "server {\n    listen 80;\n    add_header Access-Control-Allow-Origin *;\n}\n",
	} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644)
	}
	t.Chdir(dir)
	code, stdout, stderr := runAuditCLI(t, "--format", "sarif", "--fail-on", "none", "src/", filepath.Join(dir, "deploy", "nginx"), "./ops/site.conf")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string
							URIBaseID string `json:"uriBaseId"`
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range log.Runs[0].Results {
		a := r.Locations[0].PhysicalLocation.ArtifactLocation
		got[a.URI] = true
		if a.URIBaseID != "%SRCROOT%" {
			t.Errorf("%s: uriBaseId %q", a.URI, a.URIBaseID)
		}
		if _, err := os.Stat(filepath.FromSlash(a.URI)); err != nil {
			t.Errorf("%s (%s) does not name a file from the working directory", a.URI, r.RuleID)
		}
	}
	for _, want := range []string{"src/mysite/settings.py", "deploy/nginx/nginx.conf", "ops/site.conf"} {
		if !got[want] {
			t.Errorf("no result at %s; got %v", want, slices.Sorted(maps.Keys(got)))
		}
	}
}
