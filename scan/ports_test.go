package scan

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/probe"
)

// Fingerprints leave the port out (a baseline must survive a service moving port), so two
// services on one host share fingerprints: the scan must still report each of them.
func TestTwoPortsOfOneHostBothReported(t *testing.T) {
	a := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.NoClientCert, Clean: true, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	b := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.NoClientCert, Clean: true, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	pool := x509.NewCertPool()
	pool.AddCert(a.CA.Cert)
	pool.AddCert(b.CA.Cert)
	rep, err := Run(context.Background(), Config{Targets: []string{a.URL, b.URL}, Probe: probe.Config{RootCAs: pool, Rate: -1}})
	if err != nil {
		t.Fatal(err)
	}
	byURL := map[string]string{}
	for _, f := range rep.Findings {
		if f.Rule == "cors-wildcard" {
			byURL[f.URL] = f.Fingerprint
		}
	}
	if len(byURL) != 2 || byURL[a.URL] == "" || byURL[a.URL] != byURL[b.URL] {
		t.Errorf("want cors-wildcard at %s and %s with one fingerprint, got %v", a.URL, b.URL, byURL)
	}
}
