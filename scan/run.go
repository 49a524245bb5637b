package scan

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crossgate/crossgate/cors"
	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/progress"
	"github.com/crossgate/crossgate/internal/prose"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan/corscheck"
	"github.com/crossgate/crossgate/scan/endpoint"
	"github.com/crossgate/crossgate/scan/exposurecheck"
	"github.com/crossgate/crossgate/scan/mtlscheck"
	"github.com/crossgate/crossgate/scan/openapi"
)

// runner is one scan in progress.
type runner struct {
	cfg   Config
	pc    probe.Config
	user  *probe.Identity
	meter *progress.Meter

	mu      sync.Mutex
	rep     *report.Report
	results [][]finding.Finding
	jobs    []*job
	urls    map[string]bool
	sites   map[string]*site
	order   []*site
}

func (r *runner) seen(u *url.URL) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.urls[u.String()]
}

// addTarget registers a job as not started until it is scanned.
func (r *runner) addTarget(st *site, j *job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.urls[j.url.String()] {
		return
	}
	r.urls[j.url.String()] = true
	j.index = len(r.jobs)
	r.jobs = append(r.jobs, j)
	r.rep.Targets = append(r.rep.Targets, report.Target{URL: probe.RedactURL(j.url.String()), Origin: st.origin, Status: report.StatusNotStarted})
	r.results = append(r.results, nil)
	st.jobs = append(st.jobs, j)
	r.meter.AddEndpoints(1)
}

// siteOf returns the origin's site, making it on first use.
func (r *runner) siteOf(origin string) (*site, error) {
	if st := r.sites[origin]; st != nil {
		return st, nil
	}
	st, err := r.newSite(origin)
	if err != nil {
		return nil, err
	}
	r.sites[origin] = st
	r.order = append(r.order, st)
	r.meter.AddOrigins(1)
	return st, nil
}

// Run scans every target, grouped by origin, and returns the report. It returns an error
// only for bad input (InputError); unreachable targets are reported per target.
func Run(ctx context.Context, cfg Config) (*report.Report, error) {
	if len(cfg.Targets) == 0 && cfg.Spec == nil && cfg.OpenAPI == "" {
		return nil, inputErr("name at least one URL, or a file of URLs with -i", "no targets given")
	}
	var urls []*url.URL
	var scope []string
	for _, raw := range cfg.Targets {
		u, err := ParseTarget(raw)
		if err != nil {
			return nil, err
		}
		urls = append(urls, u)
		scope = append(scope, u.Hostname())
	}
	for _, o := range cfg.Origins {
		if err := checkOrigin(o); err != nil {
			return nil, err
		}
	}
	if err := checkChoices(cfg); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, user: cfg.User, meter: cfg.Progress, urls: map[string]bool{}, sites: map[string]*site{},
		rep: &report.Report{Version: Version, Command: "scan", Targets: []report.Target{}}}
	if r.user == nil {
		r.user = probe.None
	}
	r.pc = cfg.Probe
	if r.pc.Limits == nil {
		r.pc.Limits = probe.NewLimits()
	}
	spec := cfg.Spec
	if cfg.OpenAPI != "" && openapi.IsURL(cfg.OpenAPI) {
		u, err := url.Parse(cfg.OpenAPI)
		if err != nil || u.Hostname() == "" {
			return nil, inputErr("--openapi takes a file or an http(s) URL", "bad --openapi URL %q", cfg.OpenAPI)
		}
		// The user named the document's host: the certificate may be presented there.
		pc := r.pc
		pc.Scope = append(append(append([]string(nil), pc.Scope...), scope...), u.Hostname())
		c, err := probe.New(pc)
		if err != nil {
			return nil, err
		}
		s, _, err := openapi.Fetch(ctx, c, r.user, cfg.OpenAPI)
		c.CloseIdle()
		if err != nil {
			return nil, inputErr("check the URL, or save the document and pass it as a file", "cannot read the API description: %v", err)
		}
		spec = s
		keepNamedHosts(spec, append(slices.Clone(scope), u.Hostname()))
	}
	if spec != nil {
		for _, e := range spec.Endpoints {
			if u, err := url.Parse(e.URL); err == nil {
				scope = append(scope, u.Hostname()) // the user handed crossgate this description
			}
		}
	}
	r.pc.Scope = append(append([]string(nil), r.pc.Scope...), scope...)
	for _, u := range urls {
		st, err := r.siteOf(probe.Origin(u))
		if err != nil {
			return nil, err
		}
		r.addTarget(st, &job{url: u})
	}
	if spec != nil {
		if len(spec.Endpoints) == 0 {
			var why []string
			for _, n := range spec.NotProbed {
				if !slices.Contains(why, n.Reason) && len(why) < 3 {
					why = append(why, n.Reason)
				}
			}
			return nil, inputErr("the description must name at least one GET operation on an http(s) server you named", "the API description names no endpoint crossgate can probe (%d operations not probed: %s)", len(spec.NotProbed), strings.Join(why, "; "))
		}
		for _, origin := range spec.Origins() {
			st, err := r.siteOf(probe.OriginOf(origin))
			if err != nil {
				return nil, err
			}
			added := r.addSpec(st, spec)
			st.discovery = append(st.discovery, fmt.Sprintf("--openapi: %s description %q: %d endpoints of this origin", specName(spec), spec.Title, added))
			spec = &openapi.Spec{Version: spec.Version, Title: spec.Title, Endpoints: spec.Endpoints} // not-probed and notes once
		}
	}
	r.run(ctx)
	if cfg.Prove != nil && ctx.Err() == nil {
		proveURLs := make([]*url.URL, len(r.jobs))
		for i, j := range r.jobs {
			proveURLs[i] = j.url
		}
		proveFindings(ctx, cfg, proveURLs, r.results, r.rep)
	}
	r.finish(ctx)
	return r.rep, nil
}

// run scans the origins, at most cfg.Concurrency at once.
func (r *runner) run(ctx context.Context) {
	conc := r.cfg.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for _, st := range slices.Clone(r.order) {
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r.scanOrigin(ctx, st)
		}()
	}
	wg.Wait()
}

// finish fills the origins, the families not run, and the findings (each once).
func (r *runner) finish(ctx context.Context) {
	rep := r.rep
	rep.Summary.Interrupted = ctx.Err() != nil
	for _, st := range r.order {
		rep.Origins = append(rep.Origins, report.Origin{Origin: st.origin, Endpoints: len(st.jobs),
			Requests: int(st.client.Sent()), Discovery: st.discovery, NotProbed: st.notProbed})
	}
	for _, f := range Families {
		if r.cfg.Checks != nil && !r.cfg.Checks[f] {
			rep.NotRun = append(rep.NotRun, "the "+f+" checks (not chosen with --checks)")
		}
	}
	for _, id := range r.cfg.Skip {
		rep.NotRun = append(rep.NotRun, "rule "+id+" (--skip)")
	}
	// A site-wide finding (a served .env, located at the file's own URL) is found from every
	// endpoint of that site: report it once. The key is the URL as well as the fingerprint,
	// which leaves out the port: two services on one host are two sites.
	reported := map[string]bool{}
	for _, fs := range r.results {
		for _, f := range fs {
			key := f.URL + "\x00" + f.Fingerprint
			if f.Fingerprint != "" && reported[key] {
				continue
			}
			reported[key] = true
			rep.Findings = append(rep.Findings, f)
		}
	}
	rep.Finalize()
}

// checkChoices validates --checks and --skip before any request.
func checkChoices(cfg Config) error {
	for f := range cfg.Checks {
		if !slices.Contains(Families, f) {
			return inputErr("--checks takes cors, mtls and exposure, comma-separated", "unknown check family %q", f)
		}
	}
	for _, id := range cfg.Skip {
		if _, ok := finding.Lookup(id); !ok {
			return inputErr("--skip takes rule IDs as listed in docs/rules.md, e.g. --skip cors-missing-vary-origin", "unknown rule %q", id)
		}
	}
	return nil
}

// inspect learns the endpoint's authentication and baseline. ok is false when nothing
// answered (the target then carries the error).
func inspect(ctx context.Context, env *endpoint.Env) (report.Target, bool) {
	t := report.Target{URL: env.ReportURL()}
	env.Sensitive = exposurecheck.Sensitivity
	env.RedactBody = exposure.Redact
	if env.Options.ShowSecrets {
		env.RedactBody = func(b []byte) []byte { return b }
	}
	mtlscheck.Inspect(probe.WithPhase(ctx, "inspect"), env)
	t.Auth, t.AuthReason = string(env.Facts.Auth), env.Facts.AuthReason
	if ti := env.Facts.TLS; ti != nil {
		t.TLSVersion = ti.VersionName()
		if ti.CipherSuite != 0 {
			t.TLSCipher = tls.CipherSuiteName(ti.CipherSuite)
		}
		for _, c := range ti.ServerChain {
			t.ServerChain = append(t.ServerChain, fmt.Sprintf("%s (issuer %s, expires %s)", c.Subject, c.Issuer, c.NotAfter.UTC().Format("2006-01-02")))
		}
		t.ClientCAs = ti.AcceptableCAs
		t.ClientSignatureSchemes = ti.SignatureScheme
	}
	base, anon := env.Facts.Baseline, env.Facts.Anonymous
	if !base.OK() && !anon.OK() && !handshakeOnly(base, anon) {
		t.Error = describeFailure(base)
		return t, false
	}
	env.Facts.Stack = env.Facts.Stack.Merge(endpoint.DetectStack(base, anon))
	for _, ex := range []*probe.Exchange{base, anon} {
		if ex.OK() && ex.Status < 400 {
			s := env.Sensitive(ex.Body, ex.Header.Get("Content-Type"))
			env.Facts.Sensitivity.PII = prose.Dedupe(append(env.Facts.Sensitivity.PII, s.PII...))
			env.Facts.Sensitivity.Secrets = prose.Dedupe(append(env.Facts.Sensitivity.Secrets, s.Secrets...))
		}
	}
	if t.NotTested = notTested(env, time.Now()); t.NotTested == "" {
		t.Warnings = append(t.Warnings, coverageWarnings(env)...)
	}
	t.Warnings = append(t.Warnings, cutShort(env)...)
	return t, true
}

// families runs the chosen check families in the order their facts depend on.
func (r *runner) families(ctx context.Context, env *endpoint.Env, t *report.Target) []finding.Finding {
	on := func(f string) bool { return r.cfg.Checks == nil || r.cfg.Checks[f] }
	var fs []finding.Finding
	if on("mtls") {
		m := mtlscheck.Scan(probe.WithPhase(ctx, "mtls"), env)
		fs = append(fs, m.Findings...)
		t.Notes = append(t.Notes, m.Notes...)
	}
	if on("cors") {
		cf := corscheck.Run(probe.WithPhase(ctx, "cors"), env)
		env.Facts.CrossOrigin = crossOriginReader(cf)
		fs = append(fs, cf...)
	}
	if on("exposure") {
		fs = append(fs, exposurecheck.Run(probe.WithPhase(ctx, "exposure"), env)...)
	}
	if n := env.Client.TimedOut(); n > 0 {
		t.Warnings = append(t.Warnings, fmt.Sprintf("%d requests to this origin got no answer within --timeout %s: findings may be missing (raise --timeout)", n, r.pc.Timeout))
	}
	t.Stack = env.Facts.Stack.String()
	return slices.DeleteFunc(fs, func(f finding.Finding) bool { return slices.Contains(r.cfg.Skip, f.Rule) })
}

// signature is what a further endpoint must share with a template to get the confirming
// set: the authentication answers and the CORS answers to the learning origins (own,
// trusted, arbitrary, null). The learning requests are the CORS family's own, with the
// origin's shared tag, so the family gets them back from the client's cache.
func signature(ctx context.Context, env *endpoint.Env) string {
	ctx = probe.WithPhase(ctx, "cors") // the CORS family's own first requests
	var b strings.Builder
	fmt.Fprintf(&b, "auth=%s expect=%v base=%s anon=%s\n", env.Facts.Auth, env.Options.ExpectMTLS,
		brief(env.Facts.Baseline), brief(env.Facts.Anonymous))
	for _, m := range learningMutations(env) {
		ex := env.Client.Do(ctx, probe.Request{Method: "GET", URL: env.URL.String(),
			Header: map[string][]string{"Origin": {m.Origin}}, Identity: env.User})
		fmt.Fprintf(&b, "%s %s %s\n", m.Class, m.Origin, corsAnswer(ex, m.Origin))
	}
	return b.String()
}

func brief(ex *probe.Exchange) string {
	switch {
	case ex == nil:
		return "none"
	case !ex.OK():
		return string(ex.ErrKind)
	}
	return fmt.Sprint(ex.Status)
}

// corsAnswer is the part of a response a CORS verdict reads, with the request's own origin
// written as <origin> so that reflection compares equal across endpoints.
func corsAnswer(ex *probe.Exchange, origin string) string {
	if !ex.OK() {
		return brief(ex)
	}
	h := ex.Header
	acao := strings.Join(h.Values("Access-Control-Allow-Origin"), ",")
	if acao == origin {
		acao = "<origin>"
	}
	vary := strings.Contains(strings.ToLower(strings.Join(h.Values("Vary"), ",")), "origin")
	return fmt.Sprintf("%d acao=%q acac=%q aceh=%q vary-origin=%v", ex.Status/100, acao,
		h.Get("Access-Control-Allow-Credentials"), h.Get("Access-Control-Expose-Headers"), vary)
}

// learningMutations are the CORS family's first probes: own, trusted, arbitrary and null.
func learningMutations(env *endpoint.Env) []corscheck.Mutation {
	var trusted []string
	for _, t := range env.TrustedOrigins {
		if o, err := cors.ParseOrigin(strings.TrimSpace(t)); err == nil && !o.Opaque {
			trusted = append(trusted, o.String())
		}
	}
	var out []corscheck.Mutation
	for _, m := range corscheck.Plan(env.URL, trusted, env.Token(4)) {
		switch m.Class {
		case corscheck.ClassOwn, corscheck.ClassTrusted, corscheck.ClassArbitrary, corscheck.ClassNull:
			out = append(out, m)
		}
	}
	return out
}

// keepNamedHosts leaves out of a description fetched from the network every endpoint whose host
// the user did not name (on the command line or as the description's own host), listing it as
// not probed: a server cannot widen where the user's client certificate is presented. A
// description the user hands over as a file is theirs, and its servers count as named.
func keepNamedHosts(spec *openapi.Spec, named []string) {
	kept := spec.Endpoints[:0]
	for _, e := range spec.Endpoints {
		u, err := url.Parse(e.URL)
		if err == nil && slices.Contains(named, u.Hostname()) {
			kept = append(kept, e)
			continue
		}
		spec.NotProbed = append(spec.NotProbed, openapi.NotProbed{Method: "GET", Path: e.URL,
			Reason: "its server's host is not one you named, and the description came from the network; name the host as a target to scan it"})
	}
	spec.Endpoints = kept
}
