package credfile

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/crossgate/crossgate/internal/pki"
)

func TestLoadIdentity(t *testing.T) {
	dir := t.TempDir()
	ca := pki.NewCA("client CA")
	alice, bob := ca.Client("alice", "Example"), ca.Client("bob")
	cert, key, _ := alice.WriteFiles(dir, "alice")
	_, bobKey, _ := bob.WriteFiles(dir, "bob")
	both := filepath.Join(dir, "both.pem")
	os.WriteFile(both, append(append([]byte(nil), alice.CertPEM...), alice.KeyPEM...), 0o600)
	p12, err := pkcs12.Modern.Encode(alice.Key, alice.Cert, []*x509.Certificate{ca.Cert}, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	p12Path := filepath.Join(dir, "alice.p12")
	os.WriteFile(p12Path, p12, 0o600)
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("not a certificate"), 0o600)

	for _, c := range []struct {
		name, cert, key, pass string
		wantErr               string
		wantHint              string
	}{
		{name: "pem pair", cert: cert, key: key},
		{name: "one pem with both", cert: both},
		{name: "pkcs12", cert: p12Path, pass: "s3cret"},
		{name: "pkcs12 wrong password", cert: p12Path, pass: "nope", wantErr: "wrong password", wantHint: "--cert-pass"},
		{name: "missing cert", cert: filepath.Join(dir, "x.crt"), key: key, wantErr: "cannot read client certificate", wantHint: "--cert"},
		{name: "missing key", cert: cert, key: filepath.Join(dir, "x.key"), wantErr: "cannot read client key", wantHint: "--key"},
		{name: "cert without key", cert: cert, wantErr: "no private key", wantHint: "pass the key with --key, or give a PEM that holds both"},
		{name: "mismatch", cert: cert, key: bobKey, wantErr: "do not match", wantHint: "belong together"},
		{name: "key is not a key", cert: cert, key: cert, wantErr: "holds no PEM private key"},
		{name: "garbage", cert: garbage, wantErr: "PKCS#12"},
	} {
		t.Run(c.name, func(t *testing.T) {
			id, err := LoadIdentity("user", c.cert, c.key, c.pass)
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if id.Subject() != "CN=alice,O=Example" || id.Certificate.PrivateKey == nil {
					t.Fatalf("subject %q", id.Subject())
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(ie.Msg, c.wantErr) || !strings.Contains(ie.Hint, c.wantHint) {
				t.Fatalf("got %v (hint %q), want %q / %q", err, hintOf(err), c.wantErr, c.wantHint)
			}
		})
	}
}

func hintOf(err error) string {
	var ie *InputError
	if errors.As(err, &ie) {
		return ie.Hint
	}
	return ""
}

func TestEncryptedAndPasswordlessInputsAreExplained(t *testing.T) {
	dir := t.TempDir()
	ca := pki.NewCA("client CA")
	alice := ca.Client("alice")
	cert, _, _ := alice.WriteFiles(dir, "alice")
	enc := filepath.Join(dir, "enc.key")
	os.WriteFile(enc, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n"), 0o600)
	legacy := filepath.Join(dir, "legacy.key")
	os.WriteFile(legacy, []byte("-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END EC PRIVATE KEY-----\n"), 0o600)
	for _, k := range []string{enc, legacy} {
		_, err := LoadIdentity("user", cert, k, "")
		if err == nil || !strings.Contains(err.Error(), "is encrypted") || !strings.Contains(hintOf(err), "openssl pkey") {
			t.Errorf("%s: %v (hint %q)", k, err, hintOf(err))
		}
	}
	p12, _ := pkcs12.Modern.Encode(alice.Key, alice.Cert, nil, "s3cret")
	p := filepath.Join(dir, "a.p12")
	os.WriteFile(p, p12, 0o600)
	if _, err := LoadIdentity("user", p, "", ""); err == nil || !strings.Contains(err.Error(), "needs a password") {
		t.Errorf("p12 without --cert-pass: %v", err)
	}
}

// Whatever bytes the user points --cert and --key at, the answer is an identity or an
// InputError with a message, never a panic.
func FuzzParse(f *testing.F) {
	// Structural seeds only: a valid pair runs the full key-pair check, which the unit tests
	// above cover, and under fuzzing instrumentation it costs seconds per input.
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), []byte("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"), false)
	f.Add([]byte{0x30, 0x82, 0x01}, []byte{}, true)
	f.Fuzz(func(t *testing.T, cert, key []byte, p12 bool) {
		certPath, keyPath := "c.pem", ""
		if p12 {
			certPath = "c.p12"
		} else if len(key) > 0 {
			keyPath = "k.pem"
		}
		id, err := Parse("user", certPath, cert, keyPath, key, "")
		if err == nil && (id == nil || id.Certificate == nil) {
			t.Fatal("no error and no identity")
		}
		var ie *InputError
		if err != nil && (!errors.As(err, &ie) || ie.Msg == "") {
			t.Fatalf("not an InputError with a message: %v", err)
		}
	})
}

// A path the user mistypes into a device gives an error, not an endless read.
func TestReadBounded(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	if _, err := LoadCAs("/dev/zero"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("--cacert /dev/zero: %v", err)
	}
	if _, err := LoadIdentity("user", "/dev/zero", "", ""); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("--cert /dev/zero: %v", err)
	}
}

// FuzzParseCAs: whatever the --cacert file holds, the answer is a pool with every
// certificate in the list, or an InputError with a message and a hint; never a panic.
func FuzzParseCAs(f *testing.F) {
	ca := pki.NewCA("Fuzz CA")
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{0x30, 0x82, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		pool, certs, err := ParseCAs("ca.pem", data)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || ie.Msg == "" || ie.Hint == "" || pool != nil || certs != nil {
				t.Fatalf("not an InputError with a message and a hint alone: %v", err)
			}
			return
		}
		if pool == nil || len(certs) == 0 {
			t.Fatal("no error and no certificate")
		}
		if !x509.NewCertPool().AppendCertsFromPEM(data) {
			t.Fatal("accepted a bundle crypto/x509 finds no certificate in")
		}
	})
}
