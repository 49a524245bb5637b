package exposure

import (
	"testing"

	"github.com/crossgate/crossgate/finding"
)

// The masks of two runs differ (each process draws its own key); a fingerprint over text
// that carries a mask must not.
func TestMaskKeyDoesNotReachFingerprint(t *testing.T) {
	k1, k2 := []byte("run-one-key-0123456789abcdef0123"), []byte("run-two-key-fedcba9876543210fedc")
	value := "AKIAIOSFODNN7EXAMPLE"
	m1, m2 := maskWithKey(value, k1), maskWithKey(value, k2)
	if m1 == m2 {
		t.Fatal("the two keys print the same mask: the test proves nothing")
	}
	if finding.Fingerprint("secret-in-source", "", "a.py", 3, "aws|"+m1) != finding.Fingerprint("secret-in-source", "", "a.py", 3, "aws|"+m2) {
		t.Errorf("a mask in the discriminator (%s vs %s) changed the fingerprint", m1, m2)
	}
	u1 := "https://api.test:8443/x?token=REDACTED-" + digestWithKey(value, k1)
	u2 := "https://api.test:9443/x?token=REDACTED-" + digestWithKey(value, k2)
	if finding.Fingerprint("exposure-secret-in-url", u1, "", 0, "") != finding.Fingerprint("exposure-secret-in-url", u2, "", 0, "") {
		t.Errorf("the URL mask's key changed the fingerprint: %s vs %s", u1, u2)
	}
}
