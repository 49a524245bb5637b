package remedy

import (
	"strings"
	"testing"
)

// MTLSDjango is the two proven pieces, the middleware first, and what the scan prints for an
// application-level mTLS rule on a Django target.
func TestMTLSDjango(t *testing.T) {
	fix := MTLSDjango()
	mw, ng := strings.Index(fix, MTLSDjangoMiddleware()), strings.Index(fix, MTLSNginx())
	if mw < 0 || ng < 0 || mw > ng {
		t.Errorf("MTLSDjango is not the middleware followed by the nginx fragment:\n%s", fix)
	}
	if !strings.HasSuffix(MTLS(DjangoStack, "Map subjects exactly.", InApplication), fix) {
		t.Error("MTLS for an application-level rule on Django does not end with MTLSDjango()")
	}
}
