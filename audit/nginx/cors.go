package nginx

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/remedy"
)

var ruleACAOWildcard = finding.Rule{
	ID: "nginx-acao-wildcard", Family: "nginx", Severity: finding.High, CWE: []string{"CWE-942"}, OWASP: "API8:2023",
	Title:   "nginx adds Access-Control-Allow-Origin *",
	Summary: "add_header Access-Control-Allow-Origin * (worse with always, or on an mTLS server).",
}

var ruleACAOReflectOrigin = finding.Rule{
	ID: "nginx-acao-reflect-origin", Family: "nginx", Severity: finding.High, CWE: []string{"CWE-942", "CWE-346"}, OWASP: "API8:2023",
	Title:   "nginx reflects $http_origin without an allowlist",
	Summary: "Access-Control-Allow-Origin $http_origin without an allowlist map.",
}

func (c *checker) cors(h []*Directive, servers []server) {
	anyMTLS := slices.ContainsFunc(servers, isMTLS)
	check := func(d *Directive, anc []*Directive, mtls bool, where string) {
		v, always, ok := acaoValue(d)
		if !ok {
			return
		}
		via := c.mapsToStar(v)
		if v == "*" || via != nil {
			f := finding.New(ruleACAOWildcard.ID)
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
			f.Remediation = remedy.CORS(remedy.NginxStack, nil)
			c.emit(f, d, "")
			return
		}
		if reason, via := c.reflects(v, anc); reason != "" {
			f := finding.New(ruleACAOReflectOrigin.ID)
			f.Detail = fmt.Sprintf("%s sets Access-Control-Allow-Origin to %s: %s, so every origin is allowed.", where, v, reason)
			if mtls {
				f.Detail += " The server asks for client certificates, so the reflected origin can read certificate-authenticated responses."
			}
			f.SeverityReason = "Any origin is echoed back and can read the responses."
			if via != nil {
				f.Evidence.Notes = append(f.Evidence.Notes, fmt.Sprintf("%s: %s", c.where(via), strings.TrimSpace(c.cfg.Line(via.File, via.Line))))
			}
			f.Remediation = remedy.CORS(remedy.NginxStack, nil)
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
	slices.Sort(probs)
	return strings.Join(probs, " and ")
}
