package probe

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
)

type x509RDN struct{}

// parse decodes a DER distinguished name (as carried in a CertificateRequest) to RFC 2253 text.
func (x509RDN) parse(der []byte) (string, error) {
	var seq pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &seq)
	if err != nil {
		return "", err
	}
	if len(rest) != 0 {
		return "", errors.New("trailing data after distinguished name")
	}
	var n pkix.Name
	n.FillFromRDNSequence(&seq)
	return n.String(), nil
}
