package exposure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetectErrorPages(t *testing.T) {
	cases := []struct {
		file, contentType string
		rule              ErrorType // empty: nothing may be reported
		fw, kind          string
		format            string
		excerpt           string // must appear in the excerpt
	}{
		{"django-500.html", "text/html; charset=utf-8", DebugPage, "django", "technical-500", "html", "ZeroDivisionError at /api/orders/7/"},
		{"django-500.txt", "text/plain; charset=utf-8", DebugPage, "django", "technical-500", "text", "ZeroDivisionError at /api/orders/7/"},
		{"django-500.txt", "", DebugPage, "django", "technical-500", "text", "ZeroDivisionError"},
		{"django-404.html", "text/html", DebugPage, "django", "technical-404", "html", "Using the URLconf defined in shop.urls"},
		{"django-disallowedhost.txt", "text/plain", DebugPage, "django", "disallowed-host", "text", "DisallowedHost at /"},
		{"werkzeug.html", "text/html", DebugPage, "werkzeug", "debugger", "html", "KeyError"},
		{"python-traceback.txt", "text/plain", StackTrace, "python", "traceback", "text", "LookupError: no such user"},
		{"java-trace.txt", "text/plain", StackTrace, "java", "stack-trace", "text", "UserController.java:42"},
		{"express-trace.html", "text/html", StackTrace, "express", "stack-trace", "html", "users.js:14:22"},
		{"spring-whitelabel.html", "text/html", DebugPage, "spring", "whitelabel", "html", "Whitelabel"},
		{"rails.html", "text/html", DebugPage, "rails", "technical-500", "html", "Action Controller"},
		{"neg-404.json", "application/json", "", "", "", "", ""},
		{"neg-problem.json", "application/problem+json", "", "", "", "", ""},
		{"neg-blog.html", "text/html", "", "", "", "", ""},
		{"neg-prod-400.html", "text/html", "", "", "", "", ""},
		{"neg-prod-404.html", "text/html", "", "", "", "", ""},
	}
	for _, c := range cases {
		body, err := os.ReadFile(filepath.Join("testdata", "errorpages", c.file))
		if err != nil {
			t.Fatal(err)
		}
		got := DetectErrorPages(body, c.contentType)
		if c.rule == "" {
			if len(got) != 0 {
				t.Errorf("%s: want nothing, got %+v", c.file, got)
			}
			continue
		}
		if len(got) != 1 {
			t.Errorf("%s: want one result, got %+v", c.file, got)
			continue
		}
		g := got[0]
		if g.Type != c.rule || g.Framework != c.fw || g.Kind != c.kind || g.Format != c.format || !strings.Contains(g.Excerpt, c.excerpt) {
			t.Errorf("%s: got %+v, want rule=%s fw=%s kind=%s format=%s excerpt~%q", c.file, g, c.rule, c.fw, c.kind, c.format, c.excerpt)
		}
	}
}

func TestDjangoFooterVariants(t *testing.T) {
	base := "<html><body><h1>Page not found (404)</h1><p>Using the URLconf defined in <code>x.urls</code>, Django tried these URL patterns</p><p>%s</p></body></html>"
	for _, footer := range []string{
		"You’re seeing this error because you have <code>DEBUG = True</code> in your Django settings file.",
		"You're seeing this\n   error because you have\n <code>DEBUG = True</code>",
		"You&rsquo;re seeing this error because you have DEBUG = True in your settings.",
	} {
		got := DetectErrorPages([]byte(strings.Replace(base, "%s", footer, 1)), "text/html")
		if len(got) != 1 || got[0].Kind != "technical-404" {
			t.Errorf("footer %q: got %+v", footer, got)
		}
	}
	// Without the DEBUG footer a page titled "Page not found" is an ordinary 404.
	if got := DetectErrorPages([]byte(strings.Replace(base, "%s", "Sorry.", 1)), "text/html"); len(got) != 0 {
		t.Errorf("no footer: got %+v", got)
	}
}

func TestErrorPageExcerptRedacted(t *testing.T) {
	body := "ValueError at /login/\nbad token ghp_FAKE0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0u\n\nRequest Method: POST\nDjango Version: 4.2.1\nTraceback (most recent call last):\n"
	body = strings.Replace(body, "ValueError at /login/\nbad token ", "ValueError at /login/ ghp_FAKE0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0u\n", 1)
	got := DetectErrorPages([]byte(body), "text/plain")
	if len(got) != 1 {
		t.Fatalf("got %+v", got)
	}
	if strings.Contains(got[0].Excerpt, "ghp_FAKE0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0u") {
		t.Errorf("excerpt leaks the token: %q", got[0].Excerpt)
	}
}

func TestInternalPath(t *testing.T) {
	got := DetectErrorPages([]byte(`{"error": "open /var/www/app/config/settings.yml: permission denied"}`), "application/json")
	if len(got) != 1 || got[0].Kind != "internal-path" || !strings.Contains(got[0].Excerpt, "/var/www/app/config/settings.yml") {
		t.Errorf("got %+v", got)
	}
	for _, neg := range []string{`{"avatar": "https://cdn.fake/var/www/a.png"}`, `see /usr/share/doc for details`, `{"path": "/api/v1/users/7"}`} {
		if got := DetectErrorPages([]byte(neg), "application/json"); len(got) != 0 {
			t.Errorf("%s: got %+v", neg, got)
		}
	}
}

func readFixture(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", "errorpages", name))
}

func TestOtherFrameworks(t *testing.T) {
	cases := []struct {
		name, body, ct string
		rule           ErrorType
		fw, kind       string
	}{
		{"go panic", "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/home/dev/app/main.go:8 +0x1d\n", "text/plain", StackTrace, "go", "panic"},
		{"php fatal", "<br />\n<b>Fatal error</b>:  Uncaught Error: Call to undefined function foo() in /var/www/html/index.php:3 on line <b>3</b><br />", "text/html", StackTrace, "php", "fatal-error"},
		{"aspnet", "<html><head><title>Runtime Error</title></head><body><h1>Server Error in '/' Application.</h1><b>Stack Trace:</b><pre>[NullReferenceException]</pre><b>Version Information:</b> Microsoft .NET Framework Version:4.0</body></html>", "text/html", DebugPage, "aspnet", "yellow-screen"},
		{"laravel", "<html><head><title>Whoops! There was an error.</title></head><body>Whoops! There was an error. Illuminate\\Database\\QueryException</body></html>", "text/html", DebugPage, "laravel", "technical-500"},
		{"dotnet frame", "System.NullReferenceException: Object reference not set\n   at Api.Controllers.Users.Get(Int32 id) in C:\\src\\Api\\Controllers\\Users.cs:line 42\n", "text/plain", StackTrace, "aspnet", "stack-trace"},
		{"traceback in json", `{"error": "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 3, in get\nKeyError: 'x'"}`, "application/json", StackTrace, "python", "traceback"},
	}
	for _, c := range cases {
		got := DetectErrorPages([]byte(c.body), c.ct)
		if len(got) != 1 || got[0].Type != c.rule || got[0].Framework != c.fw || got[0].Kind != c.kind {
			t.Errorf("%s: got %+v", c.name, got)
		}
	}
}

// Django masks settings whose names look secret, but not DATABASE_URL:
// the secret catalogue must find the password on the debug page, and
// nothing else there (the masked values are placeholders).
func TestDebugPageSecrets(t *testing.T) {
	b, err := readFixture("django-500.html")
	if err != nil {
		t.Fatal(err)
	}
	ms := Scan(b)
	if len(ms) != 1 || ms[0].Detector != "database-url" || ms[0].Value != "FakeDbPassw0rd42" {
		t.Errorf("got %+v", ms)
	}
	b, _ = readFixture("django-500.txt")
	if ms := Scan(b); len(ms) != 0 {
		t.Errorf("plain-text page has only masked values, got %+v", ms)
	}
}
