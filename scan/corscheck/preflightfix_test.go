package corscheck

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// The permissive-preflight fix names the methods and headers the API was seen to need (the
// method it answered, the non-safelisted headers the user's requests carry) and a short
// max-age, never the made-up method or header the probe got through.
func TestPreflightFixNamesWhatTheAPINeeds(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{Cookies: true, Policy: vulnserver.Policy{Kind: vulnserver.ReflectCredentials, PermissivePreflight: true}})
	for _, tc := range []struct {
		name   string
		header http.Header
		want   []string
	}{
		{"user headers", http.Header{"Authorization": {"Bearer crossgate-test"}, "X-Api-Key": {"k"}, "Accept": {"application/json"}},
			[]string{`CORS_ALLOW_METHODS = ["GET"]`, `CORS_ALLOW_HEADERS = ["authorization", "x-api-key"]`, "CORS_PREFLIGHT_MAX_AGE = 600"}},
		{"nothing observed", nil,
			[]string{`CORS_ALLOW_METHODS = ["GET"]`, `CORS_ALLOW_HEADERS = ["content-type"]`, "CORS_PREFLIGHT_MAX_AGE = 600", "example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := probe.New(probe.Config{RootCAs: srv.CA.Pool(), Scope: []string{"127.0.0.1"}, Rate: -1, Header: tc.header})
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(srv.URL)
			env := &endpoint.Env{Client: c, URL: u, User: &probe.Identity{Name: "user", Certificate: &srv.Client.TLS}}
			env.Facts.Auth = endpoint.AuthOptional
			f, ok := ruleSet(Run(context.Background(), env))["cors-permissive-preflight"]
			if !ok {
				t.Fatal("no cors-permissive-preflight")
			}
			for _, w := range tc.want {
				if !strings.Contains(f.Remediation, w) {
					t.Errorf("fix lacks %q:\n%s", w, f.Remediation)
				}
			}
			for _, n := range []string{unusualMethod, strings.ToLower(testHeader), "CORS_ALLOWED_ORIGINS"} {
				if strings.Contains(f.Remediation, n) {
					t.Errorf("fix holds %q:\n%s", n, f.Remediation)
				}
			}
		})
	}
}
