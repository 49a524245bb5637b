// Package testpki mints throw-away certificate authorities and leaf certificates in memory,
// for tests, the demo and the minted probe identities. Nothing here is ever written to disk
// unless a caller asks (WriteFiles), and no private key is ever committed to the repository.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CA is a certificate authority that can issue leaves.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	PEM  []byte
}

// Leaf is an issued certificate with its key, in the forms callers need.
type Leaf struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte // leaf first, then the issuing CA unless self-signed
	KeyPEM  []byte // PKCS#8
	TLS     tls.Certificate
}

// Options tweak a leaf. The zero value gives a one-day client certificate.
type Options struct {
	Subject   pkix.Name
	DNSNames  []string
	IPs       []net.IP
	NotBefore time.Time // default: an hour ago
	NotAfter  time.Time // default: a day from NotBefore
	Server    bool      // server auth EKU instead of client auth
}

func newKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("testpki: ecdsa: %v", err))
	}
	return k
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err)
	}
	return n
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// NewCA mints a self-signed CA with the given common name.
func NewCA(commonName string) *CA {
	key := newKey()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"crossgate test PKI"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic(fmt.Sprintf("testpki: create CA: %v", err))
	}
	cert, _ := x509.ParseCertificate(der)
	return &CA{Cert: cert, Key: key, PEM: pemBlock("CERTIFICATE", der)}
}

// Pool returns a cert pool holding only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// Issue signs a leaf with this CA.
func (ca *CA) Issue(o Options) *Leaf { return issue(o, ca) }

// SelfSigned mints a self-signed leaf (its own issuer, not a CA).
func SelfSigned(o Options) *Leaf { return issue(o, nil) }

// Server issues a server certificate for loopback (127.0.0.1, ::1, localhost) plus names.
func (ca *CA) Server(names ...string) *Leaf {
	return ca.Issue(Options{
		Subject:  pkix.Name{CommonName: "localhost"},
		DNSNames: append([]string{"localhost"}, names...),
		IPs:      []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		Server:   true,
	})
}

// Client issues a client certificate with the given common name and organization.
func (ca *CA) Client(commonName string, org ...string) *Leaf {
	return ca.Issue(Options{Subject: pkix.Name{CommonName: commonName, Organization: org}})
}

func issue(o Options, ca *CA) *Leaf {
	key := newKey()
	nb := o.NotBefore
	if nb.IsZero() {
		nb = time.Now().Add(-time.Hour)
	}
	na := o.NotAfter
	if na.IsZero() {
		na = nb.Add(25 * time.Hour)
	}
	eku := x509.ExtKeyUsageClientAuth
	if o.Server {
		eku = x509.ExtKeyUsageServerAuth
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      o.Subject,
		DNSNames:     o.DNSNames,
		IPAddresses:  o.IPs,
		NotBefore:    nb,
		NotAfter:     na,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{eku},
	}
	parent, signer := tmpl, crypto.Signer(key)
	if ca != nil {
		parent, signer = ca.Cert, ca.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		panic(fmt.Sprintf("testpki: create leaf: %v", err))
	}
	cert, _ := x509.ParseCertificate(der)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	l := &Leaf{Cert: cert, Key: key, CertPEM: pemBlock("CERTIFICATE", der), KeyPEM: pemBlock("PRIVATE KEY", keyDER)}
	chain := [][]byte{der}
	if ca != nil {
		l.CertPEM = append(l.CertPEM, ca.PEM...)
		chain = append(chain, ca.Cert.Raw)
	}
	l.TLS = tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: cert}
	return l
}

// WriteFiles writes the leaf as dir/name.crt and dir/name.key (0600) and returns the paths.
func (l *Leaf) WriteFiles(dir, name string) (certPath, keyPath string, err error) {
	certPath = filepath.Join(dir, name+".crt")
	keyPath = filepath.Join(dir, name+".key")
	if err = os.WriteFile(certPath, l.CertPEM, 0o644); err != nil {
		return
	}
	err = os.WriteFile(keyPath, l.KeyPEM, 0o600)
	return
}

// WriteFile writes the CA certificate as dir/name.crt.
func (ca *CA) WriteFile(dir, name string) (string, error) {
	p := filepath.Join(dir, name+".crt")
	return p, os.WriteFile(p, ca.PEM, 0o644)
}

// LoopbackIPs are the addresses a loopback server certificate names.
func LoopbackIPs() []net.IP { return []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")} }
