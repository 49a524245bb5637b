package exposurecheck

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/prose"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
)

var ruleErrorDebugPage = finding.Rule{
	ID: "error-debug-page", Family: "exposure", Severity: finding.Medium, CWE: []string{"CWE-215", "CWE-209"}, OWASP: "API8:2023",
	Title:   "Framework debug page exposed",
	Summary: "a framework debug page (Django technical 500/404, Werkzeug, ...), in HTML or plain text.",
}

var ruleErrorStackTrace = finding.Rule{
	ID: "error-stack-trace", Family: "exposure", Severity: finding.Medium, CWE: []string{"CWE-209"}, OWASP: "API8:2023",
	Title:   "Stack trace or internal path in error response",
	Summary: "a stack trace or internal path in an error response.",
}

// errorRule is the rule each kind of error page proves.
var errorRule = map[exposure.ErrorType]finding.Rule{exposure.DebugPage: ruleErrorDebugPage, exposure.StackTrace: ruleErrorStackTrace}

// invalidHost is sent as the Host header of one probe: Django refuses a host outside
// ALLOWED_HOSTS with DisallowedHost, and with DEBUG = True renders its technical page for it.
// The .example TLD is reserved (RFC 2606), so the name can never be a real site.
const invalidHost = "crossgate-invalid.example"

// errorAccepts: Django renders the technical 500 page as HTML only for clients that accept
// text/html and as plain text for everyone else (API clients), which HTML-keyed scanners
// miss. The JSON client asks first; the HTML one only when the answer was not HTML: a server
// that gives a JSON client an HTML page does not choose its error page by Accept (Django's
// technical 404 and its non-debug pages, nginx's own, Werkzeug's debugger), so a browser
// would get that same page.
var errorAccepts = []string{"application/json", "text/html"}

// probeErrors sends the error-provoking GETs: a random missing path at the site root and the
// target with an invalid Host, each with both Accept values unless the first got HTML.
func (r *sweep) probeErrors(ctx context.Context) {
	missing := rootURL(r.env.URL) + "crossgate-" + r.env.Token(8)
	probes := []struct{ url, host string }{{missing, ""}, {r.env.URL.String(), invalidHost}}
	if r.env.Site {
		// Error pages belong to the site: the first endpoint of the origin provoked them.
		// The missing path is the same (cached) request; the bad Host is not sent again.
		probes = probes[:1]
	}
	for _, p := range probes {
		for _, accept := range errorAccepts {
			if ctx.Err() != nil {
				return
			}
			ex := r.get(ctx, p.url, http.Header{"Accept": {accept}}, p.host)
			if p.host == "" && (r.missing == nil || ex.OK()) {
				r.missing = ex
			}
			if ex.OK() && isHTML(ex.Body, ex.Header.Get("Content-Type")) {
				break // the same page for any Accept
			}
		}
	}
}

// maxAlso bounds the list of other responses that showed the same page.
const maxAlso = 5

type pageHit struct {
	page    exposure.ErrorPage
	ex      *probe.Exchange
	reveals []string
	secrets []string
	matches []exposure.Match
	spans   []span
	score   int
}

// errorPageFindings reports error-debug-page and error-stack-trace at most once each, from
// every exchange this endpoint produced, keeping the strongest evidence. A stack trace on a
// response that is itself a debug page is part of that page, not a second finding.
func (r *sweep) errorPageFindings() []finding.Finding {
	best := map[exposure.ErrorType]*pageHit{}
	also := map[exposure.ErrorType][]string{}
	for _, ex := range r.observed() {
		if r.servedFile[ex] {
			continue
		}
		pages := errorPages(ex)
		debug := slices.ContainsFunc(pages, func(p exposure.ErrorPage) bool { return p.Type == exposure.DebugPage })
		for _, p := range pages {
			if p.Type == exposure.StackTrace && debug {
				continue
			}
			h := assessPage(p, ex)
			if b := best[p.Type]; b == nil || h.score > b.score {
				if b != nil {
					also[p.Type] = append(also[p.Type], describeRequest(b.ex))
				}
				best[p.Type] = h
			} else {
				also[p.Type] = append(also[p.Type], describeRequest(ex))
			}
		}
	}
	var fs []finding.Finding
	for _, typ := range []exposure.ErrorType{exposure.DebugPage, exposure.StackTrace} {
		if h := best[typ]; h != nil {
			fs = append(fs, r.errorFinding(errorRule[typ], h, prose.Dedupe(also[typ])))
		}
	}
	return fs
}

func assessPage(p exposure.ErrorPage, ex *probe.Exchange) *pageHit {
	h := &pageHit{page: p, ex: ex, reveals: reveals(ex.Body)}
	ms := exposure.Scan(ex.Body)
	for _, m := range ms {
		h.spans = append(h.spans, span{Start: m.Start, End: m.End, Value: m.Value})
	}
	_, h.secrets = exposure.Labels(ms)
	h.matches = ms
	h.score = 10*len(h.reveals) + 20*len(h.secrets)
	if ex.Status >= 500 {
		h.score += 5
	}
	return h
}

var (
	reInternalPath = regexp.MustCompile(`(?:/home/|/var/|/usr/|/opt/|/srv/|/app/|/root/|[A-Za-z]:\\)[^\s"'<>]+\.py\b`)
	reMETA         = regexp.MustCompile(`\b(?:HTTP_[A-Z_]+|wsgi\.[a-z_]+|SERVER_SOFTWARE|REMOTE_ADDR)\b`)
)

// reveals lists what a debug or error page discloses, by section, for the finding text.
func reveals(body []byte) []string {
	s := string(body)
	var out []string
	if strings.Contains(s, "Using settings module") || strings.Contains(s, "\nSettings:") ||
		strings.Contains(s, `id="settings"`) || strings.Contains(s, ">Settings<") {
		out = append(out, "settings")
	}
	if strings.Contains(s, "META") && reMETA.MatchString(s) {
		out = append(out, "request META (headers and server environment)")
	}
	if strings.Contains(s, "Traceback") {
		out = append(out, "a traceback with source lines")
	}
	if reInternalPath.MatchString(s) {
		out = append(out, "internal file paths")
	}
	if strings.Contains(s, "URLconf defined in") || strings.Contains(s, "tried these URL patterns") {
		out = append(out, "the URL patterns")
	}
	if strings.Contains(s, "Installed Applications") || strings.Contains(s, "Installed Middleware") {
		out = append(out, "installed apps and middleware")
	}
	if strings.Contains(s, "Django Version:") || strings.Contains(s, "Python Version:") {
		out = append(out, "framework and Python versions")
	}
	return out
}

func (r *sweep) errorFinding(rule finding.Rule, h *pageHit, also []string) finding.Finding {
	f := finding.New(rule.ID)
	what := describePage(h.page)
	detail := fmt.Sprintf("%s answered %s with HTTP %d", prose.Capitalise(prose.Article(what)), describeRequest(h.ex), h.ex.Status)
	if len(h.reveals) > 0 {
		detail += "; it reveals " + prose.JoinAnd(h.reveals)
	}
	if len(h.secrets) > 0 {
		detail += "; it carries " + describeMatches(h.matches, exposure.Secret) + " (redacted)"
	}
	detail += "."
	if rule.ID == ruleErrorDebugPage.ID && strings.EqualFold(h.page.Framework, "django") {
		detail += " The site runs with DEBUG = True."
	}
	f.Detail = detail
	if len(h.secrets) > 0 {
		f.SetSeverity(f.BaseSeverity.Raise(1), "Raised: the page carries "+describeMatches(h.matches, exposure.Secret)+" in clear (Django masks settings by name only; URLs and DSNs are shown).")
	} else {
		f.SetSeverity(f.BaseSeverity, "Base severity: the page discloses internals ("+orNone(prose.JoinAnd(h.reveals))+") but no secret was found in it.")
	}
	notes := []string{}
	if h.page.Excerpt != "" {
		ex := h.page.Excerpt
		if !r.show() {
			ex = string(maskSpans(exposure.Redact([]byte(ex)), h.spans))
		}
		notes = append(notes, "excerpt: "+ex)
	}
	if len(also) > maxAlso {
		also = append(also[:maxAlso:maxAlso], fmt.Sprintf("and %d more responses", len(also)-maxAlso))
	}
	if len(also) > 0 {
		notes = append(notes, "also seen on: "+strings.Join(also, "; "))
	}
	f.Evidence = r.evidence(h.ex, h.spans, notes...)
	f.Remediation = remediationErrorPage(rule, stack(r.env), h.page.Framework)
	r.stamp(&f, "")
	return f
}

// describeRequest names a probe for the finding text: "GET /path (Host: x, Accept: y)".
func describeRequest(ex *probe.Exchange) string {
	path := ex.URL
	if u, err := url.Parse(ex.URL); err == nil {
		path = u.EscapedPath()
		if path == "" {
			path = "/"
		}
	}
	var extra []string
	if ex.Host != "" {
		extra = append(extra, "Host: "+ex.Host)
	}
	if a := ex.RequestHeader.Get("Accept"); a != "" {
		extra = append(extra, "Accept: "+a)
	}
	s := ex.Method + " " + path
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

var frameworkNames = map[string]string{"django": "Django", "werkzeug": "Werkzeug", "rails": "Rails",
	"laravel": "Laravel", "spring": "Spring Boot", "aspnet": "ASP.NET", "python": "Python", "java": "Java",
	"node": "Node.js", "express": "Express", "go": "Go", "ruby": "Ruby", "php": "PHP"}

var kindNames = map[string]string{"technical-500": "technical 500 page", "technical-404": "technical 404 page",
	"disallowed-host": "DisallowedHost debug page", "traceback": "traceback", "internal-path": "internal file path",
	"stack-trace": "stack trace", "debugger": "debugger page", "panic": "panic trace", "fatal-error": "fatal error",
	"whitelabel": "Whitelabel error page", "whitelabel-trace": "Whitelabel error page with stack trace",
	"yellow-screen": "yellow-screen error page"}

// describePage names a detected page for a sentence: "Django technical 500 page (plain text)".
func describePage(p exposure.ErrorPage) string {
	fw := frameworkNames[strings.ToLower(p.Framework)]
	if fw == "" {
		fw = p.Framework
	}
	kind := kindNames[strings.ToLower(p.Kind)]
	if kind == "" {
		kind = strings.ReplaceAll(p.Kind, "-", " ")
	}
	what := strings.Join(nonEmpty(fw, kind), " ")
	if what == "" {
		what = "error page"
	}
	switch p.Format {
	case "text":
		what += " (plain text)"
	case "html":
		what += " (HTML)"
	}
	return what
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "nothing named"
	}
	return s
}

func rootURL(u *url.URL) string { return u.Scheme + "://" + u.Host + "/" }

func remediationErrorPage(rule finding.Rule, stack remedy.Stack, framework string) string {
	if stack.App == remedy.Django || strings.EqualFold(framework, "django") {
		return "Set DEBUG = False in production settings (read it from the environment with a False default), list the real host names in ALLOWED_HOSTS, and keep tracebacks in server logs: Django then serves its plain 404/400/500 pages, or your handler404/handler500 views."
	}
	if rule.ID == ruleErrorDebugPage.ID {
		return "Turn the framework's debug mode off in production and serve generic error pages; send tracebacks to server logs only."
	}
	return "Catch exceptions at the application boundary and return a generic error body (for APIs, an RFC 9457 problem document without exception text); log the traceback server-side."
}

// errorPages is what an answer shows of the server's internals: debug pages and stack traces
// anywhere, an internal file path only in an error answer (status >= 400). A path in a
// successful answer is the API's content (an export's location, a document list), not an
// error leaking it.
func errorPages(ex *probe.Exchange) []exposure.ErrorPage {
	pages := exposure.DetectErrorPages(ex.Body, ex.Header.Get("Content-Type"))
	if ex.Status >= 400 {
		return pages
	}
	return slices.DeleteFunc(pages, func(p exposure.ErrorPage) bool { return p.Kind == "internal-path" })
}
