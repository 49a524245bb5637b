package guard

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"net/url"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/internal/pki"
)

func TestParseDN(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{in: "CN=alice,O=Example", want: "CN=alice,O=Example"},
		{in: "CN=alice, O=Example", want: "CN=alice,O=Example"},            // spaces after ',' tolerated
		{in: "cn=alice,o=Example", want: "CN=alice,O=Example"},             // keywords in any case
		{in: `CN=a\,b,O=Example`, want: `CN=a\,b,O=Example`},               // escaped comma stays in the value
		{in: `CN=a\2Cb,O=Example`, want: `CN=a\,b,O=Example`},              // hex escape
		{in: `CN="a,b",O=Example`, want: `CN=a\,b,O=Example`},              // quoted value
		{in: "CN=alice+UID=7,O=Example", want: "UID=7+CN=alice,O=Example"}, // multi-valued RDN is a set
		{in: "2.5.4.3=alice", want: "CN=alice"},                            // numeric OID
		{in: "emailAddress=a@example.com,CN=a", want: "emailAddress=a@example.com,CN=a"},
		{in: "", err: "empty"},
		{in: "CN", err: "no '='"},
		{in: "CN=alice,", err: "ends with a separator"},
		{in: "XX=alice", err: "unknown attribute type"},
		{in: "CN=#04024869", err: "#hex"},
		{in: `CN=a\`, err: "lone backslash"},
		{in: `CN=a\4`, err: "two hex digits"},
		{in: `CN="a`, err: "unterminated"},
		{in: "CN=a+CN=b", err: "twice"},
	}
	for _, tc := range cases {
		dn, err := ParseDN(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseDN(%q) = %v, %v; want error containing %q", tc.in, dn, err, tc.err)
			}
			continue
		}
		if err != nil || dn.String() != tc.want {
			t.Errorf("ParseDN(%q) = %q, %v; want %q", tc.in, dn.String(), err, tc.want)
		}
	}
}

// TestMatch is the identity table: each row a certificate and the user it must (or must
// not) map to. The negative rows are the DN-matching mistakes crossgate scan reports in
// applications: substring, prefix, reordering, an extra RDN, CN alone.
func TestMatch(t *testing.T) {
	ca := pki.NewCA("Example Client CA")
	other := pki.NewCA("Other CA")
	spiffe, _ := url.Parse("spiffe://example.org/billing")
	spiffeEvil, _ := url.Parse("spiffe://example.org/billing/../admin")
	issue := func(ca *pki.CA, name pkix.Name) *pki.Leaf { return ca.Issue(pki.Options{Subject: name}) }
	fp := ca.Client("ops")
	withURI := ca.Issue(pki.Options{Subject: pkix.Name{CommonName: "svc"}})
	withURI.Cert.URIs = append(withURI.Cert.URIs, spiffe) // Match reads the parsed fields only
	withEvilURI := ca.Issue(pki.Options{Subject: pkix.Name{CommonName: "svc"}})
	withEvilURI.Cert.URIs = append(withEvilURI.Cert.URIs, spiffeEvil)
	dnsLeaf := ca.Issue(pki.Options{Subject: pkix.Name{CommonName: "batch"}, DNSNames: []string{"Batch.Internal.Example"}})
	wildLeaf := ca.Issue(pki.Options{Subject: pkix.Name{CommonName: "x"}, DNSNames: []string{"*.internal.example"}})
	twoCN := ca.Issue(pki.Options{Subject: pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{
		{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "legacy-client"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "admin"}}}})

	ids, err := ParseIdentities([]byte(`
identities:
  - user: alice
    subject: "CN=alice,O=Example"
  - user: billing
    uri: "spiffe://example.org/billing"
  - user: batch
    dns: "batch.internal.example"
  - user: ops
    sha256: "` + Fingerprint(fp.Cert) + `"
  - user: legacy
    cn: "legacy-client"
    issuer: "CN=Example Client CA,O=crossgate test PKI"
`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		leaf *pki.Leaf
		user string // "" for no match
	}{
		{"exact subject", issue(ca, pkix.Name{CommonName: "alice", Organization: []string{"Example"}}), "alice"},
		{"CN prefix (alice2)", issue(ca, pkix.Name{CommonName: "alice2", Organization: []string{"Example"}}), ""},
		{"CN alone", issue(ca, pkix.Name{CommonName: "alice"}), ""},
		{"extra OU", issue(ca, pkix.Name{CommonName: "alice", Organization: []string{"Example"}, OrganizationalUnit: []string{"x"}}), ""},
		{"O holding CN=alice", issue(ca, pkix.Name{CommonName: "mallory", Organization: []string{"CN=alice,O=Example"}}), ""},
		{"case differs", issue(ca, pkix.Name{CommonName: "Alice", Organization: []string{"Example"}}), ""},
		{"SPIFFE URI SAN", withURI, "billing"},
		{"URI with a path suffix", withEvilURI, ""},
		{"DNS SAN, case-insensitive", dnsLeaf, "batch"},
		{"wildcard DNS SAN is not expanded", wildLeaf, ""},
		{"fingerprint", fp, "ops"},
		{"fingerprint of another cert with the same subject", ca.Client("ops"), ""},
		{"cn with pinned issuer", issue(ca, pkix.Name{CommonName: "legacy-client", Organization: []string{"Anything"}}), "legacy"},
		{"cn from another issuer", issue(other, pkix.Name{CommonName: "legacy-client"}), ""},
		{"two CNs", twoCN, ""},
	}
	for _, tc := range cases {
		user, ok, err := ids.Match(tc.leaf.Cert)
		if err != nil || user != tc.user || ok != (tc.user != "") {
			t.Errorf("%s (%s): got %q %v %v, want %q", tc.name, tc.leaf.Cert.Subject, user, ok, err, tc.user)
		}
	}
}

func TestMatchAmbiguous(t *testing.T) {
	ca := pki.NewCA("CA")
	leaf := ca.Issue(pki.Options{Subject: pkix.Name{CommonName: "x"}, DNSNames: []string{"a.example", "b.example"}})
	ids, err := ParseIdentities([]byte("identities:\n  - user: a\n    dns: a.example\n  - user: b\n    dns: b.example\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ids.Match(leaf.Cert); ok || err != ErrAmbiguous {
		t.Errorf("a certificate naming two users: ok=%v err=%v, want ErrAmbiguous", ok, err)
	}
}

func TestParseIdentitiesErrors(t *testing.T) {
	cases := map[string]string{
		"identities:\n  - user: a\n":                                                    "name the certificate with one of",
		"identities:\n  - subject: CN=a\n":                                              "no user",
		"identities:\n  - user: a\n    subject: CN=a\n    dns: a.example\n":             "exactly one",
		"identities:\n  - user: a\n    cn: a\n":                                         "cn needs issuer",
		"identities:\n  - user: a\n    sha256: abcd\n":                                  "not a SHA-256",
		"identities:\n  - user: a\n    uri: billing\n":                                  "no scheme",
		"identities:\n  - user: a\n    subjekt: CN=a\n":                                 "not a valid identities file",
		"identities:\n  - user: a\n    subject: CN=a\n  - user: b\n    subject: cn=a\n": "same certificate as entry 1",
		"users: []\n": "not a valid identities file",
	}
	for in, want := range cases {
		if _, err := ParseIdentities([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseIdentities(%q) = %v, want error containing %q", in, err, want)
		}
	}
}

func FuzzParseDN(f *testing.F) {
	for _, s := range []string{"CN=alice,O=Example", `CN=a\,b+UID=1`, `CN="x"`, "2.5.4.3=a", `O=\41`, "CN= a ,O=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dn, err := ParseDN(s)
		if err != nil {
			return
		}
		// What the parser accepts, it can write back and read again to the same name.
		again, err := ParseDN(dn.String())
		if err != nil || !again.Equal(dn) {
			t.Fatalf("round trip of %q: %q -> %v, %v", s, dn.String(), again, err)
		}
	})
}

func FuzzParseIdentities(f *testing.F) {
	f.Add([]byte("identities:\n  - user: alice\n    subject: \"CN=alice,O=Example\"\n"))
	f.Add([]byte("identities:\n  - user: a\n    cn: a\n    issuer: CN=CA\n"))
	f.Add([]byte("identities: [{user: b, sha256: '" + strings.Repeat("AB:", 31) + "AB'}]"))
	leaf := pki.NewCA("CA").Client("alice", "Example")
	f.Fuzz(func(t *testing.T, data []byte) {
		ids, err := ParseIdentities(data)
		if err != nil {
			return
		}
		ids.Match(leaf.Cert) // must not panic, whatever the file held
	})
}
