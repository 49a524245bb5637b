package mtlscheck

import (
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/remedy"
)

// Every mTLS rule carries its own advice, and its fix text has the nginx snippet, plus the
// Django middleware exactly for the rules fixed in the application.
func TestMTLSEveryRule(t *testing.T) {
	ids := []string{"mtls-not-requested", "mtls-optional-not-enforced", "mtls-any-cert-accepted",
		"mtls-expired-cert-accepted", "mtls-header-spoofing", "mtls-identity-confusion",
		"mtls-ca-list-disclosure", "mtls-http-only-enforcement", "tls-weak-protocol"}
	for _, id := range ids {
		if r, _ := finding.Lookup(id); r.Advice == "" {
			t.Errorf("no advice for %s", id)
		}
		for _, s := range []remedy.Stack{remedy.DjangoStack, remedy.NginxStack, remedy.Generic} {
			txt := remediation(s, id)
			if !strings.Contains(txt, "ssl_verify_client on;") {
				t.Errorf("%s/%q: no nginx snippet", id, s)
			}
			app := id == "mtls-header-spoofing" || id == "mtls-identity-confusion"
			// Identity rules get the application fix on nginx targets too: behind nginx the
			// scan sees only nginx, and the subject mapping is the application's.
			if has := strings.Contains(txt, "class ClientCertificateMiddleware"); has != app {
				t.Errorf("%s/%q: Django middleware included = %v", id, s, has)
			}
		}
	}
}
