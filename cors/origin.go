package cors

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Origin is a web origin: a (scheme, host, port) tuple, or an opaque origin
// that serializes as "null".
type Origin struct {
	Scheme string // lower-case, e.g. "https"
	Host   string // lower-case domain, dotted IPv4, or IPv6 without brackets
	Port   string // decimal, "" when absent or the scheme's default
	Opaque bool   // an opaque origin; the other fields are then empty
}

// defaultPorts are the URL standard's special schemes and their default ports.
var defaultPorts = map[string]string{
	"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21",
}

// String serializes o as the Origin header and Access-Control-Allow-Origin
// carry it (URL standard "serialization of an origin").
func (o Origin) String() string {
	if o.Opaque {
		return "null"
	}
	host := o.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	s := o.Scheme + "://" + host
	if o.Port != "" && o.Port != defaultPorts[o.Scheme] {
		s += ":" + o.Port
	}
	return s
}

// ParseOrigin parses a serialized origin: "null", or scheme://host[:port]
// with nothing after it (no path, not even "/", no query, fragment or
// userinfo). Scheme and host are lower-cased, IPv4 hosts in any form the URL
// parser accepts (0x7f.1, 2130706433) become dotted decimal, IPv6 is
// compressed as the URL standard serializes it, and a default port is dropped.
// Non-ASCII hosts are rejected: browsers send them in punycode.
func ParseOrigin(s string) (Origin, error) {
	if s == "null" {
		return Origin{Opaque: true}, nil
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return Origin{}, fmt.Errorf("origin %q: want scheme://host[:port] or null", s)
	}
	if !validScheme(scheme) {
		return Origin{}, fmt.Errorf("origin %q: invalid scheme", s)
	}
	scheme = strings.ToLower(scheme)
	if i := strings.IndexAny(rest, "/?#@\\"); i >= 0 {
		return Origin{}, fmt.Errorf("origin %q: %q is not allowed in an origin (no path, query, fragment or userinfo)", s, rest[i])
	}
	hostPart, port := rest, ""
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return Origin{}, fmt.Errorf("origin %q: unterminated IPv6 address", s)
		}
		hostPart = rest[:end+1]
		after := rest[end+1:]
		if after != "" {
			if after[0] != ':' {
				return Origin{}, fmt.Errorf("origin %q: unexpected %q after IPv6 address", s, after)
			}
			port = after[1:]
		}
	} else if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		hostPart, port = rest[:i], rest[i+1:]
	}
	host, err := parseHost(hostPart, defaultPorts[scheme] != "")
	if err != nil {
		return Origin{}, fmt.Errorf("origin %q: %w", s, err)
	}
	if port != "" {
		p, err := parsePort(port)
		if err != nil {
			return Origin{}, fmt.Errorf("origin %q: %w", s, err)
		}
		port = p
	}
	if port == defaultPorts[scheme] {
		port = ""
	}
	return Origin{Scheme: scheme, Host: host, Port: port}, nil
}

// OriginOf returns the origin of u per the URL standard: a tuple for the
// special schemes with a host, the inner URL's origin for blob: URLs, and an
// opaque origin for everything else (file:, data:, about:, ...).
func OriginOf(u *url.URL) Origin {
	if u == nil {
		return Origin{Opaque: true}
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme == "blob" {
		inner, err := url.Parse(u.Opaque)
		if err != nil || inner.Opaque != "" {
			return Origin{Opaque: true}
		}
		if s := strings.ToLower(inner.Scheme); s != "http" && s != "https" {
			return Origin{Opaque: true}
		}
		return OriginOf(inner)
	}
	if scheme == "file" || defaultPorts[scheme] == "" || u.Host == "" {
		return Origin{Opaque: true}
	}
	s := scheme + "://" + u.Host
	o, err := ParseOrigin(s)
	if err != nil {
		return Origin{Opaque: true}
	}
	return o
}

func validScheme(s string) bool {
	if s == "" || !isASCIIAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isASCIIAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isASCIIAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }

func parsePort(p string) (string, error) {
	for i := 0; i < len(p); i++ {
		if !isDigit(p[i]) {
			return "", fmt.Errorf("invalid port %q", p)
		}
	}
	// Leading zeros are legal in URLs and vanish in serialization.
	t := strings.TrimLeft(p, "0")
	if t == "" {
		t = "0"
	}
	if len(t) > 5 {
		return "", fmt.Errorf("port %q out of range", p)
	}
	n, _ := strconv.Atoi(t)
	if n > 65535 {
		return "", fmt.Errorf("port %q out of range", p)
	}
	return t, nil
}

// forbiddenDomain holds the URL standard's forbidden domain code points below
// 0x80, apart from C0 controls and DEL which are tested separately.
const forbiddenDomain = " #%/:<>?@[\\]^|"

var errEmptyHost = errors.New("empty host")

// parseHost follows the URL standard's host parser for the cases an origin
// can hold: IPv6 in brackets, IPv4 when the last label is a number (special
// schemes only), otherwise an ASCII domain, lower-cased.
func parseHost(h string, special bool) (string, error) {
	if h == "" {
		return "", errEmptyHost
	}
	if h[0] == '[' {
		if h[len(h)-1] != ']' {
			return "", fmt.Errorf("unterminated IPv6 address %q", h)
		}
		return parseIPv6(h[1 : len(h)-1])
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c >= 0x80 {
			return "", fmt.Errorf("non-ASCII host %q: browsers serialize it in punycode (xn--)", h)
		}
		if c <= 0x20 || c == 0x7f || strings.IndexByte(forbiddenDomain, c) >= 0 {
			return "", fmt.Errorf("host %q contains forbidden byte %q", h, c)
		}
	}
	h = strings.ToLower(h)
	if special && endsInNumber(h) {
		return parseIPv4(h)
	}
	return h, nil
}

func parseIPv6(s string) (string, error) {
	if strings.Contains(s, "%") {
		return "", fmt.Errorf("IPv6 zone identifiers are not allowed in URLs: %q", s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return "", fmt.Errorf("invalid IPv6 address %q", s)
	}
	return serializeIPv6(a.As16()), nil
}

// serializeIPv6 is the URL standard's IPv6 serializer: lower-case hex pieces,
// the first longest run of two or more zero pieces compressed, and no dotted
// IPv4 tail (netip prints ::ffff:1.2.3.4; URLs print ::ffff:102:304).
func serializeIPv6(b [16]byte) string {
	var p [8]uint16
	for i := range p {
		p[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	best, bestLen := -1, 1
	for i := 0; i < 8; {
		if p[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && p[j] == 0 {
			j++
		}
		if j-i > bestLen {
			best, bestLen = i, j-i
		}
		i = j
	}
	var sb strings.Builder
	for i := 0; i < 8; i++ {
		if i == best {
			if i == 0 {
				sb.WriteString("::")
			} else {
				sb.WriteString(":")
			}
			i += bestLen - 1
			continue
		}
		sb.WriteString(strconv.FormatUint(uint64(p[i]), 16))
		if i != 7 {
			sb.WriteString(":")
		}
	}
	return sb.String()
}

// endsInNumber is the URL standard's "ends in a number checker".
func endsInNumber(h string) bool {
	parts := strings.Split(h, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := ipv4Number(last)
	return ok
}

// ipv4Number is the URL standard's "IPv4 number parser": 0x hex, leading-0
// octal, or decimal.
func ipv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s, base = s[2:], 16
	} else if len(s) >= 2 && s[0] == '0' {
		s, base = s[1:], 8
	}
	if s == "" {
		return 0, true
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		switch {
		case base == 16 && (isDigit(s[i]) || (c >= 'a' && c <= 'f')):
		case base == 8 && s[i] >= '0' && s[i] <= '7':
		case base == 10 && isDigit(s[i]):
		default:
			return 0, false
		}
	}
	// Cap the length so the parse cannot overflow; anything this long is
	// out of range for an IPv4 part anyway.
	if len(s) > 32 {
		return 1 << 40, true
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 1 << 40, true
	}
	return n, true
}

// parseIPv4 is the URL standard's IPv4 parser.
func parseIPv4(h string) (string, error) {
	parts := strings.Split(h, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return "", fmt.Errorf("invalid IPv4 address %q", h)
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := ipv4Number(p)
		if !ok {
			return "", fmt.Errorf("invalid IPv4 address %q", h)
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return "", fmt.Errorf("invalid IPv4 address %q", h)
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return "", fmt.Errorf("invalid IPv4 address %q", h)
	}
	ip := last
	for i, n := range nums[:len(nums)-1] {
		ip += n << (8 * (3 - i))
	}
	return fmt.Sprintf("%d.%d.%d.%d", byte(ip>>24), byte(ip>>16), byte(ip>>8), byte(ip)), nil
}
