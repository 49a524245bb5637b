// Package scan runs crossgate's black-box checks against live endpoints: it learns each
// endpoint's facts in order (client authentication, baseline and its sensitivity), then runs
// the mTLS, CORS and data-exposure families, whose severities use those facts.
package scan

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/prose"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan/corscheck"
	"github.com/crossgate/crossgate/scan/endpoint"
	"github.com/crossgate/crossgate/scan/exposurecheck"
	"github.com/crossgate/crossgate/scan/mtlscheck"
	"github.com/crossgate/crossgate/scan/prove"
)

// Version is set by the CLI (and at link time) and printed in reports.
var Version = "dev"

// Config is one scan.
type Config struct {
	Targets []string
	// User is the user's identity (--cert/--key); nil means none.
	User *probe.Identity
	// Extra are further identities (--identity NAME=CERT[,KEY]).
	Extra []*probe.Identity
	// Origins are origins the user means to trust (--origin).
	Origins []string
	// Probe bounds the network; Scope is filled from the targets' hosts.
	Probe probe.Config
	// Concurrency is how many targets are scanned at once (default 4).
	Concurrency int
	Options     Options
	// Prove, when set, runs each finding that claims a cross-origin read in headless
	// Chromium holding the user's certificate (--prove); identity, timeout, body limit and
	// redaction come from the fields above.
	Prove *prove.Options
}

// Options are the user's choices that change what the checks send and what reports show.
type Options struct {
	ExpectMTLS  bool // --expect-mtls: the endpoint must require a client certificate
	NoSpoof     bool // --no-spoof: skip identity-header spoofing probes
	ShowSecrets bool // --show-secrets: do not redact evidence
}

// DefaultConcurrency is the number of targets scanned at once unless --concurrency says otherwise.
const DefaultConcurrency = 4

// ParseTarget checks a target URL: absolute http(s) with a host, no credentials.
func ParseTarget(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		if u, err := url.Parse("https://" + raw); err == nil && u.Hostname() != "" && !strings.ContainsAny(raw, " \t") {
			return nil, inputErr("did you mean https://"+raw+" ? A target is an absolute URL with its scheme", "bad target URL %q: no scheme", raw)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, inputErr("a target is an absolute URL such as https://api.example.com/v1/profile", "bad target URL %q: %v", raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, inputErr("a target is an absolute URL such as https://api.example.com/v1/profile", "bad target URL %q: scheme must be https or http", raw)
	}
	if u.Hostname() == "" {
		return nil, inputErr("a target is an absolute URL such as https://api.example.com/v1/profile", "bad target URL %q: no host", raw)
	}
	if u.Fragment != "" {
		u.Fragment = ""
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

// Run scans every target and returns the report. It returns an error only for bad input
// (InputError); unreachable targets are reported per target.
func Run(ctx context.Context, cfg Config) (*report.Report, error) {
	if len(cfg.Targets) == 0 {
		return nil, inputErr("name at least one URL, or a file of URLs with -i", "no targets given")
	}
	urls := make([]*url.URL, 0, len(cfg.Targets))
	seen := map[string]bool{}
	var scope []string
	for _, raw := range cfg.Targets {
		u, err := ParseTarget(raw)
		if err != nil {
			return nil, err
		}
		if seen[u.String()] {
			continue
		}
		seen[u.String()] = true
		urls = append(urls, u)
		scope = append(scope, u.Hostname())
	}
	for _, o := range cfg.Origins {
		if err := checkOrigin(o); err != nil {
			return nil, err
		}
	}
	user := cfg.User
	if user == nil {
		user = probe.None
	}
	pc := cfg.Probe
	pc.Scope = append(append([]string(nil), pc.Scope...), scope...)
	if pc.Limits == nil {
		pc.Limits = probe.NewLimits()
	}
	conc := cfg.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	rep := &report.Report{Version: Version, Command: "scan", Targets: make([]report.Target, len(urls))}
	results := make([][]finding.Finding, len(urls))
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			client, err := probe.New(pc)
			if err != nil {
				rep.Targets[i] = report.Target{URL: probe.RedactURL(u.String()), Error: err.Error()}
				return
			}
			env := &endpoint.Env{Client: client, URL: u, User: user, Extra: cfg.Extra,
				TrustedOrigins: cfg.Origins, Options: endpoint.Options{
					ExpectMTLS: cfg.Options.ExpectMTLS, NoSpoof: cfg.Options.NoSpoof, ShowSecrets: cfg.Options.ShowSecrets,
					Curl: probe.CurlOptions{CACert: pc.RootCAs != nil, Insecure: pc.Insecure},
				}}
			fs, t := scanEndpoint(ctx, env)
			t.Requests = int(client.Sent())
			t.Findings = len(fs)
			t.Grade = report.Grade(fs)
			if n := client.TimedOut(); n > 0 && t.Error == "" {
				t.Warnings = append(t.Warnings, fmt.Sprintf("%d of %d requests got no answer within --timeout %s: findings may be missing (raise --timeout)", n, t.Requests, pc.Timeout))
			}
			client.CloseIdle()
			rep.Targets[i], results[i] = t, fs
		}()
	}
	wg.Wait()
	if cfg.Prove != nil && ctx.Err() == nil {
		proveFindings(ctx, cfg, urls, results, rep)
	}
	rep.Summary.Interrupted = ctx.Err() != nil
	// A site-wide finding (a served .env, located at the file's own URL) is found from every
	// endpoint of that site: report it once. The key is the URL as well as the fingerprint,
	// which leaves out the port: two services on one host are two sites.
	reported := map[string]bool{}
	for _, fs := range results {
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
	return rep, nil
}

func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if o == "null" {
		return nil
	}
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return inputErr("an origin is scheme://host[:port], e.g. https://app.example.com, with no path", "bad --origin %q", o)
	}
	return nil
}

// scanEndpoint runs the families in the order their facts depend on.
func scanEndpoint(ctx context.Context, env *endpoint.Env) ([]finding.Finding, report.Target) {
	t := report.Target{URL: env.ReportURL()}
	env.Sensitive = exposurecheck.Sensitivity
	env.RedactBody = exposure.Redact
	if env.Options.ShowSecrets {
		env.RedactBody = func(b []byte) []byte { return b }
	}
	mtlscheck.Inspect(ctx, env)
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
		return nil, t
	}
	if env.Facts.Stack == "" {
		env.Facts.Stack = endpoint.DetectStack(base, anon)
	}
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
	var fs []finding.Finding
	m := mtlscheck.Scan(ctx, env)
	fs = append(fs, m.Findings...)
	t.Notes = append(t.Notes, m.Notes...)
	cf := corscheck.Run(ctx, env)
	env.Facts.CrossOrigin = crossOriginReader(cf)
	fs = append(fs, cf...)
	fs = append(fs, exposurecheck.Run(ctx, env)...)
	t.Stack = env.Facts.Stack
	return fs, t
}

// coverageWarnings say when the content behind client authentication was not reached, so a
// short report is not mistaken for a clean one.
func coverageWarnings(env *endpoint.Env) []string {
	if !env.Facts.Auth.RequiresCert() {
		return nil
	}
	if !env.HasCert() {
		return []string{"the endpoint requires a client certificate and none was given: only what a client without one sees was tested; pass --cert/--key to test the protected content"}
	}
	base := env.Facts.Baseline
	switch {
	case base != nil && base.ErrKind == probe.ErrTimeout:
		return []string{"with your client certificate the endpoint gave no answer within --timeout: the protected content was not tested; raise --timeout if the server is slow"}
	case base == nil || !base.OK():
		why := "no answer"
		if base != nil {
			why = describeFailure(base)
		}
		return []string{"your client certificate was not accepted (" + why + "): the protected content was not tested; check that --cert is issued by a CA this server trusts"}
	case base.Status == 400 || base.Status == 401 || base.Status == 403 || base.Status == 495 || base.Status == 496:
		return []string{fmt.Sprintf("with your client certificate the endpoint answered HTTP %d: the protected content may not have been reached; check the certificate and the URL", base.Status)}
	}
	return nil
}

// crossOriginReader names the CORS finding that shows an untrusted page can read the endpoint
// (the readable rule with the lowest rank), or "" when none holds above info.
func crossOriginReader(fs []finding.Finding) string {
	best, rank := "", 0
	for _, f := range fs {
		r, _ := finding.Lookup(f.Rule)
		if r.ReadRank > 0 && f.Severity > finding.Info && (rank == 0 || r.ReadRank < rank) {
			best, rank = r.ID, r.ReadRank
		}
	}
	return best
}

// handshakeOnly is true when the server answered at the TLS layer (it rejected the
// certificate-less handshake) even though no HTTP response came back: the endpoint exists.
func handshakeOnly(exs ...*probe.Exchange) bool {
	for _, ex := range exs {
		if ex != nil && ex.ErrKind == probe.ErrTLSAlert {
			return true
		}
	}
	return false
}

func describeFailure(ex *probe.Exchange) string {
	if ex == nil {
		return "no request was sent"
	}
	switch ex.ErrKind {
	case probe.ErrRefused:
		return "cannot connect: connection refused"
	case probe.ErrTimeout:
		return "no answer within the timeout (raise --timeout if the server is slow)"
	case probe.ErrDNS:
		var dns *net.DNSError
		if errors.As(ex.Err, &dns) {
			return fmt.Sprintf("cannot resolve the host %s: %s", dns.Name, dns.Err)
		}
		return fmt.Sprintf("cannot resolve the host: %v", ex.Err)
	case probe.ErrServerCert:
		return fmt.Sprintf("the server certificate did not verify: %v (pass its CA with --cacert, or --insecure to skip verification)", ex.Err)
	case probe.ErrTLSHandshake:
		return fmt.Sprintf("TLS handshake failed: %v", ex.Err)
	case probe.ErrProtocol:
		if strings.Contains(ex.Err.Error(), "HTTP response to HTTPS") {
			return "the server speaks plain HTTP on this port, not TLS (use an http:// URL if that is intended)"
		}
		return fmt.Sprintf("the server did not answer HTTP over TLS: %v", ex.Err)
	case probe.ErrClosed:
		return fmt.Sprintf("the server closed the connection without an answer: %v", ex.Err)
	case probe.ErrReset:
		return fmt.Sprintf("the connection was reset without an answer (a server or proxy shedding load resets connections: lower --rate or --connections): %v", ex.Err)
	case probe.ErrBlocked:
		return ex.Err.Error()
	}
	// net/http prefixes some read errors with the name of its internal function.
	return "request failed: " + strings.TrimPrefix(ex.Err.Error(), "readLoopPeekFailLocked: ")
}
