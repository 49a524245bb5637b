package pki

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"
)

func TestIssuedLeavesVerify(t *testing.T) {
	ca := NewCA("test CA")
	srv := ca.Server("api.test")
	if _, err := srv.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "api.test"}); err != nil {
		t.Fatalf("server leaf: %v", err)
	}
	cli := ca.Client("alice", "Example")
	if _, err := cli.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("client leaf: %v", err)
	}
	if cli.Cert.Subject.String() != "CN=alice,O=Example" {
		t.Fatalf("subject %s", cli.Cert.Subject)
	}
	if _, err := tls.X509KeyPair(cli.CertPEM, cli.KeyPEM); err != nil {
		t.Fatalf("PEM pair: %v", err)
	}
}

func TestExpiredAndSelfSigned(t *testing.T) {
	ca := NewCA("test CA")
	old := ca.Issue(Options{Subject: pkix.Name{CommonName: "alice"}, NotBefore: time.Now().Add(-72 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	if _, err := old.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err == nil {
		t.Fatal("expired leaf verified")
	}
	self := SelfSigned(Options{Subject: pkix.Name{CommonName: "alice"}})
	if _, err := self.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err == nil {
		t.Fatal("self-signed leaf verified against an unrelated CA")
	}
	if len(self.TLS.Certificate) != 1 {
		t.Fatal("self-signed chain should hold only the leaf")
	}
}
