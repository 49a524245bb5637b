package django

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/finding"
)

const systemPython = "/usr/bin/python3"

// deployCheck maps the `manage.py check --deploy` warnings that overlap a crossgate rule to
// that rule and, for the cookie rule, the setting its detail names.
var deployCheck = map[string]struct{ rule, setting string }{
	"W018": {"django-debug-enabled", "DEBUG"},
	"W009": {"django-secret-key-hardcoded", "SECRET_KEY"},
	"W010": {"django-insecure-cookies", "SESSION_COOKIE_SECURE"},
	"W011": {"django-insecure-cookies", "SESSION_COOKIE_SECURE"},
	"W012": {"django-insecure-cookies", "SESSION_COOKIE_SECURE"},
	"W016": {"django-insecure-cookies", "CSRF_COOKIE_SECURE"},
	"W008": {"django-ssl-redirect-off", "SECURE_SSL_REDIRECT"},
}

var warningID = regexp.MustCompile(`\(security\.(W\d{3})\)`)

// strongKey passes Django's W009 test (50+ characters, many distinct, no insecure prefix);
// it exists only in this test process's environment.
const strongKey = "t3st-0nly:9f8e7d6c5b4a39281706f5e4d3c2b1a0ZYXWVUTSRQPONMLKJIH"

func runDeployCheck(t *testing.T, dir string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, systemPython, "-B", "manage.py", "check", "--deploy")
	cmd.Dir = dir
	env := []string{"DJANGO_SECRET_KEY=" + strongKey, "PYTHONDONTWRITEBYTECODE=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DJANGO_") && !strings.HasPrefix(kv, "PYTHON") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: manage.py check --deploy: %v\n%s", dir, err, out)
	}
	seen := map[string]bool{}
	var ids []string
	for _, m := range warningID.FindAllStringSubmatch(string(out), -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			ids = append(ids, m[1])
		}
	}
	sort.Strings(ids)
	return ids
}

func requireDjango(t *testing.T) {
	t.Helper()
	err := exec.Command(systemPython, "-c", "import django, corsheaders").Run()
	if err == nil {
		return
	}
	if os.Getenv("CROSSGATE_E2E") == "1" {
		t.Fatalf("CROSSGATE_E2E=1 but %s cannot import django and corsheaders (install python3-django and python3-django-cors-headers): %v", systemPython, err)
	}
	t.Skipf("%s cannot import django and corsheaders (install python3-django python3-django-cors-headers, or set CROSSGATE_E2E=1 to make this a failure): %v", systemPython, err)
}

// TestAgreesWithDjangoCheckDeploy runs Debian's real Django on the fixture projects and
// checks that, for the deploy checks that overlap crossgate rules, both tools agree.
var djangoRuns = map[string]string{"seedlike": "mysite.settings", "split": "mysite.settings.production", "clean": "mysite.settings", "apionly": "apisite.settings"}

func TestAgreesWithDjangoCheckDeploy(t *testing.T) {
	requireDjango(t)
	for _, name := range []string{"seedlike", "split", "clean", "apionly"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", name)
			ids := runDeployCheck(t, dir)
			t.Logf("Django %s: %v", name, ids)
			// Django runs with the module manage.py names; crossgate audits the others too.
			var fs []finding.Finding
			for _, f := range auditDir(t, dir) {
				if f.Settings == "" || f.Settings == djangoRuns[name] {
					fs = append(fs, f)
				}
			}
			has := func(rule, setting string) bool {
				for _, f := range fs {
					if f.Rule == rule && strings.Contains(f.Detail, setting) {
						return true
					}
				}
				return false
			}
			django := map[string]bool{}
			for _, id := range ids {
				m, ok := deployCheck[id]
				if !ok {
					continue
				}
				django[m.setting] = true
				if !has(m.rule, m.setting) {
					t.Errorf("Django reports security.%s (%s) but crossgate has no %s finding", id, m.setting, m.rule)
				}
			}
			// and the other way: every overlapping crossgate finding is one Django makes too
			for _, f := range fs {
				for _, m := range deployCheck {
					if f.Rule != m.rule || !strings.Contains(f.Detail, m.setting) || django[m.setting] {
						continue
					}
					if m.rule == "django-secret-key-hardcoded" && !strings.Contains(f.Detail, "W009") {
						continue // a strong committed key: Django has no objection, crossgate does
					}
					t.Errorf("crossgate reports %s (%s) at %s:%d but Django's check --deploy does not", f.Rule, m.setting, filepath.Base(f.File), f.Line)
				}
			}
			if name == "clean" {
				if len(django) != 0 {
					t.Errorf("Django finds problems in the clean project: %v", ids)
				}
				if len(fs) != 0 {
					t.Errorf("crossgate finds %d problems in the clean project", len(fs))
				}
			}
			if name == "seedlike" {
				for _, want := range []string{"DEBUG", "SECRET_KEY", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT"} {
					if !django[want] {
						t.Errorf("seedlike: Django no longer reports %s; the fixture lost its point", want)
					}
				}
			}
		})
	}
}
