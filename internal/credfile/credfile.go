// Package credfile reads what the user points crossgate at: client identities (PEM, a PEM
// holding certificate and key, PKCS#12) and CA bundles, with errors a person can act on.
package credfile

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/crossgate/crossgate/probe"
)

// InputError is a problem with what the user gave (a file, a flag value), with a hint on
// how to fix it. The CLI prints both and exits 2.
type InputError struct {
	Msg  string
	Hint string
}

func (e *InputError) Error() string { return e.Msg }

// InputErr builds an InputError from a hint and a formatted message.
func InputErr(hint, format string, a ...any) error { return inputErr(hint, format, a...) }

func inputErr(hint, format string, a ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, a...), Hint: hint}
}

// LoadIdentity reads a client identity: certPath and keyPath as PEM, or one PEM file holding
// both (keyPath empty), or a PKCS#12 bundle (.p12/.pfx) with password pass.
func LoadIdentity(name, certPath, keyPath, pass string) (*probe.Identity, error) {
	if certPath == "" {
		return nil, inputErr("pass the certificate with --cert FILE", "no client certificate file given for identity %q", name)
	}
	certPEM, err := readFile(certPath)
	if err != nil {
		return nil, inputErr("check the path given to --cert", "cannot read client certificate %s: %v", certPath, unwrapPathErr(err))
	}
	var keyPEM []byte
	if keyPath != "" {
		if keyPEM, err = readFile(keyPath); err != nil {
			return nil, inputErr("check the path given to --key", "cannot read client key %s: %v", keyPath, unwrapPathErr(err))
		}
	}
	return Parse(name, certPath, certPEM, keyPath, keyPEM, pass)
}

// Parse builds an identity from file contents already read; the paths only name the files
// in errors and pick PKCS#12 by extension. keyPath empty means the key is in certPEM.
func Parse(name, certPath string, certPEM []byte, keyPath string, keyPEM []byte, pass string) (*probe.Identity, error) {
	ext := strings.ToLower(filepath.Ext(certPath))
	if ext == ".p12" || ext == ".pfx" || (!bytes.Contains(certPEM, []byte("-----BEGIN")) && keyPath == "") {
		return loadPKCS12(name, certPath, certPEM, pass)
	}
	if keyPath == "" {
		keyPEM = certPEM
	}
	if !hasBlock(certPEM, "CERTIFICATE") {
		return nil, inputErr("--cert takes a PEM file with a CERTIFICATE block, or a .p12/.pfx bundle",
			"%s holds no PEM certificate", certPath)
	}
	if !hasKeyBlock(keyPEM) {
		if keyPath == "" {
			return nil, inputErr("pass the key with --key, or give a PEM that holds both", "%s holds a certificate but no private key", certPath)
		}
		return nil, inputErr("--key takes a PEM private key (PKCS#1, PKCS#8 or EC); encrypted PEM keys are not supported: use a .p12 with --cert-pass",
			"%s holds no PEM private key", keyPath)
	}
	if keyFile, encrypted := encryptedKey(keyPEM); encrypted {
		return nil, inputErr("decrypt it first (openssl pkey -in KEY -out KEY-plain.pem), or bundle certificate and key as a .p12 and pass --cert-pass",
			"the private key in %s is encrypted; crossgate does not prompt for passphrases", orSame(keyPath, certPath)+keyFile)
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		if strings.Contains(err.Error(), "does not match") {
			return nil, inputErr("the key must be the one the certificate was issued for; check that --cert and --key belong together",
				"client certificate %s and key %s do not match", certPath, orSame(keyPath, certPath))
		}
		return nil, inputErr("check that both files are unencrypted PEM", "cannot load client certificate %s: %v", certPath, err)
	}
	return finish(name, &c)
}

func loadPKCS12(name, path string, data []byte, pass string) (*probe.Identity, error) {
	key, leaf, cas, err := pkcs12.DecodeChain(data, pass)
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			if pass == "" {
				return nil, inputErr("give the bundle's password with --cert-pass", "PKCS#12 bundle %s needs a password", path)
			}
			return nil, inputErr("give the bundle's password with --cert-pass", "wrong password for PKCS#12 bundle %s", path)
		}
		return nil, inputErr("--cert takes PEM, or PKCS#12 (.p12/.pfx) with --cert-pass", "cannot read %s as PKCS#12: %v", path, err)
	}
	c := tls.Certificate{PrivateKey: key, Leaf: leaf, Certificate: [][]byte{leaf.Raw}}
	for _, ca := range cas {
		c.Certificate = append(c.Certificate, ca.Raw)
	}
	return finish(name, &c)
}

func finish(name string, c *tls.Certificate) (*probe.Identity, error) {
	if c.Leaf == nil {
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		if err != nil {
			return nil, inputErr("", "cannot parse client certificate: %v", err)
		}
		c.Leaf = leaf
	}
	return &probe.Identity{Name: name, Certificate: c}, nil
}

func hasBlock(data []byte, typ string) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if b.Type == typ {
			return true
		}
	}
}

func hasKeyBlock(data []byte) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if b.Type == "PRIVATE KEY" || strings.HasSuffix(b.Type, " PRIVATE KEY") {
			return true
		}
	}
}

// encryptedKey reports a passphrase-protected PEM key: PKCS#8 "ENCRYPTED PRIVATE KEY" or the
// legacy OpenSSL form with a Proc-Type: 4,ENCRYPTED header.
func encryptedKey(data []byte) (string, bool) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return "", false
		}
		if b.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
			return "", true
		}
	}
}

func orSame(a, b string) string {
	if a == "" {
		return b
	}
	return a
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// LoadCAs reads PEM CA certificates to verify the server with (--cacert).
func LoadCAs(path string) (*x509.CertPool, error) {
	pool, _, err := LoadCACerts(path)
	return pool, err
}

// LoadCACerts reads the --cacert file as a pool to verify the server with and as the list
// of its certificates (for a browser's trust store).
func LoadCACerts(path string) (*x509.CertPool, []*x509.Certificate, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, nil, inputErr("check the path given to --cacert", "cannot read CA file %s: %v", path, unwrapPathErr(err))
	}
	return ParseCAs(path, data)
}

// ParseCAs reads the certificates of a PEM bundle already read; path only names it in
// errors. Blocks that are not certificates, and certificates that do not parse, are
// skipped, as crypto/x509's AppendCertsFromPEM does; a bundle with none is an error.
func ParseCAs(path string, data []byte) (*x509.CertPool, []*x509.Certificate, error) {
	pool := x509.NewCertPool()
	var certs []*x509.Certificate
	for {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" || len(b.Headers) != 0 {
			continue
		}
		if c, err := x509.ParseCertificate(b.Bytes); err == nil {
			pool.AddCert(c)
			certs = append(certs, c)
		}
	}
	if len(certs) == 0 {
		return nil, nil, inputErr("--cacert takes PEM certificates", "%s holds no PEM certificate", path)
	}
	return pool, certs, nil
}

// maxCredFile bounds what is read of a file the user names (a certificate, key or CA
// bundle is kilobytes; a system bundle a few hundred): a wrong path such as /dev/zero ends
// in an error, not in memory exhaustion. FIFOs stay allowed (--cert <(...) is a pipe).
const maxCredFile = 16 << 20

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCredFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxCredFile {
		return nil, fmt.Errorf("larger than %d MiB, not a certificate, key or CA file", maxCredFile>>20)
	}
	return data, nil
}
