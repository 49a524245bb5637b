package nginx

import (
	"fmt"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// The rules register in the order the catalogue (docs/rules.md) lists them; each is declared
// beside its check (verify.go, identity.go, cors.go, dotfiles.go, tls.go).
func init() {
	finding.Register(ruleVerifyClientOptional, ruleVerifyClientOptionalNoCA, ruleIdentityHeadersNotCleared,
		ruleACAOWildcard, ruleACAOReflectOrigin, ruleDotfilesServed, ruleWeakTLS)
}

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

// each calls fn for the directives in effect for a server: its own subtree plus the http
// level (without the other servers), skipping map bodies.
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

// forwardDirectives pass request headers or parameters to an upstream.
var forwardDirectives = map[string]bool{
	"proxy_set_header": true, "grpc_set_header": true, "fastcgi_param": true,
	"uwsgi_param": true, "scgi_param": true,
}

var passDirectives = map[string]bool{"proxy_pass": true, "grpc_pass": true, "uwsgi_pass": true, "fastcgi_pass": true, "scgi_pass": true}

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

// walkLocations calls fn for every location block of a server, depth first, with the chain of
// locations from the outermost down to loc itself. Locations nest only directly inside
// locations, so the walk descends through nothing else.
func (s server) walkLocations(fn func(loc *Directive, chain []*Directive)) {
	var visit func(block, chain []*Directive)
	visit = func(block, chain []*Directive) {
		for _, d := range block {
			if d.Name != "location" || !d.HasBlock {
				continue
			}
			ch := append(chain[:len(chain):len(chain)], d)
			fn(d, ch)
			visit(d.Block, ch)
		}
	}
	visit(s.d.Block, nil)
}
