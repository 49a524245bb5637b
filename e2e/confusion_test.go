package e2e

import (
	"strings"
	"testing"

	"github.com/crossgate/crossgate/report"
)

// Identity confusion is its own bug (issue 10, item 6): an app that serves a default account
// without a certificate AND maps subjects by substring has two bugs, and fixing the first
// leaves alice2 reading alice's data. Both must be reported.
func TestIdentityConfusionBesideAnonymousAccess(t *testing.T) {
	tc := scanCase{name: "optional_and_substring_mapping", config: "optional", origins: []string{appOrigin},
		extra: []string{"alice2", "bob"},
		want:  []string{"mtls-optional-not-enforced", "mtls-identity-confusion"},
		check: func(t *testing.T, rep *report.Report, _ []byte) {
			f := only(t, rep, "mtls-identity-confusion")
			if !strings.Contains(f.Detail, "alice2") {
				t.Errorf("the confusion finding does not name the confused identity: %s", f.Detail)
			}
		}}
	s := shared(t, tc.config)
	rep, raw := scanStack(t, s, tc)
	assertRules(t, rep, tc)
	tc.check(t, rep, raw)
}
