package exposurecheck

import (
	"crypto/tls"
	"net/http"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// Known test values are reported, low, and named as such (issue 10, item 7): the evidence a
// user sees (a card number, an SSN, an address) must match what the report says, never a
// silent skip.
func TestKnownTestValuesAreReportedLow(t *testing.T) {
	for name, body := range map[string]map[string]string{
		"processor test card": {"name": "Test Customer", "card_number": "4111 1111 1111 1111"},
		"advertised SSN":      {"name": "Test Customer", "ssn": "219-09-9999"},
		"example.com address": {"name": "Test Customer", "contact": "jane.doe@example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startTLS(t, tls.RequireAndVerifyClientCert, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, body) })
			fs := runChecks(t, newEnv(t, srv.URL+"/api/orders/1", envOpts{auth: endpoint.AuthRequiredTLS}))
			p := byRule(fs)["pii-in-response"]
			if len(p) != 1 {
				t.Fatalf("want one pii-in-response for the test value, got %v", rules(fs))
			}
			if p[0].Severity > finding.Low || !strings.Contains(p[0].Detail, "known test value") {
				t.Errorf("test value reported at %s: %s", p[0].Severity, p[0].Detail)
			}
		})
	}
}
