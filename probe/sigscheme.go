package probe

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// ianaSchemes names the TLS SignatureScheme code points Go's crypto/tls does not (its String
// prints "SignatureScheme(2056)" for them). Names from the IANA "TLS SignatureScheme" registry
// (RFC 8446 §4.2.3, RFC 8734 for brainpool, draft-ietf-tls-mldsa for ML-DSA).
var ianaSchemes = map[tls.SignatureScheme]string{
	0x0202: "dsa_sha1", 0x0301: "rsa_sha224", 0x0302: "dsa_sha224", 0x0303: "ecdsa_sha224",
	0x0402: "dsa_sha256", 0x0502: "dsa_sha384", 0x0602: "dsa_sha512",
	0x0420: "rsa_pkcs1_sha256_legacy", 0x0520: "rsa_pkcs1_sha384_legacy", 0x0620: "rsa_pkcs1_sha512_legacy",
	0x0808: "ed448",
	0x0809: "rsa_pss_pss_sha256", 0x080a: "rsa_pss_pss_sha384", 0x080b: "rsa_pss_pss_sha512",
	0x081a: "ecdsa_brainpoolP256r1tls13_sha256", 0x081b: "ecdsa_brainpoolP384r1tls13_sha384",
	0x081c: "ecdsa_brainpoolP512r1tls13_sha512",
	0x0904: "mldsa44", 0x0905: "mldsa65", 0x0906: "mldsa87",
}

// SignatureSchemeName names a signature scheme a server accepts for client certificates:
// Go's name where it has one, else the IANA name, else the code point in hex.
func SignatureSchemeName(s tls.SignatureScheme) string {
	if n := s.String(); !strings.HasPrefix(n, "SignatureScheme(") {
		return n
	}
	if n, ok := ianaSchemes[s]; ok {
		return n
	}
	return fmt.Sprintf("0x%04x (unassigned)", uint16(s))
}
