package probe

import (
	"crypto/tls"
	"strings"
	"testing"
)

// Every scheme prints as a name a reader can look up, never as SignatureScheme(N).
func TestSignatureSchemeName(t *testing.T) {
	for s, want := range map[tls.SignatureScheme]string{
		tls.PSSWithSHA256: "PSSWithSHA256", tls.Ed25519: "Ed25519", 0x0808: "ed448",
		0x0809: "rsa_pss_pss_sha256", 0x081b: "ecdsa_brainpoolP384r1tls13_sha384", 0x0905: "mldsa65",
		0xfe00: "0xfe00 (unassigned)",
	} {
		if got := SignatureSchemeName(s); got != want {
			t.Errorf("%#04x: %q, want %q", uint16(s), got, want)
		}
	}
	for s := 0; s <= 0xffff; s += 7 {
		if n := SignatureSchemeName(tls.SignatureScheme(s)); strings.HasPrefix(n, "SignatureScheme(") {
			t.Fatalf("%#04x printed as %q", s, n)
		}
	}
}
