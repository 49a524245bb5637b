package exposurecheck

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/prose"
	"github.com/crossgate/crossgate/probe"
)

var ruleCleartextCredentials = finding.Rule{
	ID: "cleartext-credentials", Family: "exposure", Severity: finding.Critical, CWE: []string{"CWE-522", "CWE-319"}, OWASP: "API2:2023",
	Title:   "Credentials accepted over cleartext",
	Summary: "Basic/Digest auth or credentials accepted over plain HTTP, or credentials in URLs.",
	Advice:  "Serve the API over https only (redirect or refuse http://, add HSTS), send credentials in an Authorization header or client certificate, never in the URL, and rotate any credential that was sent in clear.",
}

// authHeaders are request headers that carry a credential; sent over http:// they are
// readable by anyone on the path.
var authHeaders = []string{"Authorization", "Proxy-Authorization", "X-Api-Key", "X-Auth-Token", "Api-Key", "X-Access-Token", "Cookie"}

// cleartextFindings reports cleartext-credentials once per endpoint from what was already
// seen (no probe of its own): credentials in the target URL (userinfo, or credential-like
// query parameters), and on http:// a server that asks for Basic/Digest, or a credential
// header the user sent.
//
// Severity: critical (the base): a credential crosses plain HTTP. Credentials the user typed
// into an https:// target URL are not reported: they are encrypted on the wire, the server
// did nothing to invite them, and reports mask them.
func (r *sweep) cleartextFindings() []finding.Finding {
	u := r.env.URL
	plain := u.Scheme == "http"
	var reasons []string
	var proof *probe.Exchange
	for _, ex := range []*probe.Exchange{r.env.Facts.Baseline, r.env.Facts.Anonymous} {
		if ex != nil && proof == nil {
			proof = ex
		}
	}
	wire := false // a credential crossed (or is requested over) plain HTTP
	if u.User != nil {
		what := "a user name"
		if _, ok := u.User.Password(); ok {
			what = "a user name and password"
		}
		reasons = append(reasons, "the target URL carries "+what+" (userinfo), which the client sends as Basic credentials")
		wire = wire || plain
	}
	var params []string
	for k, vs := range u.Query() {
		if isSensitiveParam(k) && len(vs) > 0 && vs[0] != "" {
			params = append(params, k)
		}
	}
	if len(params) > 0 {
		slices.Sort(params)
		reasons = append(reasons, "the target URL carries credential-like query parameter(s) "+strings.Join(params, ", ")+" (kept in server and proxy logs, history and Referer)")
		wire = wire || plain
	}
	if plain {
		asked := false
		for _, ex := range r.observed() {
			for _, v := range ex.Header.Values("WWW-Authenticate") {
				scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
				if !asked && (strings.EqualFold(scheme, "Basic") || strings.EqualFold(scheme, "Digest")) {
					reasons = append(reasons, fmt.Sprintf("the server asks for %s authentication over plain HTTP (%s answered %d with WWW-Authenticate: %s)", scheme, describeRequest(ex), ex.Status, scheme))
					asked, wire, proof = true, true, ex
				}
			}
		}
		sent := sentHeaders(r.env.Client.Config().Header, r.env.Facts.Baseline)
		for _, h := range authHeaders {
			if v := sent.Get(h); v != "" {
				scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
				desc := "the " + h + " header"
				if strings.EqualFold(h, "Authorization") && scheme != "" && scheme != v {
					desc += " (" + scheme + " credentials)"
				}
				status := ""
				if b := r.env.Facts.Baseline; b.OK() {
					status = fmt.Sprintf("; the server answered %d", b.Status)
				}
				reasons = append(reasons, "the request sends "+desc+" over plain HTTP"+status)
				wire = true
			}
		}
	}
	if len(reasons) == 0 || !wire {
		return nil
	}
	f := finding.New(ruleCleartextCredentials.ID)
	f.Detail = prose.Capitalise(prose.JoinAnd(reasons)) + "."
	f.SetSeverity(finding.Critical, "credentials cross plain HTTP, readable and replayable by anyone on the network path.")
	f.Evidence = r.evidence(proof, nil)
	f.Remediation = ruleCleartextCredentials.Advice
	r.stamp(&f, "")
	return []finding.Finding{f}
}

// sentHeaders are the headers the scan actually sent: the baseline's request headers, or
// the client's configured headers (the user's -H) when there is no baseline.
func sentHeaders(cfg http.Header, base *probe.Exchange) http.Header {
	if base != nil && base.RequestHeader != nil {
		return base.RequestHeader
	}
	h := http.Header{}
	for k, vs := range cfg {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	return h
}
