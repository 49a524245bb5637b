package scan

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/prose"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan/endpoint"
	"github.com/crossgate/crossgate/scan/openapi"
)

// DefaultEndpointWorkers is how many endpoints of one origin are scanned at once after its
// first: they share the origin's rate and connection cap, so more would only queue.
const DefaultEndpointWorkers = 4

// job is one endpoint to scan and what an API description said about it.
type job struct {
	url      *url.URL
	declared *openapi.Endpoint // nil for a URL the user named
	index    int               // into the report's targets
	started  atomic.Bool
}

// site is one origin under scan: its shared probe client (connections, TLS sessions, the
// answer cache), its random tag, and the endpoints probed in full so far (the templates a
// further endpoint is compared with).
type site struct {
	origin string
	client *probe.Client
	rand   string
	jobs   []*job

	mu        sync.Mutex
	templates []*template
	discovery []string
	notProbed []string
}

// template is an endpoint probed in full: its signature and what confirms its findings.
// confirm is set, and done closed, once the template's own scan has finished.
type template struct {
	sig     string
	done    chan struct{}
	confirm *endpoint.Confirm
}

// scanOrigin scans the endpoints of one origin: the first with the full probe set (its site
// facts serve the rest), then the others a few at a time, each with the full set or, when
// it answers like an endpoint already probed, the confirming set.
func (r *runner) scanOrigin(ctx context.Context, st *site) {
	defer r.meter.OriginDone()
	if r.cfg.Discover {
		r.discover(ctx, st)
	}
	if len(st.jobs) == 0 {
		return
	}
	r.scanJob(ctx, st, st.jobs[0], false)
	rest := st.jobs[1:]
	work := make(chan *job)
	var wg sync.WaitGroup
	for range min(DefaultEndpointWorkers, len(rest)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				r.scanJob(ctx, st, j, true)
			}
		}()
	}
	for _, j := range rest {
		if ctx.Err() != nil {
			break
		}
		work <- j
	}
	close(work)
	wg.Wait()
	st.client.CloseIdle()
}

// discover tries the origin's well-known API description locations and adds the GET
// operations it names as endpoints of this origin.
func (r *runner) discover(ctx context.Context, st *site) {
	u, _ := url.Parse(st.origin)
	d := openapi.Discover(probe.WithPhase(ctx, "discover"), st.client, r.user, u)
	st.mu.Lock()
	defer st.mu.Unlock()
	if d.Spec == nil {
		st.discovery = append(st.discovery, "--discover: no API description at "+strings.Join(d.Tried, ", "))
		return
	}
	added := r.addSpec(st, d.Spec)
	st.discovery = append(st.discovery, fmt.Sprintf("--discover: %s description %q at %s: %d GET operations, %d new endpoints",
		specName(d.Spec), d.Spec.Title, d.Found, len(d.Spec.Endpoints), added))
}

func specName(s *openapi.Spec) string {
	if strings.HasPrefix(s.Version, "2") {
		return "Swagger " + s.Version
	}
	return "OpenAPI " + s.Version
}

// addSpec appends the spec's endpoints on st's origin that are not targets yet.
func (r *runner) addSpec(st *site, spec *openapi.Spec) int {
	added := 0
	for i := range spec.Endpoints {
		e := &spec.Endpoints[i]
		u, err := ParseTarget(e.URL)
		if err != nil || probe.Origin(u) != st.origin || r.seen(u) {
			continue
		}
		r.addTarget(st, &job{url: u, declared: e})
		added++
	}
	for _, n := range spec.NotProbed {
		st.notProbed = append(st.notProbed, n.Method+" "+n.Path+": "+n.Reason)
	}
	st.discovery = append(st.discovery, spec.Notes...)
	return added
}

// scanJob scans one endpoint and records its target and findings.
func (r *runner) scanJob(ctx context.Context, st *site, j *job, further bool) {
	if ctx.Err() != nil {
		return
	}
	j.started.Store(true)
	var sent atomic.Int64
	ectx := probe.WithCounter(ctx, &sent)
	env := r.env(st, j)
	env.Site = further
	t, fs := r.probeEndpoint(ectx, st, env, j)
	t.Requests = int(sent.Load())
	t.Findings = len(fs)
	if t.Status == "scanned" {
		t.Grade = report.Grade(fs)
	}
	r.mu.Lock()
	r.rep.Targets[j.index] = t
	r.results[j.index] = fs
	r.mu.Unlock()
	r.meter.EndpointDone(fs)
}

// env builds the endpoint's view for the families.
func (r *runner) env(st *site, j *job) *endpoint.Env {
	opts := endpoint.Options{
		ExpectMTLS: r.cfg.Options.ExpectMTLS || (j.declared != nil && j.declared.RequireMTLS),
		NoSpoof:    r.cfg.Options.NoSpoof, ShowSecrets: r.cfg.Options.ShowSecrets,
		Curl: probe.CurlOptions{CACert: r.pc.RootCAs != nil, Insecure: r.pc.Insecure},
	}
	return &endpoint.Env{Client: st.client, URL: j.url, User: r.user, Extra: r.cfg.Extra,
		TrustedOrigins: r.cfg.Origins, Options: opts, Rand: st.rand}
}

// probeEndpoint learns the endpoint's facts, picks the full or the confirming set, and runs
// the families.
func (r *runner) probeEndpoint(ctx context.Context, st *site, env *endpoint.Env, j *job) (report.Target, []finding.Finding) {
	t, ok := inspect(ctx, env)
	t.Origin, t.Status = st.origin, "scanned"
	if d := j.declared; d != nil {
		t.Operation, t.GuessedParams, t.ExpectMTLS = d.OperationID, d.Guessed(), d.RequireMTLS
	}
	if !ok {
		t.Status = "failed"
		return t, nil
	}
	sig := signature(ctx, env)
	t.ProbeSet = "full"
	// An endpoint that answers like one still being probed in full waits for it rather than
	// repeating the full set: with several endpoints in flight, alike ones arrive together.
	st.mu.Lock()
	var tp, mine *template
	for _, x := range st.templates {
		if x.sig == sig {
			tp = x
			break
		}
	}
	if tp == nil {
		mine = &template{sig: sig, done: make(chan struct{})}
		st.templates = append(st.templates, mine)
	}
	st.mu.Unlock()
	if tp != nil {
		select {
		case <-tp.done:
			env.Confirm = tp.confirm
			t.ProbeSet, t.Template = "confirming", tp.confirm.Template
		case <-ctx.Done():
		}
	}
	fs := r.families(ctx, env, &t)
	if mine != nil {
		mine.confirm = confirmOf(env.ReportURL(), fs)
		close(mine.done)
	}
	return t, fs
}

// confirmOf says what confirms an endpoint's findings on another that answers alike: the
// rules, and the Origin values (and preflights) whose answers proved its CORS findings.
func confirmOf(url string, fs []finding.Finding) *endpoint.Confirm {
	c := &endpoint.Confirm{Template: url, Rules: map[string]bool{}}
	for _, f := range fs {
		c.Rules[f.Rule] = true
		if !strings.HasPrefix(f.Rule, "cors-") {
			continue
		}
		if strings.HasPrefix(f.Evidence.Request, "OPTIONS ") {
			c.Preflight = true
		}
		for _, line := range strings.Split(f.Evidence.Request, "\n") {
			if name, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Origin") {
				if o := strings.TrimSpace(v); !slices.Contains(c.Origins, o) {
					c.Origins = append(c.Origins, o)
				}
			}
		}
	}
	return c
}

// newSite makes the origin's shared client.
func (r *runner) newSite(origin string) (*site, error) {
	c, err := probe.New(r.pc)
	if err != nil {
		return nil, err
	}
	return &site{origin: origin, client: c, rand: prose.RandHex(8)}, nil
}
