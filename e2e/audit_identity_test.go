package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/audit"
)

// A map that falls back to the client's own header is a passthrough (issue 10, item 12):
// against the real nginx, a client without a certificate sends X-SSL-Client-S-DN and Django
// receives it, and the audit of that same nginx.conf reports
// nginx-identity-headers-not-cleared naming the map. The same map with an empty default
// passes nothing, and the audit stays silent. Both sides of each claim are checked on the
// running stack, so neither the rule nor its false-positive guard is a guess about nginx.
func TestAuditIdentityMapPassthroughRealNginx(t *testing.T) {
	for _, c := range []struct {
		name, fallback string
		passes         bool
	}{
		{"default is the client's header", "$http_x_ssl_client_s_dn", true},
		{"default is empty", `""`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := StartStack(t, StackConfig{Name: "audit-map", Verify: "optional", Headers: HeadersRemedy,
				HTTPExtra: "    map $ssl_client_verify $client_dn {\n        SUCCESS $ssl_client_s_dn;\n        default " + c.fallback + ";\n    }\n",
				ServerExtra: "        location / {\n            proxy_set_header Host $host;\n" +
					"            proxy_set_header X-SSL-Client-S-DN $client_dn;\n" +
					"            proxy_set_header X-SSL-Client-Verify $ssl_client_verify;\n" +
					"            proxy_pass " + PlaceholderUpstream + ";\n        }\n"})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			// What the real nginx does with a client-sent header and no certificate.
			code, _, body, err := s.Get(ctx, nil, "/api/whoami-headers", "X-SSL-Client-S-DN", "CN=mallory,O=Example")
			if err != nil || code != 200 {
				t.Fatalf("GET whoami-headers: %d %v %s", code, err, body)
			}
			var meta map[string]string
			if err := json.Unmarshal([]byte(body), &meta); err != nil {
				t.Fatalf("whoami-headers: %v: %s", err, body)
			}
			if got := meta["HTTP_X_SSL_CLIENT_S_DN"] == "CN=mallory,O=Example"; got != c.passes {
				t.Fatalf("nginx passed the client's header: %v, want %v (Django saw %v)", got, c.passes, meta)
			}
			// With alice's certificate the verified subject arrives either way.
			_, _, body, err = s.Get(ctx, s.Identity("alice"), "/api/whoami-headers", "X-SSL-Client-S-DN", "CN=mallory,O=Example")
			if err != nil || !strings.Contains(body, "CN=alice,O=Example") {
				t.Fatalf("with alice's certificate: %v %s", err, body)
			}

			// What the audit says about the same file.
			rep, err := audit.Run(ctx, []string{s.NginxConf}, audit.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var found []string
			for _, f := range rep.Findings {
				if f.Rule == "nginx-identity-headers-not-cleared" {
					found = append(found, f.Detail)
				}
			}
			if c.passes && (len(found) != 1 || !strings.Contains(found[0], "map $ssl_client_verify $client_dn") || !strings.Contains(found[0], "$http_x_ssl_client_s_dn")) {
				t.Errorf("audit: want one finding naming the map and the client's header, got %q", found)
			}
			if !c.passes && len(found) != 0 {
				t.Errorf("audit: the empty default passes nothing on the real nginx, yet: %q", found)
			}
		})
	}
}
