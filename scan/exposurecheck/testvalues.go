package exposurecheck

import (
	"fmt"
	"strings"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/prose"
	"github.com/crossgate/crossgate/probe"
)

// testValueFinding reports a response whose only personal-data look-alikes are known test
// values (a processor's test card, an advertised SSN, an example.com address) as
// pii-in-response at low: the evidence shows them, so the report says what they are instead
// of staying silent. They do not raise any other finding (Facts.Sensitivity ignores them).
func (r *sweep) testValueFinding() (finding.Finding, bool) {
	var proof *probe.Exchange
	var ms []exposure.Match
	for _, ex := range []*probe.Exchange{r.env.Facts.Baseline, r.env.Facts.Anonymous} {
		if !ex.OK() || ex.Status >= 400 || skipContent(ex.Header.Get("Content-Type")) {
			continue
		}
		if found := exposure.TestValues(ex.Body); len(found) > 0 {
			proof, ms = ex, found
			break
		}
	}
	if proof == nil {
		return finding.Finding{}, false
	}
	seen := map[string]bool{}
	var kinds []string
	spans := make([]span, 0, len(ms))
	for _, m := range ms {
		if !seen[m.Label] {
			seen[m.Label] = true
			kinds = append(kinds, m.Label)
		}
		spans = append(spans, span{Start: m.Start, End: m.End, Value: m.Value})
	}
	f := finding.New(rulePIIInResponse.ID)
	f.Detail = fmt.Sprintf("The response body carries a known test value (%s): published test data such as 4111 1111 1111 1111, 219-09-9999 or an example.com address, not a real person's.", prose.JoinAnd(kinds))
	f.SetSeverity(finding.Low, "known test value ("+strings.Join(kinds, ", ")+"): no real person's data, but test data in a live response suggests fixtures or a test mode reached production.")
	f.Evidence = r.evidence(proof, spans)
	f.Remediation = remediationSensitive(exposure.PII, stack(r.env))
	r.stamp(&f, "test-values")
	return f, true
}
