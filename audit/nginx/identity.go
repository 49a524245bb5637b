package nginx

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/idheaders"
	"github.com/crossgate/crossgate/remedy"
)

// identityVars are the nginx variables that carry what the client certificate says.
var identityVars = []string{
	"$ssl_client_s_dn", "$ssl_client_i_dn", "$ssl_client_cert", "$ssl_client_raw_cert",
	"$ssl_client_escaped_cert", "$ssl_client_fingerprint", "$ssl_client_serial",
	"$ssl_client_s_dn_legacy", "$ssl_client_i_dn_legacy", "$ssl_client_v_start", "$ssl_client_v_end",
}

// IsIdentityHeader reports whether name (any case, '-' or '_') carries client-certificate
// identity: one of the identity headers crossgate knows (idheaders, the list guard strips and
// the scan forges), or a name that reads like one, as a home-grown proxy might choose.
func IsIdentityHeader(name string) bool {
	if idheaders.IsIdentity(name) {
		return true
	}
	n := foldHeader(name)
	return strings.Contains(n, "client") && (strings.Contains(n, "cert") || strings.Contains(n, "-dn") || strings.Contains(n, "verify") || strings.Contains(n, "subject"))
}

// foldHeader compares header names the way WSGI does: case-insensitive, '-' and '_' alike.
func foldHeader(n string) string { return strings.ToLower(strings.ReplaceAll(n, "_", "-")) }

func usesIdentityVar(v string) bool {
	return slices.ContainsFunc(identityVars, func(iv string) bool { return containsVar(v, iv) })
}

// header is one proxy_set_header in effect.
type header struct {
	name  string // lower case
	value string
	d     *Directive
}

// headerDirective is the directive that sets request headers for a pass directive:
// grpc_pass ignores proxy_set_header and has grpc_set_header instead.
func headerDirective(pass *Directive) string {
	if pass == nil {
		return "proxy_set_header"
	}
	switch pass.Name {
	case "grpc_pass":
		return "grpc_set_header"
	case "uwsgi_pass":
		return "uwsgi_param"
	case "fastcgi_pass":
		return "fastcgi_param"
	case "scgi_pass":
		return "scgi_param"
	}
	return "proxy_set_header"
}

// setsHeader reads d as setting a request header for the backend, and returns the header's
// name in lower case: proxy_set_header and grpc_set_header name it, and uwsgi_param,
// fastcgi_param and scgi_param HTTP_X_Y replace the client's X-Y (nginx skips a client
// header whose HTTP_ name a param sets).
func setsHeader(d *Directive) (string, bool) {
	if len(d.Args) < 1 {
		return "", false
	}
	switch d.Name {
	case "proxy_set_header", "grpc_set_header":
		return strings.ToLower(d.Args[0]), true
	case "uwsgi_param", "fastcgi_param", "scgi_param":
		if n := d.Args[0]; len(n) > 5 && strings.EqualFold(n[:5], "HTTP_") {
			return strings.ToLower(strings.ReplaceAll(n[5:], "_", "-")), true
		}
	}
	return "", false
}

// ownHeaders returns block's own proxy_set_header (or grpc_set_header) directives (nil when it has none, which is
// what makes it inherit).
func ownHeaders(block []*Directive, name string) []header {
	var out []header
	for _, d := range block {
		if d.Name != name {
			continue
		}
		if n, ok := setsHeader(d); ok {
			out = append(out, header{name: n, value: strings.Join(d.Args[1:], " "), d: d})
		} else if len(d.Args) >= 1 {
			// a non-header param (QUERY_STRING...) still makes the level's own list
			out = append(out, header{name: "", value: strings.Join(d.Args[1:], " "), d: d})
		}
	}
	return out
}

type proxyLocation struct {
	loc  *Directive
	pass *Directive
	// levels from the location outwards: location, parent locations..., server, http
	effective []header
	// shadow is the location whose own proxy_set_header cut the inheritance (nil if the
	// server or http level is in effect).
	shadow *Directive
	// chain is the location and the locations around it, outermost first.
	chain []*Directive
}

// proxyLocations lists the locations of a server that pass requests upstream, each with the
// header directives in effect there.
func proxyLocations(s server) []proxyLocation {
	var out []proxyLocation
	s.walkLocations(func(d *Directive, chain []*Directive) {
		p := proxies(d.Block)
		if p == nil {
			return
		}
		pl := proxyLocation{loc: d, pass: p, chain: chain}
		hd := headerDirective(p)
		for i := len(chain) - 1; i >= 0; i-- {
			if h := ownHeaders(chain[i].Block, hd); h != nil {
				pl.effective, pl.shadow = h, chain[i]
				break
			}
		}
		if pl.shadow == nil {
			if h := ownHeaders(s.d.Block, hd); h != nil {
				pl.effective = h
			} else {
				pl.effective = ownHeaders(s.http, hd)
			}
		}
		out = append(out, pl)
	})
	return out
}

var ruleIdentityHeadersNotCleared = finding.Rule{
	ID: "nginx-identity-headers-not-cleared", Family: "nginx", Severity: finding.Critical, CWE: []string{"CWE-290"}, OWASP: "API8:2023",
	Title:   "Client identity headers not overwritten by nginx",
	Summary: "identity headers forwarded without overwriting the client's own (including the proxy_set_header inheritance trap in location blocks).",
}

func (c *checker) identityHeaders(s server) {
	// What the config means to send the application: every identity header it sets anywhere
	// for this server. The app reads those, so each proxying location must overwrite them.
	intended := map[string]*Directive{}
	var order []string
	s.each(func(d *Directive, _ []*Directive) {
		if n, ok := setsHeader(d); ok && IsIdentityHeader(n) {
			if _, ok := intended[n]; !ok {
				intended[n] = d
				order = append(order, n)
			}
		}
	})
	locs := proxyLocations(s)
	// A location whose own proxy_set_header cuts the inheritance also cuts it for every
	// nested location without headers of its own: one mistake, one finding, at the shadowing
	// location, naming the nested ones.
	reported := map[*Directive]*trap{}
	for _, pl := range locs {
		have := map[string]header{}
		for _, h := range pl.effective {
			have[h.name] = h
		}
		var missing []string
		var missingSrc []*Directive
		var notes []string
		for _, n := range order {
			if _, ok := have[n]; ok {
				continue
			}
			src := intended[n]
			missingSrc = append(missingSrc, src)
			missing = append(missing, src.Args[0])
			notes = append(notes, fmt.Sprintf("%s sets %s, but it is not in effect in location %s", c.where(src), src.Args[0], strings.Join(pl.loc.Args, " ")))
		}
		if len(missing) > 0 && pl.shadow != nil && pl.shadow != pl.loc && reported[pl.shadow] != nil {
			f := &reported[pl.shadow].f
			f.Evidence.Notes = append(f.Evidence.Notes, fmt.Sprintf("nested location %s (%s) proxies with the same headers, so it is affected too", strings.Join(pl.loc.Args, " "), c.where(pl.loc)))
			missing = nil
		}
		if len(missing) > 0 {
			at := pl.pass
			how := "proxies without overwriting them"
			if pl.pass.Name == "grpc_pass" {
				how = "passes to gRPC without grpc_set_header for them (grpc_pass ignores proxy_set_header)"
			}
			loc := pl.loc
			if pl.shadow != nil {
				loc = pl.shadow
				hd := headerDirective(pl.pass)
				at = ownHeaders(pl.shadow.Block, hd)[0].d
				how = fmt.Sprintf("has its own %s (%s), so it inherits none of the outer ones", hd, c.where(at))
				if !c.setOutside(s, pl, missingSrc) {
					// the identity headers are set only in other locations
					how = fmt.Sprintf("has its own %s (%s) but does not set the identity headers that other locations set", hd, c.where(at))
				}
			}
			f := finding.New(ruleIdentityHeadersNotCleared.ID)
			verb := "reaches"
			if len(missing) > 1 {
				verb = "reach"
			}
			f.Detail = fmt.Sprintf("Location %s (%s) %s: the client's own %s %s the application unchanged, so anyone can claim any certificate identity.", strings.Join(loc.Args, " "), c.where(loc), how, strings.Join(missing, ", "), verb)
			f.SeverityReason = "A request header the client controls is read as the verified certificate identity."
			f.Evidence.Snippet = c.cfg.Snippet(loc) + "\n" + c.cfg.Snippet(at)
			f.Evidence.Notes = notes
			f.Remediation = "Repeat the identity headers in every location that proxies (a location with any proxy_set_header of its own inherits none):\n\n" + remedy.MTLSNginx()
			if at.File != loc.File {
				// The shadowing proxy_set_header comes from an included snippet that other,
				// correct locations include too: the fix belongs in this location.
				f.Evidence.Notes = append(f.Evidence.Notes, fmt.Sprintf("the proxy_set_header at %s is included into location %s", c.where(at), strings.Join(loc.Args, " ")))
				at = loc
			}
			if pl.shadow != nil {
				reported[pl.shadow] = &trap{f: f, at: at, disc: "trap:" + strings.Join(missing, ",")}
				continue
			}
			c.emit(f, at, "trap:"+strings.Join(missing, ","))
		}
		for _, h := range pl.effective {
			if !IsIdentityHeader(h.name) {
				continue
			}
			if v, via := c.clientValue(h.value, 0); v != "" {
				f := finding.New(ruleIdentityHeadersNotCleared.ID)
				f.Detail = fmt.Sprintf("proxy_set_header %s takes its value from the request header %s, which the client sends itself: the application receives a client-chosen identity.", h.d.Args[0], v)
				if via != nil {
					f.Detail = fmt.Sprintf("proxy_set_header %s takes its value through %s (%s), which can yield the request header %s, which the client sends itself: on that path the application receives a client-chosen identity.", h.d.Args[0], strings.Join(append([]string{via.Name}, via.Args...), " "), c.where(via), v)
					f.Evidence.Snippet = c.cfg.Snippet(h.d) + "\n" + c.cfg.Snippet(via)
				}
				f.SeverityReason = "The identity header is copied from the client's own request."
				f.Remediation = "Set identity headers from nginx's TLS variables, never from $http_* (also not as a map's default or fallback):\n\n" + remedy.MTLSNginx()
				c.emit(f, h.d, "client:"+pl.loc.File+fmt.Sprint(pl.loc.Line))
			}
		}
	}
	for _, shadow := range sortedShadows(reported) {
		t := reported[shadow]
		c.emit(t.f, t.at, t.disc)
	}
	c.appReadsNotOverwritten(s, locs, intended)
	if len(order) == 0 && !isMTLS(s) {
		return
	}
	// Underscore variants: with underscores_in_headers on (or ignore_invalid_headers off) nginx
	// passes X_SSL_Client_S_DN, which WSGI servers map onto the same HTTP_X_SSL_CLIENT_S_DN.
	var gate *Directive
	for _, blk := range [][]*Directive{s.http, s.d.Block} {
		if d := last(blk, "underscores_in_headers"); d != nil {
			if strings.EqualFold(d.Arg(0), "on") {
				gate = d
			} else {
				gate = nil
			}
		}
		if d := last(blk, "ignore_invalid_headers"); d != nil && strings.EqualFold(d.Arg(0), "off") {
			gate = d
		}
	}
	if gate == nil || len(order) == 0 || len(locs) == 0 {
		return
	}
	var open []string
	for _, n := range order {
		u := strings.ReplaceAll(n, "-", "_")
		for _, pl := range locs {
			// uwsgi/fastcgi/scgi compare header names with '-' and '_' folded, so their
			// HTTP_* params replace both spellings.
			cleared := strings.HasSuffix(headerDirective(pl.pass), "_param")
			for _, h := range pl.effective {
				if h.name == u {
					cleared = true
				}
			}
			if !cleared {
				open = append(open, intended[n].Args[0])
				break
			}
		}
	}
	if len(open) == 0 {
		return
	}
	f := finding.New(ruleIdentityHeadersNotCleared.ID)
	f.Detail = fmt.Sprintf("%s lets headers with underscores through, so a client can send %s: proxy_set_header overwrites only the dashed names, and WSGI servers map both spellings to the same HTTP_* key.", strings.Join(append([]string{gate.Name}, gate.Args...), " "), underscored(open))
	f.SeverityReason = "An underscore spelling of an identity header bypasses the overwrite."
	f.Remediation = "Remove " + gate.Name + " (the defaults drop headers with underscores), or clear each underscore spelling in every proxying location:\n\n" +
		remedy.NginxNoUnderscoreHeaders()
	c.emit(f, gate, "underscore:"+c.where(s.d))
}

// appReadsNotOverwritten reports a proxying location of an mTLS server that leaves an
// identity header the application reads (found in the audited code) as the client sent it:
// the application then takes the client's claim for the verified certificate.
func (c *checker) appReadsNotOverwritten(s server, locs []proxyLocation, intended map[string]*Directive) {
	if len(c.opts.AppReads) == 0 || !isMTLS(s) {
		return
	}
	setHere := map[string]bool{}
	for n := range intended {
		setHere[foldHeader(n)] = true
	}
	for _, pl := range locs {
		if strings.HasSuffix(headerDirective(pl.pass), "_param") {
			continue // *_param passes: the params rules above judge them
		}
		have := map[string]bool{}
		for _, h := range pl.effective {
			have[foldHeader(h.name)] = true
		}
		var open, where []string
		seen := map[string]bool{}
		for _, a := range c.opts.AppReads {
			k := foldHeader(a.Name)
			if have[k] || seen[k] {
				continue
			}
			if setHere[k] {
				continue // set elsewhere for this server: the inheritance rule above reports it
			}
			seen[k] = true
			open = append(open, a.Name)
			where = append(where, a.Where)
		}
		if len(open) == 0 {
			continue
		}
		f := finding.New(ruleIdentityHeadersNotCleared.ID)
		verb := "reaches"
		if len(open) > 1 {
			verb = "reach"
		}
		f.Detail = fmt.Sprintf("Location %s (%s) of this client-certificate server proxies without setting %s, which the application reads (%s): the client's own value %s the application unchanged, so anyone can claim any certificate identity.",
			strings.Join(pl.loc.Args, " "), c.where(pl.loc), strings.Join(open, ", "), strings.Join(where, ", "), verb)
		f.SeverityReason = "A request header the client controls is read by the application as the verified certificate identity, and nginx never overwrites it."
		f.Evidence.Snippet = c.cfg.Snippet(pl.loc) + "\n" + c.cfg.Snippet(pl.pass)
		f.Remediation = "Overwrite every identity header the application reads, in every location that proxies (an empty value removes a client-sent one):\n\n" + remedy.MTLSNginx()
		c.emit(f, pl.pass, "app:"+strings.Join(open, ","))
	}
}

// setOutside reports whether one of srcs sits at a level the shadowing location would
// otherwise inherit from: the http block, the server block, or a location around it.
func (c *checker) setOutside(s server, pl proxyLocation, srcs []*Directive) bool {
	levels := [][]*Directive{s.http, s.d.Block}
	for _, a := range pl.chain {
		if a == pl.shadow {
			break
		}
		levels = append(levels, a.Block)
	}
	return slices.ContainsFunc(levels, func(l []*Directive) bool {
		return slices.ContainsFunc(l, func(d *Directive) bool { return slices.Contains(srcs, d) })
	})
}

// trap is a pending inheritance-trap finding and the directive it is reported at.
type trap struct {
	f    finding.Finding
	at   *Directive
	disc string
}

// sortedShadows orders the shadowing locations by position, for stable output.
func sortedShadows(m map[*Directive]*trap) []*Directive {
	return slices.SortedFunc(maps.Keys(m), func(a, b *Directive) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

func underscored(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.ReplaceAll(n, "-", "_")
	}
	return strings.Join(out, ", ")
}

// clientValue returns the request-header variable ($http_*) that value can carry, directly or
// through the maps and set directives that define its variables (any result of a map counts,
// its default too: "default $http_x_ssl_client_s_dn;" passes the client's header whenever no
// other line matches), and the map or set that yields it (nil when value names it itself).
func (c *checker) clientValue(value string, depth int) (string, *Directive) {
	if depth > 8 {
		return "", nil // maps that refer to each other: nginx refuses the cycle at run time
	}
	for _, v := range varsIn(value) {
		if strings.HasPrefix(v, "$http_") {
			return v, nil
		}
		for _, m := range c.maps[v] {
			results := []string{m.Default}
			for _, e := range m.Entries {
				results = append(results, e.Value)
			}
			for _, r := range results {
				if hv, inner := c.clientValue(r, depth+1); hv != "" {
					return hv, cmp.Or(inner, m.D)
				}
			}
		}
		for _, s := range c.sets {
			if len(s.d.Args) >= 2 && s.d.Args[0] == v {
				if hv, inner := c.clientValue(s.d.Args[1], depth+1); hv != "" {
					return hv, cmp.Or(inner, s.d)
				}
			}
		}
	}
	return "", nil
}
