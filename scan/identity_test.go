package scan

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/crossgate/crossgate/internal/testpki"
)

func TestLoadIdentity(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA("client CA")
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

func TestParseTarget(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://api.example.com":     true,
		"http://127.0.0.1:8080/x?y=1": true,
		"https://[::1]:8443/api":      true,
		"api.example.com":             false,
		"ftp://example.com/":          false,
		"https://":                    false,
		"https://exa mple.com/":       false,
		"javascript:alert(1)":         false,
	} {
		u, err := ParseTarget(raw)
		if (err == nil) != ok {
			t.Errorf("%q: err %v", raw, err)
		}
		if ok && u.Path == "" {
			t.Errorf("%q: empty path not normalised", raw)
		}
	}
}

func TestEncryptedAndPasswordlessInputsAreExplained(t *testing.T) {
	dir := t.TempDir()
	ca := testpki.NewCA("client CA")
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
