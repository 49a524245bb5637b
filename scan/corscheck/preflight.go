package corscheck

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/crossgate/crossgate/cors"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
)

// Preflight rule: what an OPTIONS answer lets a page send.

var rulePermissivePreflight = finding.Rule{
	ID: "cors-permissive-preflight", Family: "cors", Severity: finding.Medium, CWE: []string{"CWE-942"}, OWASP: "API8:2023",
	Title:   "Permissive CORS preflight",
	Summary: "preflight reflects requested methods/headers, allows every method or header, or sets a very long max-age.",
	Advice:  "Answer preflights with a fixed list of the methods and headers the API uses, and a max-age of at most a day; never echo Access-Control-Request-Method/-Headers.",
}

func maxAge(h http.Header) int {
	v, _ := cors.HeaderValue(h, "Access-Control-Max-Age")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return -1
	}
	return n
}

// preflightFacts is what the evaluator concludes about one preflight answer.
type preflightFacts struct {
	p                        *preflight
	corsOK                   bool // the origin passes the CORS check of the preflight
	unusual, header, authz   bool
	unusualCred, headerCred  bool
	age                      int
	pna                      bool
	methodAllowed, credAllow bool
}

func evalPreflight(p *preflight) preflightFacts {
	pf := preflightFacts{p: p, age: -1}
	if p == nil || !p.ex.OK() {
		return pf
	}
	st, h := p.ex.Status, p.ex.Header
	chk := func(method string, hdr http.Header, cred cors.CredentialsMode) bool {
		return cors.CheckPreflight(cors.Request{Origin: p.origin, Method: method, Headers: hdr, Credentials: cred}, st, h).Allowed
	}
	pf.corsOK = chk(http.MethodGet, nil, cors.Omit)
	pf.methodAllowed = chk(p.method, nil, cors.Omit)
	pf.credAllow = chk(p.method, nil, cors.Include)
	switch p.method {
	case unusualMethod:
		pf.unusual = pf.methodAllowed
		pf.unusualCred = pf.credAllow
	case http.MethodPut:
		pf.header = chk(http.MethodPut, http.Header{"X-Crossgate-Test": {"1"}}, cors.Omit)
		pf.headerCred = chk(http.MethodPut, http.Header{"X-Crossgate-Test": {"1"}}, cors.Include)
		pf.authz = chk(http.MethodPut, http.Header{"Authorization": {"Bearer x"}}, cors.Omit)
		acapn, _ := cors.HeaderValue(h, "Access-Control-Allow-Private-Network")
		pf.pna = acapn == "true"
	}
	pf.age = maxAge(h)
	return pf
}

func checkPermissivePreflight(s *session) []hit {
	type group struct {
		origin   string
		trusted  bool
		problems []string
		proof    *preflight
		cred     bool
		wide     bool // a made-up method or header is allowed, not just a long max-age
	}
	var groups []*group
	byOrigin := map[string]*group{}
	for _, p := range s.pre {
		pf := evalPreflight(p)
		if !pf.corsOK {
			continue
		}
		g := byOrigin[p.origin]
		if g == nil {
			g = &group{origin: p.origin, trusted: p.trusted}
			byOrigin[p.origin] = g
			groups = append(groups, g)
		}
		add := func(problem string) {
			if slices.Contains(g.problems, problem) {
				return
			}
			g.problems = append(g.problems, problem)
			if g.proof == nil {
				g.proof = p
			}
		}
		if pf.unusual {
			add("the made-up method " + unusualMethod + " is allowed (Access-Control-Allow-Methods: " + hv(p.ex.Header, "Access-Control-Allow-Methods") + ")")
			g.cred = g.cred || pf.unusualCred
			g.wide = true
		}
		if pf.header {
			add("the made-up request header " + testHeader + " is allowed (Access-Control-Allow-Headers: " + hv(p.ex.Header, "Access-Control-Allow-Headers") + ")")
			g.cred = g.cred || pf.headerCred
			g.wide = true
		}
		if pf.age > maxAgeLimit {
			add("Access-Control-Max-Age is " + strconv.Itoa(pf.age) + " s (more than a day)")
		}
	}
	// When an untrusted origin already gets a permissive answer, the trusted origin's (the
	// same policy) adds nothing, and its "only the trusted origin" reason would be false.
	untrustedHit := false
	for _, g := range groups {
		untrustedHit = untrustedHit || (!g.trusted && len(g.problems) > 0)
	}
	var out []hit
	for _, g := range groups {
		if len(g.problems) == 0 || (g.trusted && untrustedHit) {
			continue
		}
		who := "an origin the user did not name as trusted"
		if g.trusted {
			who = "the trusted origin"
		}
		f := finding.New(rulePermissivePreflight.ID)
		f.Detail = fmt.Sprintf("Preflight from %s (%s): %s.", g.origin, who, strings.Join(g.problems, "; "))
		f.Evidence = s.env.Evidence(g.proof.ex)
		switch {
		case !g.wide:
			// MDN, Access-Control-Max-Age: Firefox caps it at 24 hours, Chromium at 2 hours.
			f.SetSeverity(finding.Low, "Only the cache lifetime is long, and browsers cap it (Firefox at 24 hours, Chromium at 2 hours), so it merely delays a policy change reaching browsers that cached this answer.")
		case g.trusted:
			f.SetSeverity(finding.Low, "Only the trusted origin gets this answer, so it widens what a compromise of that origin can do rather than opening the API to others.")
		case g.cred && s.authenticated() && s.f.mtls && !s.f.optional:
			f.SetSeverity(finding.High, "Chromium presents the client certificate on the preflight and the request, so a page on "+g.origin+" sends arbitrary methods and headers with credentials to this "+s.authDescription()+" endpoint after one preflight there; Firefox sends the preflight without a certificate, which this endpoint refuses (unless it exempts OPTIONS from the certificate check).")
		case g.cred && s.authenticated():
			f.SetSeverity(finding.High, "Any browser lets a page on "+g.origin+" send arbitrary methods and headers with credentials to this "+s.authDescription()+" endpoint after one preflight.")
		default:
			f.SetSeverity(finding.Medium, "A page on "+g.origin+" may send arbitrary methods or headers to this endpoint, and the answer reveals which verbs it accepts.")
		}
		key := "untrusted"
		if g.trusted {
			key = "trusted"
		}
		out = append(out, hit{f, key})
	}
	return out
}

// notPreflighted are request headers a page never lists in a preflight: the CORS-safelisted
// ones (Fetch, "CORS-safelisted request-header"), those the browser sets itself, and the
// ones a script cannot set at all.
var notPreflighted = map[string]bool{
	"accept": true, "accept-language": true, "content-language": true, "range": true,
	"origin": true, "cookie": true, "user-agent": true, "host": true, "connection": true,
	"content-length": true, "accept-encoding": true, "referer": true,
}

// preflightNeeds is what the API was seen to need from a preflight: the methods an Allow
// header lists (else the method the scan read it with), the headers the user's own requests
// carry that a browser would have to preflight (-H Authorization, X-Api-Key, ...), and a
// max-age the server already keeps short. What was not seen is left empty for the fix text
// to fill with an example.
func (s *session) preflightNeeds() remedy.Preflight {
	var p remedy.Preflight
	base := s.env.Facts.Baseline
	exs := []*probe.Exchange{base}
	for _, r := range s.results {
		exs = append(exs, r.ex)
		if !base.OK() && r.ok() {
			base = r.ex // the baseline is the scan's; alone, the first answered probe stands in
		}
	}
	for _, ex := range exs {
		if !ex.OK() {
			continue
		}
		for _, m := range strings.Split(ex.Header.Get("Allow"), ",") {
			if m = strings.ToUpper(strings.TrimSpace(m)); m != "" && m != http.MethodOptions && m != http.MethodHead && !slices.Contains(p.Methods, m) {
				p.Methods = append(p.Methods, m)
			}
		}
	}
	if len(p.Methods) == 0 && base.OK() && base.Status < 400 && base.Method != "" {
		p.Methods = []string{base.Method}
	}
	if base.OK() {
		for k := range base.RequestHeader {
			if k = strings.ToLower(k); !notPreflighted[k] && !strings.HasPrefix(k, "access-control-") && !slices.Contains(p.Headers, k) {
				p.Headers = append(p.Headers, k)
			}
		}
		slices.Sort(p.Headers)
	}
	for _, pr := range s.pre {
		// Chromium caps the cache at two hours: a value within that is the server's choice.
		if pf := evalPreflight(pr); pf.corsOK && pf.age > 0 && pf.age <= 7200 {
			p.MaxAge = pf.age
		}
	}
	return p
}
