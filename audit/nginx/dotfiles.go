package nginx

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

var ruleDotfilesServed = finding.Rule{
	ID: "nginx-dotfiles-served", Family: "nginx", Severity: finding.Medium, CWE: []string{"CWE-538"}, OWASP: "API8:2023",
	Title:   "nginx serves dotfiles from the application directory",
	Summary: "a root that serves the application directory with no deny for dotfiles.",
}

func (c *checker) dotfiles(s server) {
	serverDeny := slices.ContainsFunc(s.d.Block, isDenyDot)
	report := func(root *Directive, where, prefix string) {
		// root in "location /static/" serves root + /static/: that is the folder exposed.
		path := strings.TrimRight(root.Arg(0)+strings.TrimRight(prefix, "/"), "/")
		base := path[strings.LastIndex(path, "/")+1:]
		f := finding.New(ruleDotfilesServed.ID)
		f.Detail = fmt.Sprintf("root %s in %s has no location refusing paths that start with a dot, so files such as .env, .git/config or .htpasswd under it are served to anyone (as application/octet-stream).", root.Arg(0), where)
		if p := strings.Trim(prefix, "/"); p != "" && staticDirs[strings.ToLower(p[strings.LastIndex(p, "/")+1:])] {
			// The root is confined to a static location: nginx serves root + prefix and
			// nothing else under root, so the application directory is not what it exposes.
			f.SetSeverity(finding.Info, fmt.Sprintf("The root applies only to %s, so nginx serves %s/ and nothing else of %s: a static-files folder, not the application directory.", where, path, root.Arg(0)))
			f.Evidence.Notes = append(f.Evidence.Notes, "served tree: "+path+"/ (the location's prefix under the root)")
		} else if staticDirs[strings.ToLower(base)] {
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
	s.walkLocations(func(d *Directive, chain []*Directive) {
		r := last(d.Block, "root")
		if r == nil || proxies(d.Block) != nil || isDenyDot(d) || !canMatchDotfile(d) {
			return
		}
		protected := slices.ContainsFunc(d.Block, isDenyDot)
		if !protected && serverDeny {
			// Server-level regex locations run after the prefix match unless a location on
			// the way says ^~ or =.
			protected = !slices.ContainsFunc(chain, func(a *Directive) bool {
				m, _ := LocationMatch(a)
				return m == "^~" || m == "="
			})
		}
		if protected {
			return
		}
		prefix := ""
		if m, p := LocationMatch(d); m == "" || m == "^~" || m == "=" {
			prefix = p
		}
		report(r, "location "+strings.Join(d.Args, " "), prefix)
	})
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
