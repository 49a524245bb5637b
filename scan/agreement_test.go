package scan

import (
	"crypto/tls"
	"testing"

	_ "github.com/crossgate/crossgate/audit/django" // registers the django-* rules
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/vulnserver"
)

// audit and scan rate the seed's mistake alike (issue 10, item 9). audit cannot see the data,
// so its django-cors-* severities assume a client-certificate API serving personal data; scan,
// on such an API, must land on the same severity: allow-all without credentials (ACAO *) is
// read in Chromium only (high), allow-all with credentials reflects every origin with
// Access-Control-Allow-Credentials: true and is read in every browser (critical).
func TestScanAndAuditAgreeOnAllowAll(t *testing.T) {
	for _, c := range []struct {
		kind      vulnserver.Kind
		scanRule  string
		auditRule string
	}{
		{vulnserver.Wildcard, "cors-wildcard-on-mtls", "django-cors-allow-all"},
		{vulnserver.ReflectCredentials, "cors-reflect-origin-credentials", "django-cors-allow-all-credentials"},
	} {
		audit, ok := finding.Lookup(c.auditRule)
		if !ok {
			t.Fatalf("%s is not registered", c.auditRule)
		}
		srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: c.kind}})
		f, ok := rules(scanTarget(t, srv, "https://app.example.com"))[c.scanRule]
		if !ok {
			t.Fatalf("%s: %s not reported", c.kind, c.scanRule)
		}
		if f.Severity != audit.Severity {
			t.Errorf("scan rates %s at %s (%s), audit rates %s at %s", c.scanRule, f.Severity, f.SeverityReason, c.auditRule, audit.Severity)
		}
	}
}
