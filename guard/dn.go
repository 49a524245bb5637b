package guard

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// A DN is a distinguished name as a sequence of RDNs, most significant first (the order of
// the certificate's ASN.1, the reverse of the RFC 4514 string). Two DNs are equal only when
// every RDN holds the same attributes with byte-equal values: a substring, a different order
// or an extra attribute never matches, which is the mistake of matching DN strings.
type DN [][]attr

type attr struct {
	oid   string // dotted form, e.g. 2.5.4.3
	value string
}

// keywords are the RFC 4514 section 3 names plus the ones OpenSSL and nginx print.
var keywords = map[string]string{
	"CN": "2.5.4.3", "C": "2.5.4.6", "L": "2.5.4.7", "ST": "2.5.4.8", "STREET": "2.5.4.9",
	"O": "2.5.4.10", "OU": "2.5.4.11", "DC": "0.9.2342.19200300.100.1.25",
	"UID": "0.9.2342.19200300.100.1.1", "SERIALNUMBER": "2.5.4.5", "POSTALCODE": "2.5.4.17",
	"EMAILADDRESS": "1.2.840.113549.1.9.1", "TITLE": "2.5.4.12", "SN": "2.5.4.4",
	"GIVENNAME": "2.5.4.42",
}

var oidNames = func() map[string]string {
	m := map[string]string{}
	for k, v := range keywords {
		m[v] = k
	}
	m["2.5.4.5"], m["1.2.840.113549.1.9.1"], m["2.5.4.17"], m["2.5.4.42"] = "serialNumber", "emailAddress", "postalCode", "givenName"
	m["2.5.4.12"] = "title"
	return m
}()

// ParseDN reads an RFC 4514 string ("CN=alice,O=Example"). Spaces around the ',', '+' and
// '=' separators are tolerated because people type them; escaped characters (\, \+ \" \\ and
// \XX hex pairs) are decoded. The #hex form is refused: the identities file says the value
// in text, so that what a reviewer reads is what is compared.
func ParseDN(s string) (DN, error) {
	if !utf8.ValidString(s) {
		return nil, errors.New("not valid UTF-8")
	}
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty distinguished name")
	}
	var rdns [][]attr
	var cur []attr
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return nil, fmt.Errorf("%q has no '=': write attributes as TYPE=value", s[i:])
		}
		typ := strings.TrimSpace(s[i : i+eq])
		oid, err := attrType(typ)
		if err != nil {
			return nil, err
		}
		i += eq + 1
		for i < len(s) && s[i] == ' ' {
			i++
		}
		val, n, err := attrValue(s[i:])
		if err != nil {
			return nil, fmt.Errorf("value of %s: %w", typ, err)
		}
		i += n
		cur = append(cur, attr{oid: oid, value: val})
		if i >= len(s) {
			rdns = append(rdns, cur)
			break
		}
		switch s[i] {
		case '+':
			i++
		case ',', ';':
			rdns = append(rdns, cur)
			cur = nil
			i++
		default:
			return nil, fmt.Errorf("unexpected %q after the value of %s", s[i], typ)
		}
		if i >= len(s) {
			return nil, errors.New("ends with a separator")
		}
	}
	// The string names the least significant RDN first; the certificate stores it last.
	slices.Reverse(rdns)
	for _, r := range rdns {
		sortRDN(r)
		for j := 1; j < len(r); j++ {
			if r[j].oid == r[j-1].oid {
				return nil, fmt.Errorf("attribute %s appears twice in one RDN", oidName(r[j].oid))
			}
		}
	}
	return DN(rdns), nil
}

func attrType(typ string) (string, error) {
	if typ == "" {
		return "", errors.New("an attribute has no type before '='")
	}
	if oid, ok := keywords[strings.ToUpper(typ)]; ok {
		return oid, nil
	}
	t := strings.TrimPrefix(strings.TrimPrefix(typ, "OID."), "oid.")
	var o asn1.ObjectIdentifier
	for _, part := range strings.Split(t, ".") {
		if part == "" || len(part) > 9 || strings.Trim(part, "0123456789") != "" {
			return "", fmt.Errorf("unknown attribute type %q: use CN, O, OU, C, L, ST, DC, UID, emailAddress or a dotted OID", typ)
		}
		n := 0
		for _, c := range part {
			n = n*10 + int(c-'0')
		}
		o = append(o, n)
	}
	if len(o) < 2 {
		return "", fmt.Errorf("unknown attribute type %q: use CN, O, OU, C, L, ST, DC, UID, emailAddress or a dotted OID", typ)
	}
	return o.String(), nil
}

// attrValue reads one RFC 4514 value up to an unescaped ',', ';' or '+', and returns it
// decoded with the number of bytes consumed.
func attrValue(s string) (string, int, error) {
	if strings.HasPrefix(s, "#") {
		return "", 0, errors.New("the #hex form is not accepted; write the value as text")
	}
	var b []byte
	quoted := false
	i := 0
	if strings.HasPrefix(s, `"`) {
		quoted, i = true, 1
	}
	trail := 0 // unescaped trailing spaces, dropped at the end
	for i < len(s) {
		c := s[i]
		if quoted && c == '"' {
			i++
			for i < len(s) && s[i] == ' ' {
				i++
			}
			if i < len(s) && !strings.ContainsRune(",;+", rune(s[i])) {
				return "", 0, errors.New("text after a closing quote")
			}
			return string(b), i, nil
		}
		if !quoted && (c == ',' || c == ';' || c == '+') {
			break
		}
		if c == '\\' {
			if i+1 >= len(s) {
				return "", 0, errors.New("ends with a lone backslash")
			}
			if isHex(s[i+1]) {
				if i+2 >= len(s) || !isHex(s[i+2]) {
					return "", 0, errors.New("a \\ hex escape needs two hex digits")
				}
				v, _ := hex.DecodeString(s[i+1 : i+3])
				b = append(b, v[0])
				i += 3
			} else {
				b = append(b, s[i+1])
				i += 2
			}
			trail = 0
			continue
		}
		if c == ' ' {
			trail++
		} else {
			trail = 0
		}
		b = append(b, c)
		i++
	}
	if quoted {
		return "", 0, errors.New("unterminated quote")
	}
	b = b[:len(b)-trail]
	if !utf8.Valid(b) {
		return "", 0, errors.New("escapes decode to invalid UTF-8")
	}
	return string(b), i, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// sortRDN orders a multi-valued RDN: it is a set, so "CN=a+UID=b" equals "UID=b+CN=a".
func sortRDN(r []attr) {
	slices.SortFunc(r, func(a, b attr) int { return strings.Compare(a.oid+"\x00"+a.value, b.oid+"\x00"+b.value) })
}

// DNFromRaw reads a certificate's DER-encoded subject or issuer. An attribute whose value is
// not a string (rare, and never one an identities file could name) makes the DN unmatchable.
func DNFromRaw(raw []byte) (DN, error) {
	var seq pkix.RDNSequence
	rest, err := asn1.Unmarshal(raw, &seq)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errors.New("trailing data after the name")
	}
	dn := make(DN, 0, len(seq))
	for _, set := range seq {
		r := make([]attr, 0, len(set))
		for _, atv := range set {
			v, ok := atv.Value.(string)
			if !ok {
				return nil, fmt.Errorf("attribute %s is not a string", atv.Type)
			}
			r = append(r, attr{oid: atv.Type.String(), value: v})
		}
		sortRDN(r)
		dn = append(dn, r)
	}
	return dn, nil
}

// Equal reports whether d and o are the same name: same RDNs in the same order, each with
// the same attributes and byte-equal values.
func (d DN) Equal(o DN) bool {
	return slices.EqualFunc(d, o, func(a, b []attr) bool { return slices.Equal(a, b) })
}

// CommonNames returns the values of every CN attribute.
func (d DN) CommonNames() []string {
	var out []string
	for _, r := range d {
		for _, a := range r {
			if a.oid == "2.5.4.3" {
				out = append(out, a.value)
			}
		}
	}
	return out
}

// String renders d in RFC 4514 form (least significant RDN first), escaping as needed.
func (d DN) String() string {
	var b strings.Builder
	for i := len(d) - 1; i >= 0; i-- {
		if i != len(d)-1 {
			b.WriteByte(',')
		}
		for j, a := range d[i] {
			if j > 0 {
				b.WriteByte('+')
			}
			b.WriteString(oidName(a.oid))
			b.WriteByte('=')
			b.WriteString(escapeValue(a.value))
		}
	}
	return b.String()
}

func oidName(oid string) string {
	if n, ok := oidNames[oid]; ok {
		return n
	}
	return oid
}

func escapeValue(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case strings.IndexByte(`,+"\<>;=`, c) >= 0,
			c == '#' && i == 0,
			c == ' ' && (i == 0 || i == len(v)-1):
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
