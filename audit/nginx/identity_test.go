package nginx

import (
	"strings"
	"testing"

	"github.com/crossgate/crossgate/internal/idheaders"
)

// TestIdentityHeadersAreCrossgates: the audit knows every identity header guard strips and
// the scan forges, in nginx's spelling and WSGI's, and still reads home-grown names.
func TestIdentityHeadersAreCrossgates(t *testing.T) {
	for _, n := range idheaders.Names {
		for _, spelling := range []string{n, strings.ToLower(n), strings.ReplaceAll(n, "-", "_")} {
			if !IsIdentityHeader(spelling) {
				t.Errorf("IsIdentityHeader(%q) = false", spelling)
			}
		}
	}
	for _, fam := range idheaders.Families {
		for _, f := range fam.Fields {
			if !IsIdentityHeader(f.Name) {
				t.Errorf("IsIdentityHeader(%q) = false for a header the scan forges", f.Name)
			}
		}
	}
	for name, want := range map[string]bool{"X-Acme-Client-Cert-Subject": true, "X-Client-Identity": false, "Host": false} {
		if got := IsIdentityHeader(name); got != want {
			t.Errorf("IsIdentityHeader(%q) = %v, want %v", name, got, want)
		}
	}
}
