package nginx

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/remedy"
)

// Options tunes Check.
type Options struct {
	// RelPath maps a parsed file path to the path findings report (relative to the audited
	// root); nil keeps paths as parsed.
	RelPath func(string) string
	// AppReads names the identity headers the application code in the same audit reads
	// (e.g. "X-SSL-Client-S-DN", from request.META["HTTP_X_SSL_CLIENT_S_DN"]) and where.
	// A proxying location that does not overwrite one of them hands the client's own value
	// to the application.
	AppReads []AppHeader
}

// AppHeader is an identity header the application reads, and the place that reads it.
type AppHeader struct {
	Name  string // dashed form, e.g. X-SSL-Client-S-DN
	Where string // file:line
}

// foldHeader compares header names the way WSGI does: case-insensitive, '-' and '_' alike.
func foldHeader(n string) string { return strings.ToLower(strings.ReplaceAll(n, "_", "-")) }

// identityHeaders are the request headers proxies and apps use to carry the client
// certificate's identity or verification result (lower case).
var identityHeaders = map[string]bool{
	"x-ssl-client-s-dn": true, "x-ssl-client-dn": true, "x-ssl-client-verify": true,
	"x-ssl-client-cert": true, "x-ssl-cert": true, "x-ssl-client-i-dn": true,
	"x-ssl-client-serial": true, "x-ssl-client-fingerprint": true, "x-ssl-client-escaped-cert": true,
	"x-client-cert": true, "x-client-verify": true, "x-client-dn": true, "x-client-s-dn": true,
	"x-client-cert-dn": true, "x-forwarded-client-cert": true, "client-cert": true,
	"client-cert-chain": true, "ssl-client-cert": true, "x-arr-clientcert": true,
	"x-amzn-mtls-clientcert": true, "x-client-certificate": true, "x-ssl-subject": true,
}

// identityVars are the nginx variables that carry what the client certificate says.
var identityVars = []string{
	"$ssl_client_s_dn", "$ssl_client_i_dn", "$ssl_client_cert", "$ssl_client_raw_cert",
	"$ssl_client_escaped_cert", "$ssl_client_fingerprint", "$ssl_client_serial",
	"$ssl_client_s_dn_legacy", "$ssl_client_i_dn_legacy", "$ssl_client_v_start", "$ssl_client_v_end",
}

// IsIdentityHeader reports whether name (any case, '-' or '_') carries client-certificate identity.
func IsIdentityHeader(name string) bool {
	n := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
	if identityHeaders[n] {
		return true
	}
	return strings.Contains(n, "client") && (strings.Contains(n, "cert") || strings.Contains(n, "-dn") || strings.Contains(n, "verify") || strings.Contains(n, "subject"))
}

func usesIdentityVar(v string) bool {
	for _, iv := range identityVars {
		if containsVar(v, iv) {
			return true
		}
	}
	return false
}

// containsVar reports whether value references the nginx variable name ("$x" or "${x}"),
// not merely a longer variable that starts the same.
func containsVar(value, name string) bool {
	bare := strings.TrimPrefix(name, "$")
	if strings.Contains(value, "${"+bare+"}") {
		return true
	}
	for i := 0; ; {
		j := strings.Index(value[i:], name)
		if j < 0 {
			return false
		}
		end := i + j + len(name)
		if end == len(value) || !isVarChar(value[end]) {
			return true
		}
		i = end
	}
}

func isVarChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

var varRE = regexp.MustCompile(`\$\{?([A-Za-z0-9_]+)\}?`)

func varsIn(v string) []string {
	var out []string
	for _, m := range varRE.FindAllStringSubmatch(v, -1) {
		out = append(out, "$"+m[1])
	}
	return out
}

// forwardDirectives pass request headers or parameters to an upstream.
var forwardDirectives = map[string]bool{
	"proxy_set_header": true, "grpc_set_header": true, "fastcgi_param": true,
	"uwsgi_param": true, "scgi_param": true,
}

var passDirectives = map[string]bool{"proxy_pass": true, "grpc_pass": true, "uwsgi_pass": true, "fastcgi_pass": true, "scgi_pass": true}

type checker struct {
	cfg  *Config
	opts Options
	out  []finding.Finding
	maps map[string][]*Map
	sets []setAssign
}

type setAssign struct {
	d   *Directive
	anc []*Directive
}

type server struct {
	d    *Directive
	http []*Directive // the http-level block around it
}

// Check runs every nginx rule over cfg.
func Check(cfg *Config, opts Options) []finding.Finding {
	c := &checker{cfg: cfg, opts: opts, maps: map[string][]*Map{}}
	https := httpBlocks(cfg)
	Walk(cfg.Directives, func(d *Directive, anc []*Directive) bool {
		switch d.Name {
		case "map":
			if m := ParseMap(d); m != nil {
				c.maps[m.Variable] = append(c.maps[m.Variable], m)
			}
			return false
		case "set":
			c.sets = append(c.sets, setAssign{d: d, anc: anc})
		case "ssl_protocols":
			c.weakTLS(d)
		}
		return true
	})
	for _, h := range https {
		var servers []server
		for _, d := range h {
			if d.Name == "server" && d.HasBlock {
				servers = append(servers, server{d: d, http: h})
			}
		}
		for _, s := range servers {
			c.verifyClient(s)
			c.identityHeaders(s)
			c.dotfiles(s)
		}
		c.cors(h, servers)
	}
	return c.out
}

// httpBlocks returns the http-level blocks: each "http { }", or the whole file when it is a
// fragment (a sites-enabled file whose top level is server blocks, included inside http).
func httpBlocks(cfg *Config) [][]*Directive {
	var out [][]*Directive
	for _, d := range cfg.Directives {
		if d.Name == "http" && d.HasBlock {
			out = append(out, d.Block)
		}
	}
	if len(out) == 0 {
		out = append(out, cfg.Directives)
	}
	return out
}

func (c *checker) rel(p string) string {
	if c.opts.RelPath != nil {
		return c.opts.RelPath(p)
	}
	return p
}

func (c *checker) emit(f finding.Finding, d *Directive, discriminator string) {
	f.File = c.rel(d.File)
	f.Line = d.Line
	f.Column = d.Column
	if f.Evidence.Snippet == "" {
		f.Evidence.Snippet = c.cfg.Snippet(d)
	}
	f.Seal(discriminator)
	c.out = append(c.out, f)
}

func (c *checker) where(d *Directive) string {
	return fmt.Sprintf("%s:%d", c.rel(d.File), d.Line)
}

func serverName(s server) string {
	if sn := First(s.d.Block, "server_name"); sn != nil && len(sn.Args) > 0 {
		return sn.Args[0]
	}
	if l := First(s.d.Block, "listen"); l != nil && len(l.Args) > 0 {
		return "listening on " + l.Args[0]
	}
	return "(unnamed)"
}

// last returns the last directive named name in block (nginx keeps the last one for most
// single-value directives; duplicates are an error it reports itself).
func last(block []*Directive, name string) *Directive {
	var out *Directive
	for _, d := range block {
		if d.Name == name {
			out = d
		}
	}
	return out
}

// verifyMode returns the effective ssl_verify_client of a server and the directive setting it.
func verifyMode(s server) (string, *Directive) {
	d := last(s.d.Block, "ssl_verify_client")
	if d == nil {
		d = last(s.http, "ssl_verify_client")
	}
	if d == nil {
		return "off", nil
	}
	return strings.ToLower(d.Arg(0)), d
}

func isMTLS(s server) bool {
	m, _ := verifyMode(s)
	return m == "on" || m == "optional" || m == "optional_no_ca"
}

// scope returns the directives in effect for a server: its own subtree plus the http level
// (without the other servers).
func (s server) each(fn func(d *Directive, anc []*Directive)) {
	for _, d := range s.http {
		if d.Name == "server" || d.Name == "map" {
			continue
		}
		fn(d, nil)
	}
	Walk([]*Directive{s.d}, func(d *Directive, anc []*Directive) bool {
		if d.Name == "map" {
			return false
		}
		fn(d, anc)
		return true
	})
}

// checksVerify reports whether the server looks at $ssl_client_verify: an if on it (directly
// or through a map of it), or forwarding it to the application.
func (c *checker) checksVerify(s server) (enforced, forwarded bool) {
	refs := c.refsVerify
	s.each(func(d *Directive, _ []*Directive) {
		switch {
		case d.Name == "if" && refs(strings.Join(d.Args, " ")):
			enforced = true
		case forwardDirectives[d.Name] && len(d.Args) >= 2 && refs(strings.Join(d.Args[1:], " ")):
			forwarded = true
		}
	})
	return enforced, forwarded
}

func (c *checker) verifyClient(s server) {
	mode, vd := verifyMode(s)
	if vd == nil {
		return
	}
	enforced, forwarded := c.checksVerify(s)
	switch mode {
	case "optional":
		if enforced && !forwarded {
			c.partialGate(s, vd)
		}
		if enforced || forwarded {
			return
		}
		f := finding.New("nginx-verify-client-optional")
		f.Detail = fmt.Sprintf("Server %s sets ssl_verify_client optional, so a client without a certificate gets through with $ssl_client_verify = NONE, and nothing in the config checks $ssl_client_verify (no if on it, and it is not forwarded to the application to check).", serverName(s))
		f.SeverityReason = "Requests without any client certificate reach the application, which cannot tell them from verified ones."
		f.Remediation = "Require the certificate at the TLS layer, or keep optional and refuse unverified requests yourself:\n\n" +
			MTLSRemediation() + "\n# or, where some paths must stay open, inside server { ... }:\n" +
			"if ($ssl_client_verify != SUCCESS) { return 403; }\n"
		c.emit(f, vd, c.where(s.d))
	case "optional_no_ca":
		var passes []string
		allGated := c.everyProxyGated(s)
		s.each(func(d *Directive, anc []*Directive) {
			// A location that refuses unverified requests forwards only verified
			// identities; a server- or http-level one counts unless every proxying
			// location refuses them.
			if c.chainGated(anc) || len(anc) <= 1 && allGated {
				return
			}
			if forwardDirectives[d.Name] && len(d.Args) >= 2 && usesIdentityVar(strings.Join(d.Args[1:], " ")) {
				passes = append(passes, fmt.Sprintf("%s: %s", c.where(d), strings.TrimSpace(c.cfg.Line(d.File, d.Line))))
			}
		})
		if len(passes) == 0 || c.serverLevelVerifyGate(s) {
			return
		}
		f := finding.New("nginx-verify-client-optional-no-ca")
		f.Detail = fmt.Sprintf("Server %s sets ssl_verify_client optional_no_ca, which lets certificates from any CA (self-signed ones included) through with $ssl_client_verify = FAILED, and passes the certificate's identity upstream (%d directive(s)); anyone can mint a certificate with the subject the application trusts.", serverName(s), len(passes))
		f.SeverityReason = "A self-made certificate with any subject is accepted and its subject forwarded as identity."
		f.Evidence.Notes = passes
		f.Remediation = "Verify the issuer in nginx: optional_no_ca is only for applications that validate the whole certificate themselves.\n\n" + MTLSRemediation()
		c.emit(f, vd, c.where(s.d))
	}
}

// partialGate handles a server that checks $ssl_client_verify in some locations only, and
// forwards no identity to the application: the proxying locations without the check let
// requests without a certificate through to an application that cannot tell.
func (c *checker) partialGate(s server, vd *Directive) {
	if c.serverLevelVerifyGate(s) {
		return
	}
	forwardsIdentity := false
	s.each(func(d *Directive, _ []*Directive) {
		if forwardDirectives[d.Name] && len(d.Args) >= 2 && (IsIdentityHeader(d.Args[0]) || usesIdentityVar(strings.Join(d.Args[1:], " "))) {
			forwardsIdentity = true
		}
	})
	if forwardsIdentity {
		// The application receives the identity (absent without a certificate); whether
		// every location forwards it is the identity-headers rule's business.
		return
	}
	gated := func(block []*Directive) bool {
		for _, d := range block {
			if d.Name == "if" && c.refsVerify(strings.Join(d.Args, " ")) {
				return true
			}
		}
		return false
	}
	var open []string
	var visit func(block []*Directive, covered bool)
	visit = func(block []*Directive, covered bool) {
		for _, d := range block {
			if d.Name != "location" || !d.HasBlock {
				continue
			}
			cov := covered || gated(d.Block)
			if p := proxies(d.Block); p != nil && !cov {
				open = append(open, fmt.Sprintf("location %s (%s) proxies to %s without checking $ssl_client_verify", strings.Join(d.Args, " "), c.where(d), p.Arg(0)))
			}
			visit(d.Block, cov)
		}
	}
	visit(s.d.Block, false)
	if len(open) == 0 {
		return
	}
	f := finding.New("nginx-verify-client-optional")
	f.Detail = fmt.Sprintf("Server %s sets ssl_verify_client optional and refuses unverified requests in some locations only; %d proxying location(s) pass requests without any client certificate to the application, and no certificate identity or verify result is forwarded for it to check.", serverName(s), len(open))
	f.SetSeverity(finding.Medium, "Some locations enforce the certificate; the open ones may be public on purpose, but they reach the application with no sign of whether a certificate was verified.")
	f.Evidence.Notes = open
	f.Remediation = "Put the check in the server block, so that it covers every location, or repeat it in each proxying location:\n\n" +
		"if ($ssl_client_verify != SUCCESS) { return 403; }\n"
	c.emit(f, vd, c.where(s.d)+":partial")
}

// refsVerify reports whether v reads $ssl_client_verify, directly or through a map of it.
func (c *checker) refsVerify(v string) bool {
	if containsVar(v, "$ssl_client_verify") {
		return true
	}
	for _, name := range varsIn(v) {
		for _, m := range c.maps[name] {
			if containsVar(m.Source, "$ssl_client_verify") {
				return true
			}
		}
	}
	return false
}

// verifyGate reports an "if" on $ssl_client_verify (or a map of it) that returns, directly
// in block.
func (c *checker) verifyGate(block []*Directive) bool {
	for _, d := range block {
		if d.Name == "if" && c.refsVerify(strings.Join(d.Args, " ")) && First(d.Block, "return") != nil {
			return true
		}
	}
	return false
}

// chainGated reports whether one of the location blocks around a directive refuses
// unverified requests.
func (c *checker) chainGated(anc []*Directive) bool {
	for _, a := range anc {
		if a.Name == "location" && c.verifyGate(a.Block) {
			return true
		}
	}
	return false
}

// everyProxyGated reports whether every location that proxies sits in a location that
// refuses unverified requests (and there is at least one).
func (c *checker) everyProxyGated(s server) bool {
	n := 0
	all := true
	var visit func(block []*Directive, gated bool)
	visit = func(block []*Directive, gated bool) {
		for _, d := range block {
			if d.Name != "location" || !d.HasBlock {
				continue
			}
			g := gated || c.verifyGate(d.Block)
			if proxies(d.Block) != nil {
				n++
				all = all && g
			}
			visit(d.Block, g)
		}
	}
	visit(s.d.Block, false)
	return n > 0 && all
}

// serverLevelVerifyGate reports an "if ($ssl_client_verify != SUCCESS) { return ...; }" directly
// in the server block, which refuses every unverified request before any location runs.
func (c *checker) serverLevelVerifyGate(s server) bool { return c.verifyGate(s.d.Block) }

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

func proxies(block []*Directive) *Directive {
	for _, d := range block {
		if passDirectives[d.Name] {
			return d
		}
		if (d.Name == "if" || d.Name == "limit_except") && d.HasBlock {
			if p := proxies(d.Block); p != nil {
				return p
			}
		}
	}
	return nil
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

func (c *checker) proxyLocations(s server) []proxyLocation {
	var out []proxyLocation
	var visit func(block []*Directive, chain []*Directive)
	visit = func(block []*Directive, chain []*Directive) {
		for _, d := range block {
			if d.Name != "location" || !d.HasBlock {
				continue
			}
			ch := append(chain[:len(chain):len(chain)], d)
			if p := proxies(d.Block); p != nil {
				pl := proxyLocation{loc: d, pass: p, chain: ch}
				hd := headerDirective(p)
				for i := len(ch) - 1; i >= 0; i-- {
					if h := ownHeaders(ch[i].Block, hd); h != nil {
						pl.effective, pl.shadow = h, ch[i]
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
			}
			visit(d.Block, ch)
		}
	}
	visit(s.d.Block, nil)
	return out
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
	locs := c.proxyLocations(s)
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
			f := finding.New("nginx-identity-headers-not-cleared")
			verb := "reaches"
			if len(missing) > 1 {
				verb = "reach"
			}
			f.Detail = fmt.Sprintf("Location %s (%s) %s: the client's own %s %s the application unchanged, so anyone can claim any certificate identity.", strings.Join(loc.Args, " "), c.where(loc), how, strings.Join(missing, ", "), verb)
			f.SeverityReason = "A request header the client controls is read as the verified certificate identity."
			f.Evidence.Snippet = c.cfg.Snippet(loc) + "\n" + c.cfg.Snippet(at)
			f.Evidence.Notes = notes
			f.Remediation = "Repeat the identity headers in every location that proxies (a location with any proxy_set_header of its own inherits none):\n\n" + MTLSRemediation()
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
			for _, v := range varsIn(h.value) {
				if strings.HasPrefix(v, "$http_") {
					f := finding.New("nginx-identity-headers-not-cleared")
					f.Detail = fmt.Sprintf("proxy_set_header %s takes its value from the request header %s, which the client sends itself: the application receives a client-chosen identity.", h.d.Args[0], v)
					f.SeverityReason = "The identity header is copied from the client's own request."
					f.Remediation = "Set identity headers from nginx's TLS variables, never from $http_*:\n\n" + MTLSRemediation()
					c.emit(f, h.d, "client:"+pl.loc.File+fmt.Sprint(pl.loc.Line))
					break
				}
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
	f := finding.New("nginx-identity-headers-not-cleared")
	f.Detail = fmt.Sprintf("%s lets headers with underscores through, so a client can send %s: proxy_set_header overwrites only the dashed names, and WSGI servers map both spellings to the same HTTP_* key.", strings.Join(append([]string{gate.Name}, gate.Args...), " "), underscored(open))
	f.SeverityReason = "An underscore spelling of an identity header bypasses the overwrite."
	f.Remediation = "Remove " + gate.Name + " (the defaults drop headers with underscores), or clear each underscore spelling in every proxying location:\n\n" +
		"underscores_in_headers off;\nignore_invalid_headers on;\n"
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
		f := finding.New("nginx-identity-headers-not-cleared")
		verb := "reaches"
		if len(open) > 1 {
			verb = "reach"
		}
		f.Detail = fmt.Sprintf("Location %s (%s) of this client-certificate server proxies without setting %s, which the application reads (%s): the client's own value %s the application unchanged, so anyone can claim any certificate identity.",
			strings.Join(pl.loc.Args, " "), c.where(pl.loc), strings.Join(open, ", "), strings.Join(where, ", "), verb)
		f.SeverityReason = "A request header the client controls is read by the application as the verified certificate identity, and nginx never overwrites it."
		f.Evidence.Snippet = c.cfg.Snippet(pl.loc) + "\n" + c.cfg.Snippet(pl.pass)
		f.Remediation = "Overwrite every identity header the application reads, in every location that proxies (an empty value removes a client-sent one):\n\n" + MTLSRemediation()
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
	for _, src := range srcs {
		for _, l := range levels {
			for _, d := range l {
				if d == src {
					return true
				}
			}
		}
	}
	return false
}

// trap is a pending inheritance-trap finding and the directive it is reported at.
type trap struct {
	f    finding.Finding
	at   *Directive
	disc string
}

// sortedShadows orders the shadowing locations by position, for stable output.
func sortedShadows(m map[*Directive]*trap) []*Directive {
	out := make([]*Directive, 0, len(m))
	for d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line || out[i].Line == out[j].Line && out[i].Column < out[j].Column
	})
	return out
}

func underscored(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.ReplaceAll(n, "-", "_")
	}
	return strings.Join(out, ", ")
}

// isDenyDot reports a regex location that refuses dotfile paths.
func isDenyDot(d *Directive) bool {
	if d.Name != "location" {
		return false
	}
	mod, pat := LocationMatch(d)
	if mod != "~" && mod != "~*" {
		return false
	}
	if !matchesDotfiles(pat) {
		return false
	}
	for _, b := range d.Block {
		switch b.Name {
		case "deny":
			if strings.EqualFold(b.Arg(0), "all") {
				return true
			}
		case "return":
			if a := b.Arg(0); len(a) == 3 && (a[0] == '4' || a == "444") {
				return true
			}
		case "internal":
			return true
		}
	}
	return false
}

var lookahead = regexp.MustCompile(`\(\?[!=<][^)]*\)`)

// matchesDotfiles reports whether an nginx (PCRE) location regex matches /.env and /.git/config.
// Go's regexp has no lookahead, so "(?!well-known)" is dropped before testing: the probes do
// not start with well-known anyway.
func matchesDotfiles(pat string) bool {
	re, err := regexp.Compile(lookahead.ReplaceAllString(pat, ""))
	if err != nil {
		return strings.Contains(pat, `/\.`)
	}
	return re.MatchString("/.env") && re.MatchString("/.git/config") && re.MatchString("/app/.env")
}

// canMatchDotfile reports whether a location can match a dotfile path at all: an exact
// location matches one URI, and a regex location such as \.(png|css)$ only files with those
// extensions. A regex Go cannot compile counts as matching.
func canMatchDotfile(d *Directive) bool {
	mod, pat := LocationMatch(d)
	switch mod {
	case "=":
		return strings.Contains(pat, "/.")
	case "~", "~*":
		expr := lookahead.ReplaceAllString(pat, "")
		if mod == "~*" {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return true
		}
		prefix, _ := re.LiteralPrefix()
		prefix = prefix[:strings.LastIndex(prefix, "/")+1]
		for _, base := range []string{"/", "/static/", prefix} {
			if base == "" {
				continue
			}
			for _, f := range []string{".env", ".git/config", ".htpasswd", ".git/HEAD"} {
				if re.MatchString(base + f) {
					return true
				}
			}
		}
		return false
	}
	return true
}

var staticDirs = map[string]bool{"static": true, "staticfiles": true, "public": true, "assets": true, "media": true, "dist": true, "build": true, "html": true, "htdocs": true, "www": true}

func (c *checker) dotfiles(s server) {
	serverDeny := false
	for _, d := range s.d.Block {
		if isDenyDot(d) {
			serverDeny = true
		}
	}
	report := func(root *Directive, where, prefix string) {
		// root in "location /static/" serves root + /static/: that is the folder exposed.
		path := strings.TrimRight(root.Arg(0)+strings.TrimRight(prefix, "/"), "/")
		base := path[strings.LastIndex(path, "/")+1:]
		f := finding.New("nginx-dotfiles-served")
		f.Detail = fmt.Sprintf("root %s in %s has no location refusing paths that start with a dot, so files such as .env, .git/config or .htpasswd under it are served to anyone (as application/octet-stream).", root.Arg(0), where)
		if staticDirs[strings.ToLower(base)] {
			f.SetSeverity(finding.Low, "The root looks like a static-files directory, which is less likely to hold .env or .git; lower confidence.")
			f.Evidence.Notes = append(f.Evidence.Notes, "lower confidence: "+root.Arg(0)+" looks like a static-only directory")
		} else {
			f.SeverityReason = "An application directory usually holds .env, .git and other dotfiles."
		}
		f.Remediation = "Refuse dotfiles in the server block (regex locations are checked before prefix ones), and point root at a folder holding only public files:\n\n" +
			"location ~ /\\.(?!well-known/) {\n    deny all;\n}\n"
		c.emit(f, root, c.where(s.d))
	}
	// Server (or inherited http) root: in effect for every location without a root or alias of
	// its own that does not hand the request elsewhere.
	sroot := last(s.d.Block, "root")
	where := "server " + serverName(s)
	if sroot == nil {
		sroot = last(s.http, "root")
		where = "the http block (inherited by server " + serverName(s) + ")"
	}
	if sroot != nil && !serverDeny && c.serverRootServes(s) {
		report(sroot, where, "")
	}
	var visit func(block []*Directive, chain []*Directive)
	visit = func(block []*Directive, chain []*Directive) {
		for _, d := range block {
			if d.Name != "location" || !d.HasBlock {
				continue
			}
			ch := append(chain[:len(chain):len(chain)], d)
			if r := last(d.Block, "root"); r != nil && proxies(d.Block) == nil && !isDenyDot(d) && canMatchDotfile(d) {
				protected := false
				for _, sub := range d.Block {
					if isDenyDot(sub) {
						protected = true
					}
				}
				if !protected && serverDeny {
					// Server-level regex locations run after the prefix match unless a
					// location on the way says ^~ or =.
					protected = true
					for _, a := range ch {
						if m, _ := LocationMatch(a); m == "^~" || m == "=" {
							protected = false
						}
					}
				}
				if !protected {
					prefix := ""
					if m, p := LocationMatch(d); m == "" || m == "^~" || m == "=" {
						prefix = p
					}
					report(r, "location "+strings.Join(d.Args, " "), prefix)
				}
			}
			visit(d.Block, ch)
		}
	}
	visit(s.d.Block, nil)
}

// serverRootServes reports whether some request can reach the server-level root: no
// catch-all "location /" that proxies or returns, or a location without its own root, alias,
// proxy_pass or return.
func (c *checker) serverRootServes(s server) bool {
	catchAll := false
	for _, d := range s.d.Block {
		if d.Name != "location" || !d.HasBlock {
			continue
		}
		m, p := LocationMatch(d)
		handled := proxies(d.Block) != nil || First(d.Block, "return") != nil || First(d.Block, "root") != nil || First(d.Block, "alias") != nil || isDenyDot(d)
		if m == "" && p == "/" && handled {
			catchAll = true
			continue
		}
		if !handled && m != "=" {
			return true
		}
	}
	return !catchAll && First(s.d.Block, "return") == nil
}

func (c *checker) weakTLS(d *Directive) {
	var weak []string
	for _, a := range d.Args {
		switch a {
		case "SSLv2", "SSLv3", "TLSv1", "TLSv1.1":
			weak = append(weak, a)
		}
	}
	if len(weak) == 0 {
		return
	}
	f := finding.New("nginx-weak-tls")
	f.Detail = fmt.Sprintf("ssl_protocols enables %s; these protocols have known weaknesses, and before TLS 1.3 the client certificate travels unencrypted in the handshake.", strings.Join(weak, ", "))
	f.SeverityReason = "Deprecated protocol versions are offered (RFC 8996 forbids TLS 1.0 and 1.1)."
	f.Remediation = "ssl_protocols TLSv1.2 TLSv1.3;\n"
	c.emit(f, d, "")
}

// acaoDirective returns the value of an Access-Control-Allow-Origin header set by d, if d sets one.
func acaoValue(d *Directive) (value string, always, ok bool) {
	switch d.Name {
	case "add_header":
		if len(d.Args) >= 2 && strings.EqualFold(d.Args[0], "Access-Control-Allow-Origin") {
			return d.Args[1], len(d.Args) > 2 && strings.EqualFold(d.Args[2], "always"), true
		}
	case "more_set_headers":
		for _, a := range d.Args {
			if strings.HasPrefix(a, "-") {
				continue
			}
			if k, v, found := strings.Cut(a, ":"); found && strings.EqualFold(strings.TrimSpace(k), "Access-Control-Allow-Origin") {
				return strings.TrimSpace(v), true, true
			}
		}
	}
	return "", false, false
}

func (c *checker) cors(h []*Directive, servers []server) {
	anyMTLS := false
	for _, s := range servers {
		if isMTLS(s) {
			anyMTLS = true
		}
	}
	check := func(d *Directive, anc []*Directive, mtls bool, where string) {
		v, always, ok := acaoValue(d)
		if !ok {
			return
		}
		via := c.mapsToStar(v)
		if v == "*" || via != nil {
			f := finding.New("nginx-acao-wildcard")
			f.Detail = fmt.Sprintf("%s sends Access-Control-Allow-Origin: * on responses, so any web page can read them cross-origin.", where)
			if via != nil {
				f.Detail = fmt.Sprintf("%s sets Access-Control-Allow-Origin to %s, which the map at %s turns into * for origins outside its list, so any web page can read the responses cross-origin.", where, v, c.where(via))
			}
			if always {
				f.Detail += " With always it is also added to error responses, nginx's own 400 pages included."
			}
			if mtls {
				f.Detail += " This server asks for client certificates (ssl_verify_client), and Chromium sends the certificate on non-credentialed cross-origin requests: any site a certificate holder visits can read these responses."
				f.SetSeverity(finding.Critical, "mTLS server: Chromium attaches the client certificate to a non-credentialed fetch from any origin, and * lets that page read the authenticated response.")
			} else {
				f.SeverityReason = "Any origin can read the responses; no client certificate is asked for here."
			}
			f.Evidence.Notes = append(f.Evidence.Notes, c.droppedIn(d, anc)...)
			f.Remediation = remedy.CORSNginx(nil)
			c.emit(f, d, "")
			return
		}
		if reason, via := c.reflects(v, anc); reason != "" {
			f := finding.New("nginx-acao-reflect-origin")
			f.Detail = fmt.Sprintf("%s sets Access-Control-Allow-Origin to %s: %s, so every origin is allowed.", where, v, reason)
			if mtls {
				f.Detail += " The server asks for client certificates, so the reflected origin can read certificate-authenticated responses."
			}
			f.SeverityReason = "Any origin is echoed back and can read the responses."
			if via != nil {
				f.Evidence.Notes = append(f.Evidence.Notes, fmt.Sprintf("%s: %s", c.where(via), strings.TrimSpace(c.cfg.Line(via.File, via.Line))))
			}
			f.Remediation = remedy.CORSNginx(nil)
			c.emit(f, d, "")
		}
	}
	for _, d := range h {
		if d.Name == "server" || d.Name == "map" {
			continue
		}
		Walk([]*Directive{d}, func(d *Directive, anc []*Directive) bool {
			check(d, anc, anyMTLS, "The http block")
			return true
		})
	}
	for _, s := range servers {
		m := isMTLS(s)
		Walk(s.d.Block, func(d *Directive, anc []*Directive) bool {
			where := "Server " + serverName(s)
			for i := len(anc) - 1; i >= 0; i-- {
				if anc[i].Name == "location" {
					where = "Location " + strings.Join(anc[i].Args, " ") + " of server " + serverName(s)
					break
				}
			}
			check(d, append([]*Directive{s.d}, anc...), m, where)
			return true
		})
	}
}

// mapsToStar returns the map directive when value is a single variable whose map defaults
// to "*".
func (c *checker) mapsToStar(value string) *Directive {
	vs := varsIn(value)
	if len(vs) != 1 || strings.TrimSpace(value) != vs[0] && value != "${"+vs[0][1:]+"}" {
		return nil
	}
	for _, m := range c.maps[vs[0]] {
		if m.HasDefault && m.Default == "*" {
			return m.D
		}
	}
	return nil
}

// droppedIn lists the locations below d's block that have an add_header of their own and so
// do not send d's header (nginx's all-or-nothing inheritance).
func (c *checker) droppedIn(d *Directive, anc []*Directive) []string {
	if len(anc) == 0 || d.Name != "add_header" {
		return nil
	}
	var out []string
	Walk(anc[len(anc)-1].Block, func(x *Directive, _ []*Directive) bool {
		if x.Name == "location" && x.HasBlock {
			hs := Inherited("add_header", x.Block)
			if len(hs) > 0 {
				out = append(out, fmt.Sprintf("location %s (%s) has its own add_header, so this header is not sent there", strings.Join(x.Args, " "), c.where(x)))
			}
			return false
		}
		return x.Name != "server" && x.Name != "map"
	})
	return out
}

// reflects reports why value echoes the request's Origin without a safe allowlist, and the
// directive (map or set) responsible; "" when it does not.
func (c *checker) reflects(value string, anc []*Directive) (string, *Directive) {
	if containsVar(value, "$http_origin") {
		// if ($http_origin ~* "^https://(a|b)\.example\.com$") { add_header ... $http_origin; }
		// is an allowlist: the echo happens only for origins the condition lets in.
		if cond := nearestIf(anc); cond != nil {
			if r, guarded := c.originCondition(cond); guarded {
				if r == "" {
					return "", nil
				}
				return fmt.Sprintf("the request's Origin is echoed when %s", r), cond
			}
		}
		return "the request's own Origin header ($http_origin) with no allowlist", nil
	}
	for _, v := range varsIn(value) {
		for _, m := range c.maps[v] {
			if r := unsafeMap(m); r != "" {
				return r, m.D
			}
		}
		for _, s := range c.sets {
			if len(s.d.Args) < 2 || s.d.Args[0] != v || !containsVar(s.d.Args[1], "$http_origin") {
				continue
			}
			cond := nearestIf(s.anc)
			if cond == nil {
				return fmt.Sprintf("%s is set to $http_origin unconditionally", v), s.d
			}
			if r, guarded := c.originCondition(cond); guarded {
				if r == "" {
					continue
				}
				return fmt.Sprintf("%s is set to $http_origin when %s", v, r), cond
			}
			return fmt.Sprintf("%s is set to $http_origin under a condition that does not check the origin against an allowlist", v), s.d
		}
	}
	return "", nil
}

func nearestIf(anc []*Directive) *Directive {
	for i := len(anc) - 1; i >= 0; i-- {
		switch anc[i].Name {
		case "if":
			return anc[i]
		case "location", "server":
			return nil
		}
	}
	return nil
}

// originCondition reads an if condition as an origin allowlist. guarded is false when the
// condition does not test the origin at all; otherwise problem says what lets a foreign
// origin through ("" for an exact match, a safe regex, or a map of $http_origin whose
// matching entries are all exact or safe).
func (c *checker) originCondition(cond *Directive) (problem string, guarded bool) {
	a := cond.Args
	if len(a) == 3 && containsVar(a[0], "$http_origin") && strings.TrimSpace(a[0]) == "$http_origin" {
		switch a[1] {
		case "=":
			return "", true
		case "~", "~*":
			if r := unsafeOriginRegex(a[2]); r != "" {
				return fmt.Sprintf("it matches %q, which %s", a[2], r), true
			}
			return "", true
		}
		return "", false
	}
	// if ($cors_ok) / if ($cors_ok = 1) with map $http_origin $cors_ok { ... }
	if len(a) == 1 || len(a) == 3 && a[1] == "=" {
		for _, m := range c.maps[a[0]] {
			if !containsVar(m.Source, "$http_origin") || m.Default != "" && m.Default != "0" {
				continue
			}
			for _, e := range m.Entries {
				if e.Regex {
					if r := unsafeOriginRegex(e.Key); r != "" {
						return fmt.Sprintf("the map for %s (%s) accepts origins matching %q, which %s", m.Variable, c.where(m.D), e.Key, r), true
					}
				}
			}
			return "", true
		}
	}
	return "", false
}

func unsafeMap(m *Map) string {
	if !containsVar(m.Source, "$http_origin") {
		if containsVar(m.Default, "$http_origin") {
			return fmt.Sprintf("the map for %s defaults to $http_origin", m.Variable)
		}
		return ""
	}
	if containsVar(m.Default, "$http_origin") {
		return fmt.Sprintf("the map for %s defaults to $http_origin, so origins outside its list are echoed too", m.Variable)
	}
	for _, e := range m.Entries {
		if !containsVar(e.Value, "$http_origin") || !e.Regex {
			continue
		}
		if r := unsafeOriginRegex(e.Key); r != "" {
			return fmt.Sprintf("the map for %s echoes origins matching %q, which %s", m.Variable, e.Key, r)
		}
	}
	return ""
}

// unsafeOriginRegex says what is wrong with an origin allowlist regex, or "" when it is
// anchored at both ends and every dot outside a class is escaped.
func unsafeOriginRegex(re string) string {
	var probs []string
	if !strings.HasPrefix(re, "^") {
		probs = append(probs, "is not anchored with ^ (https://evil.example/?https://trusted also matches)")
	}
	if !strings.HasSuffix(re, "$") {
		probs = append(probs, "is not anchored with $ (https://trusted.example.com.evil.net also matches)")
	}
	inClass := false
	dot, wild := false, false
	for i := 0; i < len(re); i++ {
		switch re[i] {
		case '\\':
			i++
		case '[':
			inClass = true
		case ']':
			inClass = false
		case '.':
			if inClass {
				continue
			}
			if i+1 < len(re) && strings.IndexByte("*+?{", re[i+1]) >= 0 {
				// ".*" / ".+" is a wildcard, safe only when an escaped dot follows it
				// (".*\.example\.com" needs a subdomain; ".*example\.com" takes
				// evilexample.com), possibly after closing a group: "(.+\.)?".
				j := i + 2
				for j < len(re) && strings.IndexByte("?+*})", re[j]) >= 0 {
					j++
				}
				switch rest := re[j:]; {
				case strings.HasPrefix(rest, `\.`) || wild:
				case rest == "" || rest == "$":
					probs = append(probs, "ends in a wildcard (https://trusted.example.com.evil.net also matches)")
					wild = true
				default:
					probs = append(probs, "has a wildcard right before the domain name (https://evilexample.com also matches)")
					wild = true
				}
				continue
			}
			if !dot {
				probs = append(probs, "has an unescaped dot (matches any character)")
				dot = true
			}
		}
	}
	sort.Strings(probs)
	return strings.Join(probs, " and ")
}
