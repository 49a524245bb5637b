package probe

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

// FuzzCertificateRequestDN: the CA names a server lists in its CertificateRequest are DER
// it chose; decoding gives text or an error, never a panic, and accepts only one whole name.
func FuzzCertificateRequestDN(f *testing.F) {
	der, _ := asn1.Marshal(pkix.Name{CommonName: "Example CA", Organization: []string{"Example\x1b[2J"}}.ToRDNSequence())
	f.Add(der)
	f.Add(append(der, 0))
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := x509RDN{}.parse(b)
		if err != nil {
			if s != "" {
				t.Fatalf("text %q with error %v", s, err)
			}
			return
		}
		var seq pkix.RDNSequence
		if rest, err := asn1.Unmarshal(b, &seq); err != nil || len(rest) != 0 {
			t.Fatalf("accepted what is not one name: %v, %d bytes left", err, len(rest))
		}
	})
}
