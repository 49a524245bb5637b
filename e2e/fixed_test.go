package e2e

// The fixed configurations are built from crossgate's own remediation text (package
// remedy), so the advice the scanner prints is the advice this suite proves: nginx from
// remedy.MTLSNginx and remedy.CORSNginx, Django from remedy.MTLSDjangoMiddleware and
// remedy.CORSDjango. Only the placeholders a reader must fill in are replaced.

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/remedy"
)

var fixedOrigins = []string{appOrigin}

func init() {
	register("fixed_nginx_cors", func() StackConfig { return fixedConfig(true, "on") })
	register("fixed_django_cors", func() StackConfig { return fixedConfig(false, "on") })
	// The remedy's claim that its $ssl_client_verify check stays correct when someone
	// relaxes ssl_verify_client to optional.
	register("fixed_relaxed", func() StackConfig { return fixedConfig(true, "optional") })
}

// Placeholders in the remedy texts (a reader fills them in), and the allowlist the
// middleware ships with (alice only).
const (
	remedyClientCA = "/etc/nginx/client-ca.pem"
	remedyUpstream = "http://127.0.0.1:8000"
	remedySubjects = `ALLOWED_SUBJECTS = {"CN=alice,O=Example": "alice"}`
)

// fixedConfig renders the remedies. The nginx placeholders become the harness's own
// {{CLIENT_CA}} and {{UPSTREAM}}, which Start resolves for the stack.
func fixedConfig(corsInNginx bool, verify string) StackConfig {
	cfg := StackConfig{Headers: HeadersRemedy, Settings: "cfg_fixed", Files: map[string]string{}}
	server := remedy.MTLSNginx()
	server = strings.Replace(server, remedyClientCA, PlaceholderClientCA, 1)
	server = strings.Replace(server, remedyUpstream, PlaceholderUpstream, 1)
	if verify != "on" {
		server = strings.Replace(server, "ssl_verify_client on;", "ssl_verify_client "+verify+";", 1)
	}
	cfg.ServerExtra = indent(server)

	// The module is written byte for byte as printed. A reader lists their own users in
	// ALLOWED_SUBJECTS; the fixture adds bob from outside (xg/fixed_user.py, imported by the
	// settings before any middleware is built) rather than editing the text.
	mw := remedy.MTLSDjangoMiddleware()
	cfg.Files["xg/fixed_mtls.py"] = mw
	class := regexp.MustCompile(`(?m)^class (\w+)`).FindStringSubmatch(mw)
	attr := regexp.MustCompile(`request\.(\w+) = identity`).FindStringSubmatch(mw)
	if class != nil && attr != nil {
		cfg.Files["xg/fixed_user.py"] = fmt.Sprintf("from xg import fixed_mtls\n\n"+
			"fixed_mtls.ALLOWED_SUBJECTS[%q] = %q\n"+
			"CROSSGATE_USER_ATTR = %q\nFIXED_MIDDLEWARE = %q\n",
			"CN=bob,O=Example", "bob", attr[1], "xg.fixed_mtls."+class[1])
	}

	if corsInNginx {
		http, srv := splitMaps(remedy.CORSNginx(fixedOrigins))
		cfg.HTTPExtra, cfg.ServerExtra = indent(http), cfg.ServerExtra+"\n"+indent(srv)
		// The application is left as the seed had it (allow-all): the nginx fix alone must
		// hold, since the printed advice does not ask the reader to touch Django's settings.
		cfg.Files["xg/fixed_cors.py"] = "# The seed's setting, left in place: nginx hides it.\nCORS_ALLOW_ALL_ORIGINS = True\n"
	} else {
		cfg.Files["xg/fixed_cors.py"] = remedy.CORSDjango(fixedOrigins)
	}
	return cfg
}

// splitMaps moves the `map ... { ... }` blocks (http context) out of an nginx snippet.
func splitMaps(snippet string) (httpPart, serverPart string) {
	var h, s strings.Builder
	inMap := false
	for _, line := range strings.SplitAfter(snippet, "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trim, "map "):
			inMap = true
			h.WriteString(line)
		case inMap:
			h.WriteString(line)
			inMap = trim != "}"
		default:
			s.WriteString(line)
		}
	}
	return h.String(), s.String()
}

func indent(s string) string {
	return "        " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n        ") + "\n"
}

func TestFixedRemedyTexts(t *testing.T) {
	// If these fail, the remedy text changed shape: update the placeholders above, since a
	// fixture that silently skips the edit would test something other than the advice.
	for _, want := range []string{remedyClientCA, remedyUpstream, "ssl_verify_client on;"} {
		if !strings.Contains(remedy.MTLSNginx(), want) {
			t.Errorf("remedy.MTLSNginx() no longer contains %q", want)
		}
	}
	mw := remedy.MTLSDjangoMiddleware()
	if !strings.Contains(mw, remedySubjects) {
		t.Errorf("remedy.MTLSDjangoMiddleware() no longer contains %q", remedySubjects)
	}
	if cfg := fixedConfig(true, "on"); cfg.Files["xg/fixed_user.py"] == "" {
		t.Errorf("cannot find the middleware class or the request attribute it sets in remedy.MTLSDjangoMiddleware()")
	}
}

func TestStackFixed(t *testing.T) {
	spoof := []string{"X-SSL-Client-S-DN", "CN=alice,O=Example", "X-SSL-Client-Verify", "SUCCESS"}
	for _, config := range []string{"fixed_nginx_cors", "fixed_django_cors", "fixed_relaxed"} {
		t.Run(config, func(t *testing.T) {
			s := shared(t, config)
			status, _, body := mustGet(t, s, s.Identity("alice"), "/api/profile")
			if status != http.StatusOK || profileUser(t, body) != "alice" {
				t.Fatalf("as alice: got %d %q, want alice's profile", status, body)
			}
			if status, _, body := mustGet(t, s, s.Identity("bob"), "/api/profile"); status != http.StatusOK || profileUser(t, body) != "bob" {
				t.Errorf("as bob: got %d %q, want bob's profile", status, body)
			}
			// alice2 is not in ALLOWED_SUBJECTS: the exact match refuses her.
			if status, _, body := mustGet(t, s, s.Identity("alice2"), "/api/profile"); status != http.StatusForbidden {
				t.Errorf("as alice2: got %d %q, want 403 (exact subject match)", status, body)
			}
			wantNoCert := http.StatusBadRequest // ssl_verify_client on
			if config == "fixed_relaxed" {
				wantNoCert = http.StatusForbidden // the remedy's $ssl_client_verify check
			}
			// In both cases nginx itself refuses (its own error page), before Django runs.
			if status, _, body := mustGet(t, s, nil, "/api/profile", spoof...); status != wantNoCert || !strings.Contains(body, "<center>nginx") {
				t.Errorf("no certificate, spoofed headers: got %d %q, want nginx's own %d", status, body, wantNoCert)
			}
			if status, _, body := mustGet(t, s, throwaway("stranger", aliceSubject), "/api/profile", spoof...); status == http.StatusOK {
				t.Errorf("unknown CA with alice's subject: got %d %q", status, body)
			}
			// A spoofed subject next to a real certificate is overwritten by nginx's own.
			status, _, body = mustGet(t, s, s.Identity("bob"), "/api/whoami-headers", spoof...)
			if status != http.StatusOK || !strings.Contains(body, `"HTTP_X_SSL_CLIENT_S_DN": "CN=bob,O=Example"`) || strings.Contains(body, "CN=alice") {
				t.Errorf("bob with a spoofed alice DN: app saw %d %q", status, body)
			}
			// CORS: exactly the listed origin, one layer, nothing for others.
			_, h, _ := mustGet(t, s, s.Identity("alice"), "/api/profile", "Origin", appOrigin)
			if got := h.Values("Access-Control-Allow-Origin"); len(got) != 1 || got[0] != appOrigin {
				t.Errorf("allowed origin: ACAO = %q, want exactly [%s]", got, appOrigin)
			}
			_, h, _ = mustGet(t, s, s.Identity("alice"), "/api/profile", "Origin", "https://evil.example")
			if got := h.Values("Access-Control-Allow-Origin"); len(got) != 0 {
				t.Errorf("other origin: ACAO = %q, want none", got)
			}
			if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
				t.Errorf("Vary lacks Origin: %q", h.Values("Vary"))
			}
		})
	}
}
