package corscheck

import (
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// The severity model as a table (README "How severity is rated"): every row is one
// (reach, exposure, sensitive data, error page) combination.
func TestReadSeverityTable(t *testing.T) {
	const C, H, M, L, I = finding.Critical, finding.High, finding.Medium, finding.Low, finding.Info
	for _, row := range []struct {
		r         reach
		e         exposure
		sensitive bool
		errorPage bool
		want      finding.Severity
	}{
		{reachAnyPage, exposeVictim, true, false, C},
		{reachAnyPage, exposeVictim, false, false, H},
		{reachAnyPage, exposeVictimChromium, true, false, H},
		{reachAnyPage, exposeVictimChromium, false, false, M},
		{reachAnyPage, exposePublic, true, false, M},
		{reachAnyPage, exposePublic, false, false, L},
		{reachSomePages, exposeVictim, true, false, H},
		{reachSomePages, exposeVictim, false, false, M},
		{reachSomePages, exposeVictimChromium, true, false, M},
		{reachSomePages, exposeVictimChromium, false, false, L},
		{reachSomePages, exposePublic, true, false, L},
		{reachSomePages, exposePublic, false, false, I},
		{reachLocal, exposeVictim, true, false, M},
		{reachLocal, exposeVictim, false, false, L},
		{reachLocal, exposeVictimChromium, true, false, L},
		{reachLocal, exposeVictimChromium, false, false, I},
		{reachLocal, exposePublic, true, false, I},
		{reachLocal, exposePublic, false, false, I},
		// Only an error response is readable: at most low, info when public.
		{reachAnyPage, exposeVictim, true, true, L},
		{reachAnyPage, exposeVictimChromium, true, true, L},
		{reachAnyPage, exposePublic, true, true, I},
		{reachLocal, exposeVictim, false, true, L},
	} {
		if got := readSeverity(row.r, row.e, row.sensitive, row.errorPage); got != row.want {
			t.Errorf("reach %d, exposure %d, sensitive %v, error page %v: %s, want %s", row.r, row.e, row.sensitive, row.errorPage, got, row.want)
		}
	}
}

// The same exposure on the same endpoint gets the same severity whichever rule lets the page
// in: on an unauthenticated endpoint a credentialed reflection, a trusted null origin and a
// prefix, suffix or substring bypass all read what anyone can fetch.
func TestSameExposureSameSeverity(t *testing.T) {
	policies := map[string]vulnserver.Policy{
		"cors-reflect-origin-credentials": {Kind: vulnserver.ReflectCredentials},
		"cors-null-origin":                {Kind: vulnserver.NullAllowed, Origins: []string{trustedOrigin}, Credentials: true},
		"cors-prefix-bypass":              {Kind: vulnserver.Prefix, Origins: []string{trustedOrigin}, Credentials: true},
		"cors-suffix-bypass":              {Kind: vulnserver.Regex, Pattern: `^https://.*example\.com$`, Credentials: true},
		"cors-substring-bypass":           {Kind: vulnserver.Substring, Origins: []string{"app.example.com"}, Credentials: true},
		"cors-third-party-origin":         {Kind: vulnserver.Regex, Pattern: `^https://app\.example\.com$|^https://[a-z0-9-]+\.github\.io$`, Credentials: true},
	}
	for _, sensitive := range []bool{false, true} {
		want := finding.Low
		if sensitive {
			want = finding.Medium
		}
		for rule, pol := range policies {
			srv := vulnserver.StartT(t, vulnserver.Config{Policy: pol})
			fs, _, _ := scanTarget(t, srv, endpoint.AuthNotRequested, scanOpts{trusted: []string{trustedOrigin}, sensitive: sensitive})
			f, ok := ruleSet(fs)[rule]
			if !ok {
				t.Errorf("sensitive=%v: %s not reported; got %s", sensitive, rule, names(ruleSet(fs)))
				continue
			}
			if f.Severity != want {
				t.Errorf("sensitive=%v: %s at %s on an unauthenticated endpoint, want %s like every other any-page read (%s)", sensitive, rule, f.Severity, want, f.SeverityReason)
			}
		}
	}
}
