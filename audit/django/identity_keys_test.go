package django

import (
	"strings"
	"testing"

	"github.com/crossgate/crossgate/internal/idheaders"
)

// TestIdentityKeysAreCrossgates: every identity header guard strips and the scan forges is an
// identity key in Django's META spelling and in the dashed one (a verification result is
// not), and a file that names one is never skipped by the quick look before parsing.
func TestIdentityKeysAreCrossgates(t *testing.T) {
	for _, n := range idheaders.Names {
		meta := "HTTP_" + strings.ToUpper(strings.ReplaceAll(n, "-", "_"))
		want := !strings.Contains(strings.ToUpper(n), "VERIFY")
		if got := isIdentityKey(meta); got != want {
			t.Errorf("isIdentityKey(%q) = %v, want %v", meta, got, want)
		}
		if got := isIdentityKey(n); got != want {
			t.Errorf("isIdentityKey(%q) = %v, want %v", n, got, want)
		}
		for _, src := range []string{`request.META.get("` + meta + `")`, `request.headers["` + n + `"]`} {
			if !needsCodeScan([]byte(src)) {
				t.Errorf("needsCodeScan skips %s", src)
			}
		}
	}
	for _, k := range []string{"HTTP_HOST", "HTTP_X_CLIENT_IDENTITY", "REMOTE_USER"} {
		if isIdentityKey(k) {
			t.Errorf("isIdentityKey(%q) = true", k)
		}
	}
}
