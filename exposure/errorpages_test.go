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
		rule, fw, kind    string // empty rule: nothing may be reported
		format            string
		excerpt           string // must appear in the excerpt
	}{
		{"django-500.html", "text/html; charset=utf-8", "error-debug-page", "django", "technical-500", "html", "ZeroDivisionError at /api/orders/7/"},
		{"django-500.txt", "text/plain; charset=utf-8", "error-debug-page", "django", "technical-500", "text", "ZeroDivisionError at /api/orders/7/"},
		{"django-500.txt", "", "error-debug-page", "django", "technical-500", "text", "ZeroDivisionError"},
		{"django-404.html", "text/html", "error-debug-page", "django", "technical-404", "html", "Using the URLconf defined in shop.urls"},
		{"django-disallowedhost.txt", "text/plain", "error-debug-page", "django", "disallowed-host", "text", "DisallowedHost at /"},
		{"werkzeug.html", "text/html", "error-debug-page", "werkzeug", "debugger", "html", "KeyError"},
		{"python-traceback.txt", "text/plain", "error-stack-trace", "python", "traceback", "text", "LookupError: no such user"},
		{"java-trace.txt", "text/plain", "error-stack-trace", "java", "stack-trace", "text", "UserController.java:42"},
		{"express-trace.html", "text/html", "error-stack-trace", "express", "stack-trace", "html", "users.js:14:22"},
		{"spring-whitelabel.html", "text/html", "error-debug-page", "spring", "whitelabel", "html", "Whitelabel"},
		{"rails.html", "text/html", "error-debug-page", "rails", "technical-500", "html", "Action Controller"},
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
		if g.Rule != c.rule || g.Framework != c.fw || g.Kind != c.kind || g.Format != c.format || !strings.Contains(g.Excerpt, c.excerpt) {
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
