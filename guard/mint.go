package guard

import (
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/crossgate/crossgate/internal/pki"
)

// MintTestPKI writes a throw-away PKI for trying guard on loopback into dir: a client CA
// (client-ca.crt), a server CA (server-ca.crt) and a server certificate for localhost,
// 127.0.0.1 and ::1 (server.crt, server.key), client certificates for alice and bob
// (alice.crt, alice.key, bob.crt, bob.key), and identities.yaml mapping both by subject.
// Everything is valid for 30 days. The CA keys are not written: nothing more can be issued
// from them, which is the point of a test PKI. Existing files are never overwritten.
func MintTestPKI(dir string) ([]string, error) {
	names := []string{"client-ca.crt", "server-ca.crt", "server.crt", "server.key", "alice.crt", "alice.key", "bob.crt", "bob.key", "identities.yaml"}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			return nil, fmt.Errorf("%s already exists", filepath.Join(dir, n))
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	until := time.Now().Add(30 * 24 * time.Hour)
	clientCA, serverCA := pki.NewCA("guard test client CA"), pki.NewCA("guard test server CA")
	srv := serverCA.Issue(pki.Options{Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		IPs: pki.LoopbackIPs(), Server: true, NotAfter: until})
	var written []string
	write := func(name string, data []byte, mode os.FileMode) error {
		p := filepath.Join(dir, name)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return err
		}
		written = append(written, p)
		return f.Close()
	}
	type file struct {
		name string
		data []byte
		mode os.FileMode
	}
	files := []file{
		{"client-ca.crt", clientCA.PEM, 0o644}, {"server-ca.crt", serverCA.PEM, 0o644},
		{"server.crt", srv.CertPEM, 0o644}, {"server.key", srv.KeyPEM, 0o600},
	}
	ids := "# Maps each client certificate to the user guard sends upstream.\n# Subjects are compared as parsed RDNs, never as substrings.\nidentities:\n"
	for _, user := range []string{"alice", "bob"} {
		l := clientCA.Issue(pki.Options{Subject: pkix.Name{CommonName: user, Organization: []string{"Example"}}, NotAfter: until})
		files = append(files, file{user + ".crt", l.CertPEM, 0o644}, file{user + ".key", l.KeyPEM, 0o600})
		ids += fmt.Sprintf("  - user: %s\n    subject: %q\n", user, l.Cert.Subject.String())
	}
	files = append(files, file{"identities.yaml", []byte(ids), 0o644})
	for _, f := range files {
		if err := write(f.name, f.data, f.mode); err != nil {
			return written, err
		}
	}
	return written, nil
}
