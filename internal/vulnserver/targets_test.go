package vulnserver

import (
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"
)

func client(s *Server, withCert bool) *http.Client {
	cfg := &tls.Config{RootCAs: s.CA.Pool()}
	if withCert {
		cfg.Certificates = []tls.Certificate{s.Client.TLS}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}

func get(t *testing.T, c *http.Client, method, url string, h map[string]string) (*http.Response, string, error) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), nil
}

func TestClientAuthModes(t *testing.T) {
	required := StartT(t, Config{ClientAuth: tls.RequireAndVerifyClientCert})
	if _, _, err := get(t, client(required, false), "GET", required.URL, nil); err == nil {
		t.Error("RequireAndVerifyClientCert: request without a certificate succeeded")
	}
	resp, body, err := get(t, client(required, true), "GET", required.URL, nil)
	if err != nil || resp.StatusCode != 200 || body != ProfileBody {
		t.Fatalf("with the client certificate: %v %v %q", err, resp, body)
	}

	optional := StartT(t, Config{ClientAuth: tls.VerifyClientCertIfGiven, Clean: true})
	if resp, body, err := get(t, client(optional, false), "GET", optional.URL, nil); err != nil || resp.StatusCode != 200 || body != CleanBody {
		t.Fatalf("optional without a certificate: %v %q", err, body)
	}

	nginx := StartT(t, Config{HTTPReject: true, Policy: Policy{Kind: Wildcard}})
	resp, body, err = get(t, client(nginx, false), "GET", nginx.URL, map[string]string{"Origin": "https://evil.example"})
	if err != nil || resp.StatusCode != 400 || !strings.Contains(body, "No required SSL certificate was sent") {
		t.Fatalf("HTTP-level rejection: %v %v %q", err, resp, body)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("RejectPolicy nil must reuse Policy on the 400 page (add_header always)")
	}
	if resp, _, _ := get(t, client(nginx, true), "GET", nginx.URL, nil); resp == nil || resp.StatusCode != 200 {
		t.Errorf("HTTP-level rejection with a certificate: %v", resp)
	}
	if nginx.Requests() != 2 {
		t.Errorf("Requests() = %d, want 2", nginx.Requests())
	}
}

func TestPolicies(t *testing.T) {
	const trusted = "https://app.example.com"
	for _, tc := range []struct {
		p       Policy
		allow   []string
		deny    []string
		acaoFor string // when not the origin itself
	}{
		{p: Policy{Kind: None}, deny: []string{trusted}},
		{p: Policy{Kind: Wildcard}, allow: []string{"https://evil.example", "null"}, acaoFor: "*"},
		{p: Policy{Kind: Reflect}, allow: []string{"https://evil.example", "null"}},
		{p: Policy{Kind: Allowlist, Origins: []string{trusted}}, allow: []string{trusted}, deny: []string{"https://APP.example.com", trusted + ":443", "null"}},
		{p: Policy{Kind: NullAllowed, Origins: []string{trusted}}, allow: []string{trusted, "null"}, deny: []string{"https://evil.example"}},
		// re.match: anchored at the start only.
		{p: Policy{Kind: Regex, Pattern: `https://app.example.com`}, allow: []string{trusted + ".evil.example", "https://appxexample.com"}, deny: []string{"https://x" + "app.example.com"}},
		{p: Policy{Kind: Prefix, Origins: []string{trusted}}, allow: []string{trusted + ".evil.example"}, deny: []string{"https://evilapp.example.com"}},
		{p: Policy{Kind: Suffix, Origins: []string{"example.com"}}, allow: []string{"https://evil-example.com"}, deny: []string{trusted + ".evil.example"}},
		{p: Policy{Kind: Substring, Origins: []string{"app.example.com"}}, allow: []string{"https://xapp.example.comx.example"}, deny: []string{"https://example.com"}},
	} {
		re, err := compile(tc.p)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range tc.allow {
			acao, ok := allowed(tc.p, re, o)
			want := o
			if tc.acaoFor != "" {
				want = tc.acaoFor
			}
			if !ok || acao != want {
				t.Errorf("%s: %s not allowed (acao %q)", tc.p.Kind, o, acao)
			}
		}
		for _, o := range tc.deny {
			if _, ok := allowed(tc.p, re, o); ok {
				t.Errorf("%s: %s allowed", tc.p.Kind, o)
			}
		}
	}
	if _, err := Start(Config{Policy: Policy{Kind: Regex, Pattern: "("}}); err == nil {
		t.Error("bad pattern accepted")
	}
	if _, err := Start(Config{Policy: Policy{Kind: Kind(99)}}); err == nil {
		t.Error("unknown kind accepted")
	}
}

func TestKnobs(t *testing.T) {
	s := StartT(t, Config{ClientAuth: tls.VerifyClientCertIfGiven, Cookies: true, ServerHeader: "nginx/1.22.1", Policy: Policy{
		Kind: Allowlist, Origins: []string{"https://app.example.com"}, Credentials: true, CredentialsOnDisallowed: true,
		DuplicateACAO: true, OmitVary: true, PermissivePreflight: true, PrivateNetwork: true, ExposeHeaders: []string{"X-Token"},
	}})
	c := client(s, true)
	resp, _, err := get(t, c, "GET", s.URL, map[string]string{"Origin": "https://evil.example"})
	if err != nil {
		t.Fatal(err)
	}
	h := resp.Header
	if h.Get("Access-Control-Allow-Credentials") != "true" || len(h.Values("Access-Control-Allow-Origin")) != 1 || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("disallowed origin: want ACAC true and only the proxy's *, got %v", h)
	}
	if h.Get("Vary") != "Cookie" || len(resp.Cookies()) != 2 || h.Get("Server") != "nginx/1.22.1" {
		t.Errorf("cookies/vary/server: %v", h)
	}
	resp, _, _ = get(t, c, "GET", s.URL, map[string]string{"Origin": "https://app.example.com"})
	if got := resp.Header.Values("Access-Control-Allow-Origin"); len(got) != 2 || resp.Header.Get("Access-Control-Expose-Headers") != "X-Token" {
		t.Errorf("allowed origin: want two ACAO lines and ACEH, got %v", resp.Header)
	}
	resp, body, _ := get(t, c, "OPTIONS", s.URL, map[string]string{"Origin": "https://app.example.com",
		"Access-Control-Request-Method": "CROSSGATE", "Access-Control-Request-Headers": "x-a,x-b", "Access-Control-Request-Private-Network": "true"})
	h = resp.Header
	if resp.StatusCode != 200 || body != "" || h.Get("Access-Control-Allow-Methods") != "CROSSGATE" || h.Get("Access-Control-Allow-Headers") != "x-a,x-b" ||
		h.Get("Access-Control-Max-Age") != "1000000" || h.Get("Access-Control-Allow-Private-Network") != "true" {
		t.Errorf("permissive preflight: %d %q %v", resp.StatusCode, body, h)
	}

	django := StartT(t, Config{Policy: Policy{Kind: Allowlist, Origins: []string{"https://app.example.com"}}})
	resp, _, _ = get(t, client(django, false), "OPTIONS", django.URL, map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"})
	if resp.Header.Get("Vary") != "Origin" || resp.Header.Get("Access-Control-Max-Age") != "86400" || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "PUT") {
		t.Errorf("django-like preflight: %v", resp.Header)
	}
}

// A proxy that answers preflights with its own policy, and an app that shows anonymous callers
// less than certificate holders.
func TestPreflightPolicyAndAnonymousBody(t *testing.T) {
	s := StartT(t, Config{ClientAuth: tls.VerifyClientCertIfGiven, AnonymousBody: `{"user":null}`,
		Policy:          Policy{Kind: Allowlist, Origins: []string{"https://app.example.com"}},
		PreflightPolicy: &Policy{Kind: ReflectCredentials}})
	evil := map[string]string{"Origin": "https://evil.example"}
	resp, body, err := get(t, client(s, true), "GET", s.URL, evil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "" || body != ProfileBody {
		t.Errorf("GET with a certificate: want the profile and no ACAO, got %q %v", body, resp.Header)
	}
	resp, body, _ = get(t, client(s, false), "GET", s.URL, evil)
	if body != `{"user":null}` {
		t.Errorf("GET without a certificate: want the anonymous body, got %q", body)
	}
	resp, _, _ = get(t, client(s, true), "OPTIONS", s.URL, map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"})
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://evil.example" || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("preflight: want the proxy's reflection with credentials, got %v", resp.Header)
	}
	if _, err := Start(Config{PreflightPolicy: &Policy{Kind: Regex, Pattern: "("}}); err == nil {
		t.Error("bad preflight pattern accepted")
	}
}
