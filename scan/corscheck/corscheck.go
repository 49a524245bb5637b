// Package corscheck is the black-box CORS family of `crossgate scan`: it learns an endpoint's
// origin policy, sends origin mutations and preflights with the user's client identity, asks
// the Fetch evaluator (package cors) whether a browser would let each origin read the answer,
// and reports every cors-* rule of rules.md that holds, rated by authentication (mTLS,
// cookies), the browser family (Chromium presents client certificates on non-credentialed
// requests, Firefox does not) and what the body carries.
//
// Request budget per endpoint (Budget): at most 40 requests, counted by the probe client
// (identical requests are answered from its cache and cost nothing). The plan (Plan) is: own
// origin, each --origin, one arbitrary origin, null; per base host (each --origin host, the
// target host, and any fixed ACAO value the server names, a trailing slash ignored) an http://
// downgrade, prefix, two suffix, two substring, one probe per dot except the one before the
// top-level domain, and two sub-domain probes (a mutation that stays under the base's
// registrable domain, by the public suffix list, counts as a sub-domain probe: only the site's
// owner can name a page there); for an IP-literal base host a prefix and a substring probe
// (registrable names) and its dot and suffix mutations, which no browser can send and which
// only ever make an info finding; three localhost and five third-party origins;
// four special characters for the first base (one per class of host check); last, the first trusted origin on port 1337 (only
// once the catalogue holds cors-any-port) and file://. Then two preflights for an
// untrusted origin (PUT with Authorization, x-crossgate-test and Private-Network; a made-up
// method, only once that origin got through on its GET or that PUT preflight) and a PUT one
// for the first trusted origin, and one certificate-less GET when the
// endpoint rejects at HTTP level and the mTLS inspector did not already send one. Measured
// (go test -run 'TestBudget[DS]' -v, BenchmarkCORSScanEndpoint): 30 requests for an IP target
// with one allowed --origin, 25 and 34 for a domain target with an --origin on another
// domain that is refused and allowed. Probes beyond the budget are dropped lowest priority
// first and the drop is noted in the findings' evidence. Probes whose answer the learned policy already gives are not sent
// at all: every mutation once a made-up origin is allowed by name (reflectAll), and the
// look-alikes of a host whose own origin was refused (derivedRefused), the contains probe of
// a host whose prefix probe was refused (containsKnown), and the "ends with the domain" probe
// of a host whose "ends with the host" probe was refused (afterKnown).
package corscheck

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/crossgate/crossgate/cors"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/similar"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
)

const (
	budget = 40
	// Requests kept back from the GET probes: the preflights and the certificate-less look at
	// an HTTP-level rejection page.
	preflightsUntrusted = 2
	preflightsTrusted   = 1
	reserveAnonymous    = 1
	workers             = 4
	unusualMethod       = "CROSSGATE"
	testHeader          = "x-crossgate-test"
	maxAgeLimit         = 86400 // django-cors-headers' default; more keeps a permissive answer cached for days
	// sameContent is the body similarity above which the anonymous answer counts as the same
	// content as the authenticated one (timestamps and request ids differ between any two).
	sameContent = 0.9
)

// Budget is the maximum number of requests Run sends to one endpoint.
func Budget() int { return budget }

// result is one GET probe and the evaluator's verdicts on it.
type result struct {
	Mutation
	ex          *probe.Exchange
	omit        cors.Verdict // credentials mode omit (and same-origin, cross-origin)
	include     cors.Verdict // credentials mode include
	acao        string
	acaoLines   int
	acac        string
	wildcard    bool // ACAO is exactly *
	specific    bool // readable, and not by the wildcard: the origin itself was allowed
	trustedByMe bool // the user (or the target itself) trusts this origin
	echoed      bool // an unsendable origin came back in Access-Control-Allow-Origin
}

func (r *result) ok() bool { return r != nil && r.ex != nil && r.ex.OK() }

// preflight is one OPTIONS probe.
type preflight struct {
	origin  string
	trusted bool
	method  string
	ex      *probe.Exchange
}

// session is one endpoint's CORS probing: the budget, the answers to every origin and
// preflight, and the facts the severities depend on.
type session struct {
	ctx     context.Context
	env     *endpoint.Env
	id      *probe.Identity
	rnd     string
	self    string
	trusted map[string]bool // serialized user-trusted origins plus the own origin
	left    int             // requests still allowed
	skipped int             // planned probes dropped by the budget
	known   int             // planned probes not sent because the learned policy gives their answer

	results  []*result
	byOrigin map[string]*result
	pre      []*preflight
	anon     *probe.Exchange
	f        facts
}

// Run scans env's endpoint and returns its CORS findings.
func Run(ctx context.Context, env *endpoint.Env) []finding.Finding {
	if env == nil || env.Client == nil || env.URL == nil {
		return nil
	}
	s := &session{ctx: ctx, env: env, id: env.User, rnd: env.Token(4), left: budget,
		trusted: map[string]bool{}, byOrigin: map[string]*result{}}
	if s.id == nil {
		s.id = probe.None
	}
	self := cors.OriginOf(env.URL)
	if !self.Opaque {
		s.self = self.String()
		s.trusted[s.self] = true
	}
	var trusted []string
	for _, t := range env.TrustedOrigins {
		if strings.TrimSpace(t) == fileOrigin {
			s.trusted[fileOrigin] = true
			continue
		}
		if o, err := cors.ParseOrigin(strings.TrimSpace(t)); err == nil {
			// --origin null is the user's choice too; it is no mutation base.
			s.trusted[o.String()] = true
			if !o.Opaque {
				trusted = append(trusted, o.String())
			}
		}
	}
	reserve := preflightsUntrusted
	if len(trusted) > 0 {
		reserve += preflightsTrusted
	}
	if env.Facts.Auth == endpoint.AuthRequiredHTTP && env.HasCert() && env.Facts.Anonymous == nil {
		reserve += reserveAnonymous
	}

	// Learn: own, trusted, arbitrary, null. A fixed ACAO naming some other origin tells us
	// what the server trusts, so its host becomes a mutation base too.
	plan := Plan(env.URL, trusted, s.rnd)
	var learn []Mutation
	for _, m := range plan {
		switch m.Class {
		case ClassOwn, ClassTrusted, ClassArbitrary, ClassNull:
			learn = append(learn, m)
		}
	}
	s.send(learn, budget-reserve)
	if !s.reachable() {
		return nil
	}
	bases := append([]string(nil), trusted...)
	for _, r := range s.results {
		if r.wildcard || r.acao == "" || r.acaoLines != 1 || r.acao == r.Origin {
			continue
		}
		// A partial wildcard (https://*.example.com) matches nothing in a browser; no base.
		// A trailing slash (https://app.example.com/) makes the value match no origin, but it
		// still names the host the operator meant to trust.
		if o, err := cors.ParseOrigin(strings.TrimSuffix(r.acao, "/")); err == nil && !o.Opaque && !strings.Contains(o.Host, "*") &&
			!s.byOriginHas(o.String()) && !slices.Contains(bases, o.String()) {
			bases = append(bases, o.String())
		}
	}
	if len(bases) > len(trusted) {
		plan = Plan(env.URL, bases, s.rnd)
	}
	var rest []Mutation
	for _, m := range plan {
		// A confirming set sends only the origins that proved the template's findings.
		if s.byOriginHas(m.Origin) || (env.Confirm != nil && !slices.Contains(env.Confirm.Origins, m.Origin)) {
			continue
		}
		if s.reflectAll() || s.derivedRefused(m) {
			s.known++ // its answer is already known: see derivedRefused and reflectAll
			continue
		}
		rest = append(rest, m)
	}
	// The contains probes go after the prefix probes whose answer can make them known, and a
	// probe with an After after that probe.
	var later []Mutation
	rest = slices.DeleteFunc(rest, func(m Mutation) bool {
		if m.Contains || m.After != "" {
			later = append(later, m)
			return true
		}
		return false
	})
	s.send(rest, s.left-reserve)
	later = slices.DeleteFunc(later, func(m Mutation) bool {
		known := s.containsKnown(m) || s.afterKnown(m)
		if known {
			s.known++
		}
		return known
	})
	s.send(later, s.left-reserve)

	s.learnFacts()
	if env.Confirm == nil || env.Confirm.Preflight {
		s.sendPreflights()
	}
	s.sendAnonymous()
	if env.Confirm == nil || slices.Contains(env.Confirm.Origins, s.arbitraryHTTPOrigin()) {
		s.sendArbitraryHTTP()
	}
	return s.report()
}

// report runs every check over the recorded answers.
func (s *session) report() []finding.Finding {
	env := s.env
	// A preflight answer may name the CORS implementation (django-cors-headers' default
	// lists), which picks the dialect of the fix.
	for _, p := range s.pre {
		if p != nil {
			env.Facts.Stack = env.Facts.Stack.Merge(endpoint.DetectStack(p.ex))
		}
	}
	var out []finding.Finding
	for _, c := range checks {
		for _, h := range c.run(s) {
			f := h.f
			if s.skipped > 0 {
				f.Evidence.Notes = append(f.Evidence.Notes, strconv.Itoa(s.skipped)+" planned origin probes were not sent (request budget "+strconv.Itoa(budget)+").")
			}
			f.Detail = strings.Join(strings.Fields(f.Detail), " ")
			f.Remediation = remediation(c.rule, s)
			env.Stamp(&f, h.key)
			out = append(out, f)
		}
	}
	finding.Sort(out)
	return out
}

func (s *session) byOriginHas(o string) bool { _, ok := s.byOrigin[o]; return ok }

// reachable is false when no probe got an HTTP answer (TLS refused without a certificate,
// host down): nothing can be said about CORS then.
func (s *session) reachable() bool {
	for _, r := range s.results {
		if r.ok() {
			return true
		}
	}
	return false
}

func (s *session) take(n int) int {
	n = max(0, min(n, s.left))
	s.left -= n
	return n
}

// send issues GET probes for ms, at most limit of them, a few at a time.
func (s *session) send(ms []Mutation, limit int) {
	limit = max(limit, 0)
	if len(ms) > limit {
		s.skipped += len(ms) - limit
		ms = ms[:limit]
	}
	ms = ms[:s.take(len(ms))]
	rs := make([]*result, len(ms))
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for i, m := range ms {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, m Mutation) {
			defer wg.Done()
			defer func() { <-sem }()
			ex := s.env.Client.Do(s.ctx, probe.Request{Method: http.MethodGet, URL: s.env.URL.String(),
				Header: http.Header{"Origin": {m.Origin}}, Identity: s.id})
			rs[i] = s.evaluate(m, ex)
		}(i, m)
	}
	wg.Wait()
	for _, r := range rs {
		s.results = append(s.results, r)
		s.byOrigin[r.Origin] = r
	}
}

func (s *session) evaluate(m Mutation, ex *probe.Exchange) *result {
	// The own origin and the trusted ones (named by the user, or by a fixed ACAO) are never
	// bypasses; every other origin is judged by what it can read.
	r := &result{Mutation: m, ex: ex, trustedByMe: s.trusted[m.Origin] || m.Class == ClassOwn || m.Class == ClassTrusted}
	if !ex.OK() {
		return r
	}
	vals := ex.Header.Values("Access-Control-Allow-Origin")
	r.acaoLines = len(vals)
	r.acao, _ = cors.HeaderValue(ex.Header, "Access-Control-Allow-Origin")
	r.acac, _ = cors.HeaderValue(ex.Header, "Access-Control-Allow-Credentials")
	switch {
	case m.Unsendable:
		// No page has this origin, so nothing is readable; echoed shows the check is loose.
		no := cors.Verdict{Step: cors.StepACAOMismatch, Reason: "No browser can send this Origin: its host ends in a number but is no IPv4 address."}
		r.omit, r.include = no, no
		r.echoed = r.acaoLines == 1 && r.acao == m.Origin
	case m.Origin == fileOrigin:
		r.omit, r.include = fileVerdicts(r.acao, r.acaoLines, r.acac)
	default:
		req := cors.Request{Origin: m.Origin, Method: http.MethodGet, Credentials: cors.Omit}
		r.omit = cors.Check(req, ex.Status, ex.Header)
		req.Credentials = cors.Include
		r.include = cors.Check(req, ex.Status, ex.Header)
	}
	r.wildcard = r.acao == "*"
	r.specific = (r.omit.Allowed || r.include.Allowed) && !r.wildcard
	return r
}

// fileVerdicts applies the CORS check to Origin: file://, which the Fetch evaluator rejects as
// no serialized origin: a client that sends it compares ACAO with it byte for byte like any
// origin, and needs ACAC: true for a credentialed read.
func fileVerdicts(acao string, lines int, acac string) (omit, include cors.Verdict) {
	switch {
	case lines == 0:
		omit = cors.Verdict{Step: cors.StepACAOMissing, Reason: "The response has no Access-Control-Allow-Origin header."}
		return omit, omit
	case acao == "*":
		omit = cors.Verdict{Allowed: true, Step: cors.StepACAOWildcard, Reason: "Access-Control-Allow-Origin is * and the request carries no credentials."}
		return omit, cors.Verdict{Step: cors.StepACAOWildcardCreds, Reason: "Access-Control-Allow-Origin * does not allow a request whose credentials mode is include."}
	case acao != fileOrigin:
		omit = cors.Verdict{Step: cors.StepACAOMismatch, Reason: "Access-Control-Allow-Origin is not file://."}
		return omit, omit
	}
	omit = cors.Verdict{Allowed: true, Step: cors.StepOriginMatched, Reason: "Access-Control-Allow-Origin is file://, the Origin such a client sends."}
	if acac != "true" {
		return omit, cors.Verdict{Step: cors.StepACACNotTrue, Reason: "Access-Control-Allow-Credentials is not exactly true."}
	}
	return omit, cors.Verdict{Allowed: true, Step: cors.StepACACTrue, Reason: "Access-Control-Allow-Origin is file:// and Access-Control-Allow-Credentials is true."}
}

// accepted reports whether origin m is allowed to read by the origin check itself (not by a
// wildcard) while the user never said to trust it.
func (r *result) accepted() bool {
	return r != nil && r.ok() && r.specific && !r.trustedByMe && !r.Unsendable
}

func (s *session) sendPreflights() {
	// The untrusted origin is the one most likely allowed: the arbitrary one when it is
	// reflected, else the first bypass that worked, else the arbitrary one anyway.
	untrusted := "https://evil-" + s.rnd + ".example"
	if r := s.byOrigin[untrusted]; r == nil || !r.accepted() {
		for _, r := range s.results {
			if r.accepted() && r.Class != ClassFile {
				untrusted = r.Origin
				break
			}
		}
	}
	type spec struct {
		origin  string
		trusted bool
		method  string
	}
	// PUT carries the header and private-network questions too; DELETE would add nothing a
	// check reads, and the made-up method is the one that tells echoing from a fixed list.
	specs := []spec{{untrusted, false, http.MethodPut}}
	for _, t := range s.env.TrustedOrigins {
		o, err := cors.ParseOrigin(strings.TrimSpace(t))
		if err != nil || o.Opaque {
			continue
		}
		specs = append(specs, spec{o.String(), true, http.MethodPut})
		break
	}
	run := func(specs []spec) {
		specs = specs[:s.take(len(specs))]
		pre := make([]*preflight, len(specs))
		var wg sync.WaitGroup
		for i, sp := range specs {
			wg.Go(func() {
				h := http.Header{"Origin": {sp.origin}, "Access-Control-Request-Method": {sp.method}}
				if sp.method == http.MethodPut {
					h.Set("Access-Control-Request-Headers", "authorization,"+testHeader)
					h.Set("Access-Control-Request-Private-Network", "true")
				}
				ex := s.env.Client.Do(s.ctx, probe.Request{Method: http.MethodOptions, URL: s.env.URL.String(), Header: h, Identity: s.id})
				pre[i] = &preflight{origin: sp.origin, trusted: sp.trusted, method: sp.method, ex: ex}
			})
		}
		wg.Wait()
		s.pre = append(s.pre, pre...)
	}
	run(specs)
	// The made-up method matters only where the untrusted origin gets through: its own GET
	// was let through (a server may refuse the PUT preflight for its headers and still echo
	// any method), or the PUT preflight was. An origin refused by both gets no answer to
	// any preflight a browser could act on.
	if r := s.byOrigin[untrusted]; (r != nil && r.accepted()) || (len(s.pre) > 0 && evalPreflight(s.pre[0]).corsOK) {
		run([]spec{{untrusted, false, unusualMethod}})
	}
}

// sendArbitraryHTTP asks, when an http:// origin got through but the arbitrary https one did
// not, whether every http:// origin does: then no network attacker is needed, any page served
// over plain http reads the API. It runs last, on whatever budget is left, because it only
// widens a finding (cors-http-origin-trusted) that is already reported.
func (s *session) sendArbitraryHTTP() {
	if s.arbitrary().accepted() || len(s.acceptedOf(ClassHTTP)) == 0 {
		return
	}
	if s.left == 0 {
		s.skipped++
		return
	}
	s.send([]Mutation{{Origin: s.arbitraryHTTPOrigin(), Class: ClassArbitrary}}, 1)
}

// sendAnonymous looks at what a browser that sends no certificate (Firefox on a
// non-credentialed request) gets from an endpoint that rejects at HTTP level.
func (s *session) sendAnonymous() {
	if s.env.Facts.Anonymous != nil {
		s.anon = s.env.Facts.Anonymous
		return
	}
	if s.env.Facts.Auth != endpoint.AuthRequiredHTTP || !s.env.HasCert() || s.take(1) == 0 {
		return
	}
	s.anon = s.env.Client.Do(s.ctx, probe.Request{Method: http.MethodGet, URL: s.env.URL.String(),
		Header: http.Header{"Origin": {"https://evil-" + s.rnd + ".example"}}, Identity: probe.None})
}

// facts are what the severity depends on.
type facts struct {
	// mtls: the client certificate decides what the endpoint serves (refused without one, or,
	// with an optional certificate, different content without one), and no bypass is known.
	mtls bool
	// optional: the certificate is optional at TLS level, so a browser that sends none (Firefox
	// on a non-credentialed request) is still answered, with the anonymous content.
	optional  bool
	certSent  bool // the probes carried the user's certificate
	cookies   bool // the baseline sets session or CSRF cookies
	sensitive bool
	what      string // e.g. "email addresses and a phone number"
	content   int    // status of the authenticated content
}

// sessionCookie names cookies that authenticate. CSRF cookies (Django's csrftoken, XSRF-TOKEN)
// are left out: they grant nothing by themselves, so they are no sign that a credentialed read
// gets more than an anonymous one.
var (
	sessionCookie = regexp.MustCompile(`(?i)session|sid|auth|token|jwt`)
	csrfCookie    = regexp.MustCompile(`(?i)csrf|xsrf`)
)

func authCookie(name string) bool {
	name = strings.TrimSpace(name)
	return sessionCookie.MatchString(name) && !csrfCookie.MatchString(name)
}

func (s *session) learnFacts() {
	env := s.env
	s.f.certSent = env.HasCert()
	s.f.optional = env.Facts.Auth == endpoint.AuthOptional && s.certChangesContent()
	s.f.mtls = (env.Facts.Auth.RequiresCert() || s.f.optional) && !env.Facts.Unauthenticated
	base := env.Facts.Baseline
	if own := s.byOrigin[s.self]; own.ok() && (base == nil || !base.OK()) {
		base = own.ex
	}
	if base == nil || !base.OK() {
		for _, r := range s.results {
			if r.ok() {
				base = r.ex
				break
			}
		}
	}
	if base != nil && base.OK() {
		s.f.content = base.Status
		for _, c := range base.Header.Values("Set-Cookie") {
			name, _, _ := strings.Cut(c, "=")
			if authCookie(name) {
				s.f.cookies = true
			}
		}
		// A session cookie the user passes with -H is what the victim's browser would attach
		// to a credentials: include request.
		for _, line := range base.RequestHeader.Values("Cookie") {
			for _, kv := range strings.Split(line, ";") {
				if name, _, _ := strings.Cut(kv, "="); authCookie(name) {
					s.f.cookies = true
				}
			}
		}
	}
	sens := env.Facts.Sensitivity
	if !sens.Any() && env.Sensitive != nil && base != nil && base.OK() && base.Status < 400 {
		sens = env.Sensitive(base.Body, base.Header.Get("Content-Type"))
	}
	s.f.sensitive, s.f.what = sens.Any(), sens.Describe()
	env.Facts.Stack = env.Facts.Stack.Merge(endpoint.DetectStack(base))
}

// certChangesContent reports whether, on an endpoint that asks for a certificate but answers
// without one, the anonymous answer differs from the authenticated one: then the application
// authorises by certificate, and Chromium, which presents it on non-credentialed requests too,
// hands a cross-origin page the victim's content.
func (s *session) certChangesContent() bool {
	base, anon := s.env.Facts.Baseline, s.env.Facts.Anonymous
	if !s.env.HasCert() || !base.OK() || !anon.OK() || base.Status >= 400 || base == anon {
		return false
	}
	if anon.Status != base.Status {
		return true
	}
	return similar.Bodies(anon.Body, base.Body) < sameContent
}

func (s *session) authenticated() bool { return s.f.mtls || s.f.cookies }
