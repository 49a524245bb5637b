package corscheck

import (
	"net/netip"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/crossgate/crossgate/cors"
)

// Who can use a probe origin decides what an accepted probe proves. A name under the trusted
// host's own registrable domain (https://evil1234app.example.com for app.example.com) belongs
// to the site's owner: accepting it means every sub-domain is trusted (cors-any-subdomain),
// not that an attacker can register a look-alike. A suffix bypass needs a name outside it
// (https://evil-example.com). The registrable domain comes from the public suffix list, so
// app.example.co.uk and user.github.io get theirs right.

// registeredDomain is host's registrable domain (eTLD+1), or host itself when it has none
// (an IP address, a bare public suffix, a single label).
func registeredDomain(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if isIPv4(host) || strings.Contains(host, ":") {
		return host
	}
	rd, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return rd
}

// sameSite reports whether host sits under base's registrable domain, so only the site's
// owner can name a page there.
func sameSite(host, base string) bool {
	rd := registeredDomain(base)
	if rd == base && isIPv4(base) {
		return false
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return host == rd || strings.HasSuffix(host, "."+rd)
}

func isIPv4(h string) bool {
	a, err := netip.ParseAddr(h)
	return err == nil && a.Is4()
}

// unsendable reports whether origin is shaped like scheme://host[:port] but no browser can
// send it: the URL standard's host parser treats a host whose last label is a number as an
// IPv4 address and fails when the rest is not one (https://127x0.0.1), so no page can have
// that origin.
func unsendable(origin string) bool {
	if _, err := cors.ParseOrigin(origin); err == nil {
		return false
	}
	_, rest, ok := strings.Cut(origin, "://")
	if !ok || rest == "" || strings.ContainsAny(rest, "/?#@[]") {
		return false
	}
	host := rest
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		host = rest[:i]
	}
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	last := labels[len(labels)-1]
	if last == "" {
		return false
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}
