// Package exposurecheck is the scan-side data-exposure family: it says what an endpoint
// leaks (personal data and secrets in responses, framework debug pages, served dotfiles,
// logs, dumps and VCS metadata, weak session cookies, credentials in cleartext) so that the
// CORS and mTLS findings on the same endpoint can be rated by what a cross-origin reader gets.
//
// Every probe is a GET sent through the scan's probe client (rate-limited, bounded body,
// no redirects followed); the total per endpoint is bounded by Budget. Values never reach a
// finding whole: details name what leaks, evidence is redacted with exposure.Mask unless the
// user passed --show-secrets.
package exposurecheck

import (
	"context"
	"net/http"
	"strings"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// The rules register in the order the catalogue (docs/rules.md) lists them; each is declared
// beside its check (sensitive.go, errorpages.go, files.go, cookies.go, cleartext.go).
func init() {
	finding.Register(rulePIIInResponse, ruleSecretInResponse, ruleErrorDebugPage, ruleErrorStackTrace,
		ruleExposedEnvFile, ruleExposedLogFile, ruleExposedVCSMetadata, ruleExposedBackupFile,
		ruleCookieInsecure, ruleCleartextCredentials)
}

// Request budget per endpoint, all GET:
//
//   - soft-404 learning, only once a file probe's answer validates (see fileFindings): 2
//     random paths per base directory (the site root, and the target's own directory when it
//     is not the root): at most 4, none on most sites;
//   - error probes: a random missing path and the target with an invalid Host, each with
//     Accept: text/html and Accept: application/json: 4;
//   - well-known files: the whole list (27) at the site root, and the few of nestedFiles (5)
//     in the target's own directory: at most 32.
//
// PII/secret scanning, cookies and cleartext credentials use only what the scan already saw
// (the baseline and anonymous exchanges) plus the probes above: no requests of their own.
const (
	soft404Probes = 2
	errorProbes   = 4
	maxBases      = 2
)

// Budget is the most requests Run sends for one endpoint.
func Budget() int {
	return maxBases*soft404Probes + errorProbes + len(wellKnownFiles) + (maxBases-1)*len(nestedFiles)
}

// Sensitivity runs the detectors over a body and returns what kinds of data it holds, by
// name only. The scan wires it as env.Sensitive. Images, audio, video and fonts are skipped:
// their bytes only produce noise.
func Sensitivity(body []byte, contentType string) endpoint.Sensitivity {
	if skipContent(contentType) {
		return endpoint.Sensitivity{}
	}
	pii, secrets := exposure.Labels(exposure.Scan(body))
	return endpoint.Sensitivity{PII: pii, Secrets: secrets}
}

func skipContent(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	for _, p := range []string{"image/", "audio/", "video/", "font/"} {
		if strings.HasPrefix(ct, p) {
			return true
		}
	}
	return false
}

// Run runs the data-exposure checks for one endpoint. It needs env.Facts.Baseline (and
// uses env.Facts.Anonymous when the scan has one); it never returns an error: a probe that
// fails is simply not evidence.
func Run(ctx context.Context, env *endpoint.Env) []finding.Finding {
	if env == nil || env.URL == nil || env.Client == nil {
		return nil
	}
	r := &sweep{env: env}
	var fs []finding.Finding
	fs = append(fs, r.sensitiveFindings()...)
	r.probeErrors(ctx)
	files := r.fileFindings(ctx)
	// Error pages and cookies are judged over every response, the file probes' included.
	fs = append(fs, r.errorPageFindings()...)
	fs = append(fs, files...)
	fs = append(fs, r.cookieFindings()...)
	fs = append(fs, r.cleartextFindings()...)
	return fs
}

// sweep holds one endpoint's state: every exchange seen, for the checks that only read.
type sweep struct {
	env  *endpoint.Env
	seen []*probe.Exchange // probes sent by this package, in order
	// servedFile marks file probes whose content validated as an exposed file.
	servedFile map[*probe.Exchange]bool
	// missing is the answer to a random missing path at the site root (an error probe).
	missing *probe.Exchange
	// The file probes: the findings so far, one per distinct content (sameContent: rule and
	// body to index), and the soft-404 answers once learned.
	files       []finding.Finding
	sameContent map[string]int
	soft        [][]signature
	softLearned bool
}

// observed returns the scan's exchanges followed by this package's probes.
func (r *sweep) observed() []*probe.Exchange {
	out := []*probe.Exchange{}
	for _, ex := range []*probe.Exchange{r.env.Facts.Baseline, r.env.Facts.Anonymous} {
		if ex.OK() {
			out = append(out, ex)
		}
	}
	for _, ex := range r.seen {
		if ex.OK() {
			out = append(out, ex)
		}
	}
	return out
}

func (r *sweep) get(ctx context.Context, rawURL string, header http.Header, host string) *probe.Exchange {
	ex := r.env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: rawURL, Header: header,
		Identity: r.env.User, Host: host})
	r.seen = append(r.seen, ex)
	return ex
}

// anonymousGotContent reports whether the certificate-less GET came back with a body.
func (r *sweep) anonymousGotContent() bool {
	a := r.env.Facts.Anonymous
	return a.OK() && a.Status < 400 && len(a.Body) > 0
}

func (r *sweep) show() bool { return r.env.Options.ShowSecrets }

// stamp locates the finding at the target URL exactly as the report's target line prints it
// (Env.ReportURL, the one redactor), so one target is printed one way everywhere. The
// fingerprint covers the query's parameter names, never their values: a rotated token is
// still the same finding.
func (r *sweep) stamp(f *finding.Finding, discriminator string) {
	r.env.Stamp(f, discriminator)
}

// stampAt locates the finding at rawURL instead of the endpoint: a file served at the site
// root is the site's, and every endpoint of the site that finds it must produce the same
// location and fingerprint. rawURL is built from the endpoint's scheme and host and a probe
// path, so it carries no credentials.
func (r *sweep) stampAt(f *finding.Finding, rawURL, discriminator string) {
	r.stamp(f, discriminator)
	f.URL = rawURL
	f.Seal(discriminator)
}

// evidence builds the finding evidence from a sanitised copy of ex: the values in spans
// (matched secrets and PII) are masked in the body and the headers, credentials in request
// headers, cookies and the URL are masked, unless --show-secrets.
func (r *sweep) evidence(ex *probe.Exchange, spans []span, notes ...string) finding.Evidence {
	if ex == nil {
		return finding.Evidence{Notes: notes}
	}
	if r.show() {
		return r.env.Evidence(ex, notes...)
	}
	// Whatever the caller matched, every value the detectors find in this exchange (body
	// and headers) is masked too: evidence for a cookie must not print a token in a header.
	for _, h := range scanExchange(ex, false) {
		spans = append(spans, span{Start: h.m.Start, End: h.m.End, Value: h.m.Value})
	}
	// Credentials (request headers, Set-Cookie, URL) are masked once, by probe's Redacted,
	// as for every other family; this package adds what only it knows: the detected values.
	cp := ex.Redacted()
	cp.Header = maskValues(cp.Header, spanValues(spans))
	cp.Body = maskSpans(ex.Body, spans)
	ev := r.env.Evidence(cp, notes...)
	if r.env.RedactBody == nil {
		// Evidence shows the excerpt as is without a redactor: ours above already masked the
		// known values, the detectors catch the rest.
		ev.Response = cp.ResponseText(endpoint.BodyExcerpt, exposure.Redact)
	}
	return ev
}

// span is a matched value in a body: [Start, End) and the value itself.
type span struct {
	Start, End int
	Value      string
}

func spanValues(spans []span) []string {
	out := make([]string, 0, len(spans))
	for _, s := range spans {
		if s.Value != "" {
			out = append(out, s.Value)
		}
	}
	return out
}

// maskSpans masks every matched value wherever it occurs in body (by value rather than by
// offset, so that a repeated value is masked everywhere).
func maskSpans(body []byte, spans []span) []byte {
	if len(spans) == 0 {
		return body
	}
	out := string(body)
	for _, s := range spans {
		if s.Value != "" {
			out = strings.ReplaceAll(out, s.Value, exposure.Mask(s.Value))
		}
	}
	return []byte(out)
}

// maskValues returns a copy of h with every value in values replaced by its mask.
func maskValues(h http.Header, values []string) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		nv := make([]string, len(vs))
		for i, v := range vs {
			for _, val := range values {
				if val != "" {
					v = strings.ReplaceAll(v, val, exposure.Mask(val))
				}
			}
			nv[i] = v
		}
		out[k] = nv
	}
	return out
}

// sensitiveParams are query parameter names whose value is a credential (matched on the
// lower-cased name with '-' read as '_').
var sensitiveParams = map[string]bool{
	"token": true, "access_token": true, "refresh_token": true, "id_token": true, "auth": true,
	"auth_token": true, "api_key": true, "apikey": true, "key": true, "password": true,
	"passwd": true, "pwd": true, "pass": true, "secret": true, "client_secret": true,
	"session": true, "sessionid": true, "jsessionid": true, "sid": true, "signature": true,
	"sig": true, "private_token": true, "jwt": true, "credentials": true,
}

func isSensitiveParam(name string) bool {
	return sensitiveParams[strings.ReplaceAll(strings.ToLower(name), "-", "_")]
}

func stack(env *endpoint.Env) remedy.Stack { return env.Facts.Stack }
