package corscheck

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// A finding about a read without credentials says in plain words why credentials: include
// fails (it tells the user cookies are not the way in); the evaluator's internal step names
// ("cors-check: ACAO wildcard with credentials") never reach it.
func TestNonCredentialedReadExplainsInclude(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  vulnserver.Config
		auth endpoint.AuthMode
		rule string
		want string
	}{
		{"wildcard on mTLS", vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}}, endpoint.AuthRequiredTLS,
			"cors-wildcard-on-mtls", "not with credentials: include, since a wildcard never admits a credentialed request"},
		{"public wildcard", vulnserver.Config{ClientAuth: tls.NoClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}}, endpoint.AuthNotRequested,
			"cors-wildcard", "never with credentials: include, since a wildcard never admits a credentialed request"},
		{"reflection without credentials", vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Reflect}}, endpoint.AuthOptional,
			"cors-reflect-origin", "not with credentials: include, since Access-Control-Allow-Credentials: true is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := vulnserver.StartT(t, tc.cfg)
			fs, _, _ := scanTarget(t, srv, tc.auth, scanOpts{sensitive: true})
			f, ok := ruleSet(fs)[tc.rule]
			if !ok {
				t.Fatalf("no %s in %v", tc.rule, fs)
			}
			if !strings.Contains(f.Detail, tc.want) {
				t.Errorf("%s detail lacks %q:\n%s", tc.rule, tc.want, f.Detail)
			}
			for _, g := range fs {
				if strings.Contains(g.Detail, "cors-check:") {
					t.Errorf("%s detail names an evaluator step:\n%s", g.Rule, g.Detail)
				}
			}
		})
	}
}
