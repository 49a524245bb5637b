package guard

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
)

// Identities maps verified client certificates to users, exactly. Build it with
// ParseIdentities; it is read-only afterwards and safe for concurrent use.
type Identities struct {
	entries []identity
}

type identity struct {
	user   string
	kind   string // sha256, uri, dns, subject or cn: which field of the certificate is compared
	sha256 [32]byte
	text   string // uri, dns or cn value
	dn     DN     // subject
	issuer DN     // nil unless pinned
	line   int    // position in the file, for messages
}

// identitiesFile is the YAML shape; every field is optional so that a missing or doubled
// selector can be reported by entry rather than as a schema error.
type identitiesFile struct {
	Identities []struct {
		User    string `yaml:"user"`
		Subject string `yaml:"subject"`
		URI     string `yaml:"uri"`
		DNS     string `yaml:"dns"`
		SHA256  string `yaml:"sha256"`
		CN      string `yaml:"cn"`
		Issuer  string `yaml:"issuer"`
	} `yaml:"identities"`
}

// maxIdentitiesFile bounds what is read into memory from a file meant to be edited by hand.
const maxIdentitiesFile = 8 << 20

// ParseIdentities reads an identities file:
//
//	identities:
//	  - user: alice
//	    subject: "CN=alice,O=Example"        # full subject, compared as parsed RDNs
//	  - user: billing
//	    uri: "spiffe://example.org/billing"  # a URI SAN, exactly
//	  - user: batch
//	    dns: "batch.internal.example"        # a DNS SAN, exactly (no wildcard expansion)
//	  - user: ops
//	    sha256: "AB:CD:..."                  # the certificate's SHA-256 fingerprint
//	  - user: legacy
//	    cn: "legacy-client"                  # CN alone, only with the issuer pinned
//	    issuer: "CN=Example Client CA,O=Example"
//
// Each entry names exactly one of subject, uri, dns, sha256 or cn; issuer may pin any entry
// to the issuing CA's subject and is required with cn, because a CN alone is a name any CA in
// the bundle could give to anyone.
func ParseIdentities(data []byte) (*Identities, error) {
	if len(data) > maxIdentitiesFile {
		return nil, fmt.Errorf("identities file is larger than %d MiB", maxIdentitiesFile>>20)
	}
	var f identitiesFile
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("not a valid identities file: %s", firstLine(err.Error()))
	}
	if !bytes.Contains(data, []byte("identities")) {
		return nil, errors.New("no 'identities:' list")
	}
	ids := &Identities{}
	seen := map[string]int{}
	for i, e := range f.Identities {
		n := i + 1
		id := identity{user: e.User, line: n}
		if strings.TrimSpace(e.User) == "" {
			return nil, fmt.Errorf("entry %d: no user", n)
		}
		if strings.ContainsAny(e.User, "\r\n\x00") {
			return nil, fmt.Errorf("entry %d: the user contains a line break or NUL, which cannot travel in a header", n)
		}
		var set []string
		if e.Subject != "" {
			set = append(set, "subject")
			dn, err := ParseDN(e.Subject)
			if err != nil {
				return nil, fmt.Errorf("entry %d (%s): subject %q: %w", n, e.User, e.Subject, err)
			}
			id.kind, id.dn = "subject", dn
		}
		if e.URI != "" {
			set = append(set, "uri")
			if !strings.Contains(e.URI, ":") {
				return nil, fmt.Errorf("entry %d (%s): uri %q has no scheme (a SPIFFE ID starts with spiffe://)", n, e.User, e.URI)
			}
			id.kind, id.text = "uri", e.URI
		}
		if e.DNS != "" {
			set = append(set, "dns")
			id.kind, id.text = "dns", strings.ToLower(strings.TrimSuffix(e.DNS, "."))
		}
		if e.SHA256 != "" {
			set = append(set, "sha256")
			sum, err := parseFingerprint(e.SHA256)
			if err != nil {
				return nil, fmt.Errorf("entry %d (%s): sha256: %w", n, e.User, err)
			}
			id.kind, id.sha256 = "sha256", sum
		}
		if e.CN != "" {
			set = append(set, "cn")
			if e.Issuer == "" {
				return nil, fmt.Errorf("entry %d (%s): cn needs issuer: a common name alone is a name any trusted CA may issue to anyone", n, e.User)
			}
			id.kind, id.text = "cn", e.CN
		}
		switch len(set) {
		case 0:
			return nil, fmt.Errorf("entry %d (%s): name the certificate with one of subject, uri, dns, sha256 or cn", n, e.User)
		case 1:
		default:
			return nil, fmt.Errorf("entry %d (%s): has %s; give exactly one per entry (add another entry for another certificate)", n, e.User, strings.Join(set, " and "))
		}
		if e.Issuer != "" {
			dn, err := ParseDN(e.Issuer)
			if err != nil {
				return nil, fmt.Errorf("entry %d (%s): issuer %q: %w", n, e.User, e.Issuer, err)
			}
			id.issuer = dn
		}
		key := id.key()
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("entry %d (%s) names the same certificate as entry %d", n, e.User, prev)
		}
		seen[key] = n
		ids.entries = append(ids.entries, id)
	}
	return ids, nil
}

func (id identity) key() string {
	k := id.kind + "\x00"
	switch id.kind {
	case "sha256":
		k += hex.EncodeToString(id.sha256[:])
	case "subject":
		k += id.dn.String()
	default:
		k += id.text
	}
	if id.issuer != nil {
		k += "\x00" + id.issuer.String()
	}
	return k
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// parseFingerprint accepts the hex of a SHA-256 with or without ':' separators, any case.
func parseFingerprint(s string) ([32]byte, error) {
	var sum [32]byte
	h := strings.ReplaceAll(strings.TrimSpace(s), ":", "")
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 32 {
		return sum, fmt.Errorf("%q is not a SHA-256 fingerprint (64 hex digits, colons allowed)", s)
	}
	copy(sum[:], b)
	return sum, nil
}

// Len is the number of entries.
func (ids *Identities) Len() int {
	if ids == nil {
		return 0
	}
	return len(ids.entries)
}

// precedence: the most specific selector decides when several entries match one certificate.
var precedence = []string{"sha256", "uri", "dns", "subject", "cn"}

// ErrAmbiguous is returned by Match when entries of the same kind name one certificate
// for two different users.
var ErrAmbiguous = errors.New("the certificate matches entries for different users")

// Match returns the user the leaf certificate (already verified by the caller) maps to, and
// false when no entry names it. A fingerprint entry wins over a URI, a URI over a DNS name,
// a DNS name over a subject, a subject over a CN.
func (ids *Identities) Match(leaf *x509.Certificate) (string, bool, error) {
	if ids == nil || leaf == nil {
		return "", false, nil
	}
	sum := sha256.Sum256(leaf.Raw)
	var subject, issuer DN
	subjectErr, issuerErr := errors.New("not parsed"), errors.New("not parsed")
	for _, kind := range precedence {
		user := ""
		for _, id := range ids.entries {
			if id.kind != kind {
				continue
			}
			if id.issuer != nil {
				if issuer == nil && issuerErr != nil {
					issuer, issuerErr = DNFromRaw(leaf.RawIssuer)
				}
				if issuerErr != nil || !issuer.Equal(id.issuer) {
					continue
				}
			}
			ok := false
			switch kind {
			case "sha256":
				ok = id.sha256 == sum
			case "uri":
				for _, u := range leaf.URIs {
					ok = ok || u.String() == id.text
				}
			case "dns":
				for _, d := range leaf.DNSNames {
					ok = ok || strings.ToLower(strings.TrimSuffix(d, ".")) == id.text
				}
			case "subject", "cn":
				if subject == nil && subjectErr != nil {
					subject, subjectErr = DNFromRaw(leaf.RawSubject)
				}
				if subjectErr != nil {
					continue
				}
				if kind == "subject" {
					ok = subject.Equal(id.dn)
				} else {
					// Exactly one CN: with two, readers disagree on which one counts.
					cns := subject.CommonNames()
					ok = len(cns) == 1 && cns[0] == id.text
				}
			}
			if !ok {
				continue
			}
			if user != "" && user != id.user {
				return "", false, ErrAmbiguous
			}
			user = id.user
		}
		if user != "" {
			return user, true, nil
		}
	}
	return "", false, nil
}

// Fingerprint is the SHA-256 of a certificate's DER, as colon-separated upper-case hex.
func Fingerprint(cert *x509.Certificate) string { return formatFingerprint(sha256.Sum256(cert.Raw)) }

func formatFingerprint(sum [32]byte) string {
	const digits = "0123456789ABCDEF"
	b := make([]byte, 0, 95)
	for i, c := range sum {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, digits[c>>4], digits[c&15])
	}
	return string(b)
}
