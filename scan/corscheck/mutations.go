package corscheck

import (
	"net"
	"net/url"
	"strings"

	"github.com/crossgate/crossgate/cors"
)

// Class names what a probe origin tests. The bypass classes map one to one onto rules.
type Class string

const (
	ClassOwn        Class = "own"         // the target's own origin
	ClassTrusted    Class = "trusted"     // an --origin value, or an origin the server names itself
	ClassArbitrary  Class = "arbitrary"   // https://evil-<rnd>.example
	ClassNull       Class = "null"        // Origin: null
	ClassPrefix     Class = "prefix"      // https://trusted.host.evil-<rnd>.example
	ClassSuffix     Class = "suffix"      // https://evil<rnd>trusted.host, https://evil-<registered domain>
	ClassSubstring  Class = "substring"   // https://xtrusted.hostx.example, https://<registered domain minus first char>
	ClassDot        Class = "dot"         // one regex dot of the trusted host replaced by x
	ClassSpecial    Class = "special"     // https://trusted.host<c>.evil-<rnd>.example
	ClassSubdomain  Class = "subdomain"   // https://crossgate-sub.trusted.host
	ClassHTTP       Class = "http"        // http:// downgrade of a trusted or the own origin
	ClassThirdParty Class = "third-party" // shared hosting origins
	ClassLocalhost  Class = "localhost"   // loopback origins
	ClassFile       Class = "file"        // Origin: file://, reported with null (local file pages)
	ClassPort       Class = "port"        // the first trusted origin on another port (cors-any-port)
)

// otherPort is a port no allowlist is likely to name, unlike 8443 or 3000.
func otherPort(p string) string {
	if p == "1337" {
		return "1338"
	}
	return "1337"
}

// fileOrigin is what some embedded WebViews (hybrid apps) send from file: pages, and what
// django-cors-headers matches when "file://" is listed. It is no serialized origin: Chromium
// and Firefox send "null" from file: pages.
const fileOrigin = "file://"

// Mutation is one Origin value to send.
type Mutation struct {
	Origin string // serialized as a browser sends it, or "null"
	Class  Class
	Base   string // the host or origin it was derived from ("" for fixed probes)
	// Unsendable marks a mutation no browser can send (see unsendable): it is probed to show
	// how loose the allowlist is, and never reported as readable.
	Unsendable bool
	// Contains marks the substring probe that holds the base host whole inside another name
	// (https://xapp.example.comx.example): it finds a "contains" check, which lets the prefix
	// probe (the host whole at the front) through as well, so it is sent only when that one
	// was let through or gave no answer (containsKnown).
	Contains bool
	// After is the origin of a probe that must have been let through (or gone unanswered)
	// before this one is sent: the "ends with the domain" probe (https://evil-example.com)
	// waits for the "ends with the host" one (https://evil<rnd>app.example.com), which every
	// check that lets the first through lets through as well (afterKnown).
	After string
}

// specialChars are host characters that some browser accepts in a host name while a
// server-side parser or regex stops the host there (CORScanner and Corsy probe sets,
// PortSwigger's URL validation bypass research): "_" is accepted by every engine, the others
// by Safari. "%60", "^" and "|" are left out: the URL standard forbids "%", "^" and "|" in
// hosts, so no browser can send such an Origin.
//
// A special-character bypass is a check that takes the host up to the first character outside
// some set and compares that part, so https://app.example.com<c>.evil.example passes when c is
// outside the set. One character per class of RFC 3986's host grammar finds every such set:
//   - "`" is outside the URI grammar altogether, so it ends the host for every lax parser and
//     every host pattern ([a-z0-9.-], [\w.-], unreserved, reg-name); "}" is the same class;
//   - a strict parser rejects "`", so what remains is its second step: "_" ends a
//     letters-digits-hyphens host (and is the one every browser sends, which sets the
//     severity), "~" (unreserved) ends a [\w.-] one, ";" (a sub-delimiter, also the old
//     path-parameter delimiter) ends an unreserved-only one; "!" is the same class as ";".
//
// TestSpecialCharClasses holds one policy per class.
var specialChars = []string{"_", "~", ";", "`"}

// thirdParty are shared hosting origins anyone can publish a page on (CORScanner origins.json,
// CorsMe, aristos cors-scanner's S3 set). Sub-domains are crossgate-named so that none exists.
var thirdParty = []string{
	"https://crossgate.github.io",
	"https://crossgate.herokuapp.com",
	"https://crossgate.s3.amazonaws.com",
	"https://codepen.io",
	"https://jsfiddle.net",
}

var localhosts = []string{"http://localhost", "http://127.0.0.1", "http://localhost:3000"}

// hostIsAddress reports whether host is an IP literal or a loopback name, which has no
// registrable domain: sub-domain and look-alike-domain mutations mean nothing there, but a
// prefix mutation (https://127.0.0.1.evil.example) is a registrable name all the same.
func hostIsAddress(host string) bool {
	h := strings.Trim(host, "[]")
	return net.ParseIP(h) != nil || h == "localhost" || strings.HasSuffix(h, ".localhost")
}

type planner struct {
	seen map[string]bool
	out  []Mutation
}

// add keeps origin when it is a valid, new serialized origin; invalid candidates (a fuzzed
// host with odd bytes) are dropped rather than sent.
//
// A mutation under the base host's own registrable domain is re-classed as a sub-domain probe:
// only the site's owner can host a page there. One no browser can send is kept, marked.
func (p *planner) add(class Class, base, origin string) {
	p.addMarked(Mutation{Origin: origin, Class: class, Base: base})
}

// addContains adds the substring probe that holds the base host whole (Mutation.Contains).
func (p *planner) addContains(base, origin string) {
	p.addMarked(Mutation{Origin: origin, Class: ClassSubstring, Base: base, Contains: true})
}

// addAfter adds a probe sent only once the probe of origin after was let through (Mutation.After).
func (p *planner) addAfter(class Class, base, origin, after string) {
	if o, err := cors.ParseOrigin(after); err == nil && !o.Opaque {
		after = o.String()
	}
	p.addMarked(Mutation{Origin: origin, Class: class, Base: base, After: after})
}

func (p *planner) addMarked(m Mutation) {
	class, base, origin := m.Class, m.Base, m.Origin
	if origin != "null" && origin != fileOrigin {
		o, err := cors.ParseOrigin(origin)
		switch {
		case err != nil && unsendable(strings.ToLower(origin)):
			m.Origin, m.Unsendable = strings.ToLower(origin), true
		case err != nil || o.Opaque:
			return
		default:
			m.Origin = o.String()
			if b, err := cors.ParseOrigin(base); err == nil && !b.Opaque && o.Host != b.Host && sameSite(o.Host, b.Host) {
				switch class {
				case ClassSuffix, ClassDot, ClassSubstring:
					m.Class = ClassSubdomain
				}
			}
		}
	}
	if p.seen[m.Origin] {
		return
	}
	p.seen[m.Origin] = true
	p.out = append(p.out, m)
}

// addDomainSub adds the probe of a sub-domain of the registered domain rd. When the host is
// one label under rd (app.example.com), the "ends with the host" probe evil<rnd>app.example.com
// is itself such a sub-domain, and this one, crossgate-app-<rnd>.example.com, is built to be let
// through only by checks that let that one through too: one label under the same domain, every
// character of that label in it, and longer, so that a "[\w-]+", "[a-z0-9-]{1,n}" or
// ".*" sub-domain pattern or an "ends with .example.com" check that takes this one takes that one.
// It is then sent only once that one was let through (Mutation.After). A deeper host
// (api.v2.example.com) gets crossgate-sub.<rd> unconditionally: its suffix probe is two labels
// down, which a one-label pattern refuses.
func (p *planner) addDomainSub(from string, b base, rd, rnd string) {
	first, rest, _ := strings.Cut(b.host, ".")
	label := "crossgate-" + first + "-" + rnd
	if rest != rd || strings.HasSuffix(label, first) {
		p.add(ClassSubdomain, from, b.origin("crossgate-sub."+rd))
		return
	}
	p.addAfter(ClassSubdomain, from, b.origin(label+"."+rd), b.origin("evil"+rnd+b.host))
}

// base is one host mutations are derived from.
type base struct {
	scheme, host, port string
	ownHost            bool
}

func (b base) origin(host string) string {
	return b.originScheme(b.scheme, host)
}

func (b base) originScheme(scheme, host string) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	s := scheme + "://" + host
	if b.port != "" {
		s += ":" + b.port
	}
	return s
}

// Plan is the ordered probe list for a target and its trusted origins: learning probes first
// (own, trusted, arbitrary, null), then per-base mutations, then fixed third-party and
// localhost probes, then the special characters of the first base. Run sends them in this
// order and stops at the budget, so the order is the priority. rnd makes the made-up names
// unique per scan. Every Origin is a valid serialized origin, "null" or "file://".
func Plan(target *url.URL, trusted []string, rnd string) []Mutation {
	p := &planner{seen: map[string]bool{}}
	var self cors.Origin
	if target != nil {
		self = cors.OriginOf(target)
	}
	if !self.Opaque {
		p.add(ClassOwn, "", self.String())
	}
	var bases []base
	for _, t := range trusted {
		o, err := cors.ParseOrigin(t)
		if err != nil || o.Opaque {
			continue
		}
		p.add(ClassTrusted, "", o.String())
		bases = append(bases, base{scheme: o.Scheme, host: o.Host, port: o.Port})
	}
	if !self.Opaque {
		// Attacker pages live on default ports whatever port the API uses, so the target's
		// own host is mutated without its port; only the downgrade keeps it.
		bases = append(bases, base{scheme: self.Scheme, host: self.Host, port: self.Port, ownHost: true})
	}
	p.add(ClassArbitrary, "", "https://evil-"+rnd+".example")
	p.add(ClassNull, "", "null")

	covered := map[string]bool{}
	var first *base
	for i := range bases {
		b := bases[i]
		// Downgrade first: it is the one mutation that also means something for an IP host.
		if b.scheme == "https" {
			p.add(ClassHTTP, b.origin(b.host), b.originScheme("http", b.host))
		}
		if b.ownHost {
			b.port = ""
		}
		if b.host == "" || covered[b.host] || strings.Contains(b.host, ":") {
			continue
		}
		covered[b.host] = true
		from := b.origin(b.host)
		evil := "evil-" + rnd + ".example"
		if hostIsAddress(b.host) {
			if first == nil {
				first = &bases[i]
			}
			// An address has no sub-domains and no look-alike domain, but prefix and
			// substring mutations are registrable names, and the dot and suffix ones show a
			// loose regex even though no browser can send them.
			p.add(ClassPrefix, from, b.originScheme(b.scheme, b.host+"."+evil))
			p.addContains(from, b.originScheme(b.scheme, "x"+b.host+"x.example"))
			if isIPv4(b.host) {
				p.add(ClassSuffix, from, b.origin("evil"+rnd+b.host))
				last := strings.LastIndexByte(b.host, '.')
				for i := 0; i < last; i++ {
					// 127.0x0.1 parses back to 127.0.0.1: only the unsendable ones test a regex.
					if o := b.origin(b.host[:i] + "x" + b.host[i+1:]); b.host[i] == '.' && unsendable(o) {
						p.add(ClassDot, from, o)
					}
				}
			}
			continue
		}
		rd := registeredDomain(b.host)
		if first == nil {
			first = &bases[i]
		}
		p.add(ClassPrefix, from, b.originScheme(b.scheme, b.host+"."+evil))
		p.add(ClassSuffix, from, b.origin("evil"+rnd+b.host))
		if rd != b.host {
			p.addAfter(ClassSuffix, from, b.origin("evil-"+rd), b.origin("evil"+rnd+b.host))
		}
		p.addContains(from, b.originScheme(b.scheme, "x"+b.host+"x.example"))
		if len(rd) > 1 {
			p.add(ClassSubstring, from, b.origin(rd[1:]))
		}
		// The last dot is left alone: "app.examplexcom" sits under a top-level domain that does
		// not exist, so nobody can host a page there even when a regex lets it through.
		last := strings.LastIndexByte(strings.TrimSuffix(b.host, "."), '.')
		for i := 0; i < last; i++ {
			if b.host[i] == '.' {
				p.add(ClassDot, from, b.origin(b.host[:i]+"x"+b.host[i+1:]))
			}
		}
		p.add(ClassSubdomain, from, b.origin("crossgate-sub."+b.host))
		if rd != b.host {
			p.addDomainSub(from, b, rd, rnd)
		}
	}
	for _, o := range localhosts {
		p.add(ClassLocalhost, "", o)
	}
	for _, o := range thirdParty {
		p.add(ClassThirdParty, "", o)
	}
	if first != nil {
		from := first.origin(first.host)
		for _, c := range specialChars {
			p.add(ClassSpecial, from, first.originScheme(first.scheme, first.host+c+".evil-"+rnd+".example"))
		}
	}
	// Last: another service on a trusted host, and only some WebViews send file://, so these
	// are the first probes the budget drops.
	for _, b := range bases {
		if !b.ownHost {
			from := b.origin(b.host)
			b.port = otherPort(b.port)
			p.add(ClassPort, from, b.origin(b.host))
			break
		}
	}
	p.add(ClassFile, "", fileOrigin)
	return p.out
}
