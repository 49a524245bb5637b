package scan

import (
	"crypto/x509"

	"github.com/crossgate/crossgate/internal/credfile"
	"github.com/crossgate/crossgate/probe"
)

// InputError is a problem with what the user gave (a file, a flag value), with a hint on
// how to fix it. The CLI prints both and exits 2.
type InputError = credfile.InputError

func inputErr(hint, format string, a ...any) error { return credfile.InputErr(hint, format, a...) }

// LoadIdentity reads a client identity: certPath and keyPath as PEM, or one PEM file holding
// both (keyPath empty), or a PKCS#12 bundle (.p12/.pfx) with password pass.
func LoadIdentity(name, certPath, keyPath, pass string) (*probe.Identity, error) {
	return credfile.LoadIdentity(name, certPath, keyPath, pass)
}

// LoadCAs reads PEM CA certificates to verify the server with (--cacert).
func LoadCAs(path string) (*x509.CertPool, error) { return credfile.LoadCAs(path) }

// LoadCACerts reads the same --cacert file as certificates, for a browser's trust store.
func LoadCACerts(path string) ([]*x509.Certificate, error) {
	_, certs, err := credfile.LoadCACerts(path)
	return certs, err
}
