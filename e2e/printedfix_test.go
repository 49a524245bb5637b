package e2e

// The fix a scan of the real Django + django-cors-headers stack prints is proven on that
// stack: the stack is recognised behind nginx, the CORS and preflight fixes are
// django-cors-headers settings first (the nginx variant second), and a settings module made
// of exactly the printed settings lets only the named origin read, with the named preflight
// lists.

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/remedy"
)

func init() {
	register("preflight_wide", func() StackConfig { return StackConfig{Verify: "on", Settings: "cfg_preflight_wide"} })
}

const djangoFixHead = "# settings.py (django-cors-headers)"

// printedDjangoSettings cuts the django-cors-headers settings out of a printed fix: from
// their heading to the blank line before the next variant.
func printedDjangoSettings(t *testing.T, fix string) string {
	t.Helper()
	i := strings.Index(fix, djangoFixHead)
	if i < 0 {
		t.Fatalf("the printed fix has no django-cors-headers settings:\n%s", fix)
	}
	rest := fix[i:]
	if j := strings.Index(rest, "\n\n"); j >= 0 {
		rest = rest[:j+1]
	}
	if strings.Contains(rest, "add_header") || strings.Contains(rest, "map $http_origin") {
		t.Fatalf("could not separate the settings from the nginx variant:\n%s", rest)
	}
	return rest
}

func TestPrintedDjangoFixOnRealStack(t *testing.T) {
	want := remedy.Stack{App: remedy.Django, CORS: remedy.DjangoCORSHeaders, Proxy: remedy.Nginx}

	rep, _ := scanStack(t, shared(t, "allow_all"), scanCase{origins: []string{appOrigin}})
	if got := rep.Targets[0].Stack; got != want.String() {
		t.Errorf("allow_all: stack %q, want %q", got, want)
	}
	cors := only(t, rep, "cors-wildcard-on-mtls")
	d, n := strings.Index(cors.Remediation, djangoFixHead), strings.Index(cors.Remediation, "map $http_origin")
	if d < 0 || n < d {
		t.Fatalf("cors-wildcard-on-mtls: want the django-cors-headers settings, then the nginx variant:\n%s", cors.Remediation)
	}

	rep, _ = scanStack(t, shared(t, "preflight_wide"), scanCase{origins: []string{appOrigin}})
	pre := only(t, rep, "cors-permissive-preflight")
	for _, w := range []string{"CORS_ALLOW_METHODS = [\"GET\"]", "CORS_ALLOW_HEADERS = [", "CORS_PREFLIGHT_MAX_AGE = 600", "add_header Access-Control-Allow-Methods"} {
		if !strings.Contains(pre.Remediation, w) {
			t.Errorf("cors-permissive-preflight fix lacks %q:\n%s", w, pre.Remediation)
		}
	}
	if pre.Severity == finding.Info {
		t.Errorf("cors-permissive-preflight at info")
	}

	// The printed settings, byte for byte, over the seed's allow-all and wide preflight.
	module := "from xg.cfg_preflight_wide import *  # noqa: F401,F403\n\n" +
		printedDjangoSettings(t, cors.Remediation) + "\n" + printedDjangoSettings(t, pre.Remediation)
	s := StartStack(t, StackConfig{Name: "printed_fix", Verify: "on", Settings: "cfg_printed",
		Files: map[string]string{"xg/cfg_printed.py": module}})
	alice := s.Identity("alice")
	if status, h, body := mustGet(t, s, alice, "/api/profile", "Origin", appOrigin); status != http.StatusOK || h.Get("Access-Control-Allow-Origin") != appOrigin {
		t.Errorf("named origin: HTTP %d, ACAO %q (%q), want 200 and %s", status, h.Get("Access-Control-Allow-Origin"), body, appOrigin)
	}
	for _, o := range []string{"https://evil.example", "null", "http://app.example.com", "https://app.example.com.evil.example"} {
		if _, h, _ := mustGet(t, s, alice, "/api/profile", "Origin", o); len(h.Values("Access-Control-Allow-Origin")) != 0 {
			t.Errorf("origin %s: ACAO %q, want none", o, h.Values("Access-Control-Allow-Origin"))
		}
	}
	// The preflight answers with the printed lists, to the named origin only.
	h := preflight(t, s, appOrigin)
	for name, want := range map[string]string{"Access-Control-Allow-Origin": appOrigin, "Access-Control-Allow-Methods": "GET",
		"Access-Control-Allow-Headers": "content-type", "Access-Control-Max-Age": "600"} {
		if got := h.Get(name); got != want {
			t.Errorf("preflight from %s: %s = %q, want %q", appOrigin, name, got, want)
		}
	}
	if h := preflight(t, s, "https://evil.example"); h.Get("Access-Control-Allow-Origin") != "" || h.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("preflight from another origin is answered: %v", h)
	}
}

func preflight(t *testing.T, s *Stack, origin string) http.Header {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodOptions, s.URL("/api/profile"), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	resp, err := s.Client(s.Identity("alice")).Do(req)
	if err != nil {
		t.Fatalf("preflight from %s: %v", origin, err)
	}
	resp.Body.Close()
	return resp.Header
}
