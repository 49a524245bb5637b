// Package scan runs crossgate's black-box checks against live endpoints: it learns each
// endpoint's facts in order (client authentication, baseline and its sensitivity), then runs
// the mTLS, CORS and data-exposure families, whose severities use those facts.
package scan

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/progress"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
	"github.com/crossgate/crossgate/scan/openapi"
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
	// Concurrency is how many origins are scanned at once (default DefaultConcurrency).
	Concurrency int
	Options     Options
	// Spec is an API description read before the scan (--openapi FILE); OpenAPI is one to
	// fetch first (--openapi URL). Their GET operations become targets.
	Spec    *openapi.Spec
	OpenAPI string
	// Discover tries each origin's well-known API description locations (--discover).
	Discover bool
	// Checks names the families to run (cors, mtls, exposure); nil runs all. Skip lists rule
	// IDs left out of the report (--skip).
	Checks map[string]bool
	Skip   []string
	// Progress, when set, counts the scan's progress (the CLI draws it on stderr).
	Progress *progress.Meter
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

// DefaultConcurrency is the number of origins scanned at once unless --concurrency says
// otherwise. Each origin has its own rate and connection cap, so origins in flight do not
// slow each other; 16 origins at the default 6 connections each stay under 100 connections.
const DefaultConcurrency = 16

// Families are the check families --checks chooses from.
var Families = []string{"cors", "mtls", "exposure"}

// ParseTarget checks a target URL: absolute http(s) with a host, no credentials.
func ParseTarget(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		if u, err := url.Parse("https://" + raw); err == nil && u.Hostname() != "" && !strings.ContainsAny(raw, " \t") {
			return nil, inputErr("did you mean "+shownURL("https://"+raw)+" ? A target is an absolute URL with its scheme", "bad target URL %q: no scheme", shownURL(raw))
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole URL, password and tokens included
		}
		return nil, inputErr("a target is an absolute URL such as https://api.example.com/v1/profile", "bad target URL %q: %v", shownURL(raw), err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, inputErr("a target is an absolute URL such as https://api.example.com/v1/profile", "bad target URL %q: scheme must be https or http", shownURL(raw))
	}
	if u.Hostname() == "" {
		return nil, inputErr("a target is an absolute URL such as https://api.example.com/v1/profile", "bad target URL %q: no host", shownURL(raw))
	}
	if u.Fragment != "" {
		u.Fragment = ""
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

// shownURL is a target URL the scan refuses, as an error message shows it: the user's
// credentials in it (a password before the "@", token values after the "?") left out. It
// works on the text, not on a parse: a URL that is refused may not parse the way it reads.
func shownURL(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i] + "?…"
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		scheme, rest = "", raw
	} else {
		scheme += "://"
	}
	// The last "@": a password may hold "/" or "@" itself.
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = "…@" + rest[i+1:]
	}
	return scheme + rest
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
	if why, ok := brokenConnection(ex); ok {
		return why
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
	case probe.ErrBlocked:
		return ex.Err.Error()
	}
	// net/http prefixes some read errors with the name of its internal function.
	return "request failed: " + strings.TrimPrefix(ex.Err.Error(), "readLoopPeekFailLocked: ")
}
