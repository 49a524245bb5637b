package guard

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNormalizeOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://App.Example.com":      "https://app.example.com",
		"https://app.example.com:443":  "https://app.example.com",
		"https://app.example.com:8443": "https://app.example.com:8443",
		"http://localhost:3000/":       "http://localhost:3000",
		"*":                            "",
		"null":                         "",
		"https://*.example.com":        "",
		"https://app.example.com/path": "",
		"app.example.com":              "",
	} {
		got, err := NormalizeOrigin(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestCORS runs requests through the middleware in front of an app that answers with
// allow-all CORS headers (django-cors-headers' CORS_ALLOW_ALL_ORIGINS with credentials).
func TestCORS(t *testing.T) {
	strict, err := NewCORS(CORSConfig{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"Content-Type"}, MaxAge: 600})
	if err != nil {
		t.Fatal(err)
	}
	withCreds, _ := NewCORS(CORSConfig{AllowOrigins: []string{"https://app.example.com"}, AllowCredentials: true})
	f := newFixture(t, nil) // for a verified certificate in r.TLS
	leaf := f.leaves["alice"]
	ids, _ := ParseIdentities([]byte("identities:\n  - user: alice\n    subject: \"CN=alice,O=Example\"\n"))
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		w.Header().Set("access-control-expose-headers", "X-Secret")
		w.Header().Set("Vary", "Accept-Encoding")
		w.Write([]byte("data"))
	})
	cases := []struct {
		name                 string
		cors                 *CORS
		method, origin       string
		reqHeaders           map[string]string
		status               int
		acao, acac, acam     string
		upstreamCalled, vary bool
	}{
		{name: "allowed origin", cors: strict, method: "GET", origin: "https://app.example.com", status: 200, acao: "https://app.example.com", upstreamCalled: true},
		{name: "other origin: upstream's reflection removed", cors: strict, method: "GET", origin: "https://evil.example", status: 200, upstreamCalled: true},
		{name: "null origin", cors: strict, method: "GET", origin: "null", status: 200, upstreamCalled: true},
		{name: "prefix of an allowed origin", cors: strict, method: "GET", origin: "https://app.example.com.evil.example", status: 200, upstreamCalled: true},
		{name: "credentials only when configured", cors: withCreds, method: "GET", origin: "https://app.example.com", status: 200, acao: "https://app.example.com", acac: "true", upstreamCalled: true},
		{name: "no CORS configured", cors: nil, method: "GET", origin: "https://app.example.com", status: 200, upstreamCalled: true},
		{name: "preflight allowed", cors: strict, method: "OPTIONS", origin: "https://app.example.com",
			reqHeaders: map[string]string{"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"},
			status:     204, acao: "https://app.example.com", acam: "PUT"},
		{name: "preflight for an unlisted method", cors: strict, method: "OPTIONS", origin: "https://app.example.com",
			reqHeaders: map[string]string{"Access-Control-Request-Method": "DELETE"}, status: 204},
		{name: "preflight with an unlisted header", cors: strict, method: "OPTIONS", origin: "https://app.example.com",
			reqHeaders: map[string]string{"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-admin"}, status: 204},
		{name: "preflight from another origin", cors: strict, method: "OPTIONS", origin: "https://evil.example",
			reqHeaders: map[string]string{"Access-Control-Request-Method": "PUT"}, status: 204},
		{name: "plain OPTIONS goes upstream", cors: strict, method: "OPTIONS", origin: "", status: 200, upstreamCalled: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			h := Handler(&Policy{Identities: ids, CORS: tc.cors}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				app.ServeHTTP(w, r)
			}))
			req := httptest.NewRequest(tc.method, "https://api.example/x", nil)
			req.TLS.VerifiedChains = [][]*x509.Certificate{{leaf.Cert}}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			for k, v := range tc.reqHeaders {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != tc.status || called != tc.upstreamCalled {
				t.Fatalf("status %d, upstream called %v; want %d, %v", res.StatusCode, called, tc.status, tc.upstreamCalled)
			}
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != tc.acao {
				t.Errorf("ACAO %q, want %q", got, tc.acao)
			}
			if got := res.Header.Get("Access-Control-Allow-Credentials"); got != tc.acac {
				t.Errorf("ACAC %q, want %q", got, tc.acac)
			}
			if got := res.Header.Get("Access-Control-Allow-Methods"); got != tc.acam {
				t.Errorf("ACAM %q, want %q", got, tc.acam)
			}
			if res.Header.Get("Access-Control-Expose-Headers") != "" {
				t.Errorf("the upstream's Access-Control-Expose-Headers survived")
			}
			if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Origin") {
				t.Errorf("no Vary: Origin (Vary: %q)", res.Header.Values("Vary"))
			}
		})
	}
}

func TestNewCORSRefusesWildcards(t *testing.T) {
	for _, cfg := range []CORSConfig{
		{AllowOrigins: []string{"*"}},
		{AllowOrigins: []string{"https://a.example"}, AllowMethods: []string{"*"}},
		{AllowOrigins: []string{"https://a.example"}, AllowHeaders: []string{"*"}},
		{MaxAge: -1},
	} {
		if _, err := NewCORS(cfg); err == nil {
			t.Errorf("NewCORS(%+v) accepted", cfg)
		}
	}
}
