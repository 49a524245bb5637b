package corscheck

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// Recorded answers that no in-process target produces, fed straight to the checks.

const rnd = "0000aaaa"

var evil = "https://evil-" + rnd + ".example"

func synthScan(auth endpoint.AuthMode) *session {
	u, _ := url.Parse("https://api.example.com/v1/me")
	env := &endpoint.Env{URL: u, User: probe.None, TrustedOrigins: []string{trustedOrigin}}
	env.Facts.Auth = auth
	s := &session{env: env, id: probe.None, rnd: rnd, self: "https://api.example.com",
		trusted: map[string]bool{"https://api.example.com": true, trustedOrigin: true}, byOrigin: map[string]*result{}}
	return s
}

func (s *session) answer(origin string, class Class, status int, h http.Header) {
	ex := &probe.Exchange{Method: "GET", URL: s.env.URL.String(), RequestHeader: http.Header{"Origin": {origin}}, Status: status, Header: h, Identity: "none"}
	r := s.evaluate(Mutation{Origin: origin, Class: class}, ex)
	s.results = append(s.results, r)
	s.byOrigin[origin] = r
}

func (s *session) preflightAnswer(origin, method string, trusted bool, status int, h http.Header) {
	ex := &probe.Exchange{Method: "OPTIONS", URL: s.env.URL.String(), Status: status, Header: h, Identity: "none"}
	s.pre = append(s.pre, &preflight{origin: origin, trusted: trusted, method: method, ex: ex})
}

func TestSyntheticAnswers(t *testing.T) {
	vary := "Origin"
	for _, tc := range []struct {
		name  string
		setup func(*session)
		want  map[string]finding.Severity
	}{
		{"proxy star for strangers, app allowlist for the trusted origin", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Access-Control-Allow-Origin": {"*"}, "Vary": {vary}})
			s.answer(trustedOrigin, ClassTrusted, 200, http.Header{"Access-Control-Allow-Origin": {trustedOrigin}, "Vary": {vary}})
		}, map[string]finding.Severity{"cors-proxy-conflict": finding.Medium, "cors-wildcard": finding.Low}},
		{"preflight and actual disagree", func(s *session) {
			s.answer(trustedOrigin, ClassTrusted, 200, http.Header{"Access-Control-Allow-Origin": {trustedOrigin}, "Vary": {vary}})
			s.preflightAnswer(trustedOrigin, "PUT", true, 204, http.Header{"Access-Control-Allow-Origin": {"*"}})
		}, map[string]finding.Severity{"cors-proxy-conflict": finding.Medium}},
		{"constant wildcard everywhere is one layer", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Access-Control-Allow-Origin": {"*"}})
			s.answer(trustedOrigin, ClassTrusted, 200, http.Header{"Access-Control-Allow-Origin": {"*"}})
			s.preflightAnswer(evil, "PUT", false, 204, http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"GET"}})
		}, map[string]finding.Severity{"cors-wildcard": finding.Low}},
		{"expose * with an identity header present", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Expose-Headers": {"*"}, "X-Ssl-Client-S-Dn": {"CN=alice"}})
		}, map[string]finding.Severity{"cors-wildcard": finding.Low, "cors-sensitive-exposed-headers": finding.Medium}},
		{"expose * with nothing sensitive", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Expose-Headers": {"*"}, "X-Request-Id": {"1"}})
		}, map[string]finding.Severity{"cors-wildcard": finding.Low}},
		{"missing Vary on a no-store response", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{})
			s.answer(trustedOrigin, ClassTrusted, 200, http.Header{"Access-Control-Allow-Origin": {trustedOrigin}, "Cache-Control": {"no-store"}})
		}, map[string]finding.Severity{"cors-missing-vary-origin": finding.Low}},
		{"Vary: * counts", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{})
			s.answer(trustedOrigin, ClassTrusted, 200, http.Header{"Access-Control-Allow-Origin": {trustedOrigin}, "Vary": {"Accept, *"}})
		}, map[string]finding.Severity{}},
		{"wildcard on a 404 page", func(s *session) {
			s.answer(evil, ClassArbitrary, 404, http.Header{"Access-Control-Allow-Origin": {"*"}})
		}, map[string]finding.Severity{"cors-wildcard": finding.Info}},
		{"bypass that reads only an error page", func(s *session) {
			s.answer(evil, ClassArbitrary, 403, http.Header{"Vary": {vary}})
			s.answer("null", ClassNull, 403, http.Header{"Access-Control-Allow-Origin": {"null"}, "Access-Control-Allow-Credentials": {"true"}, "Vary": {vary}})
		}, map[string]finding.Severity{"cors-null-origin": finding.Info}}, // a public error page: info, as for every rule
		{"ACAC not exactly true is no credentialed read", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Access-Control-Allow-Origin": {evil}, "Access-Control-Allow-Credentials": {"TRUE"}, "Vary": {vary}})
		}, map[string]finding.Severity{"cors-reflect-origin": finding.Low}},
		{"preflight allows the made-up method with *", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Vary": {vary}})
			s.preflightAnswer(evil, unusualMethod, false, 200, http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"*"}})
		}, map[string]finding.Severity{"cors-permissive-preflight": finding.Medium}},
		{"a week of max-age alone is permissive", func(s *session) {
			s.answer(trustedOrigin, ClassTrusted, 200, http.Header{"Access-Control-Allow-Origin": {trustedOrigin}, "Vary": {vary}})
			s.preflightAnswer(trustedOrigin, "PUT", true, 200, http.Header{"Access-Control-Allow-Origin": {trustedOrigin}, "Access-Control-Allow-Methods": {"PUT"}, "Access-Control-Max-Age": {"604800"}})
			s.preflightAnswer(trustedOrigin, unusualMethod, true, 200, http.Header{"Access-Control-Allow-Origin": {trustedOrigin}, "Access-Control-Allow-Methods": {"PUT"}, "Access-Control-Max-Age": {"86400"}})
		}, map[string]finding.Severity{"cors-permissive-preflight": finding.Low}},
		{"Cache-Control private keeps shared caches out", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{})
			s.answer(trustedOrigin, ClassTrusted, 200, http.Header{"Access-Control-Allow-Origin": {trustedOrigin}, "Cache-Control": {"private, max-age=60"}})
		}, map[string]finding.Severity{"cors-missing-vary-origin": finding.Low}},
		{"a fixed ACAO with a static ACAC is the single-origin setup", func(s *session) {
			fixed := http.Header{"Access-Control-Allow-Origin": {trustedOrigin}, "Access-Control-Allow-Credentials": {"true"}, "Vary": {vary}}
			s.answer(evil, ClassArbitrary, 200, fixed)
			s.answer("null", ClassNull, 200, fixed)
			s.answer(trustedOrigin, ClassTrusted, 200, fixed)
		}, map[string]finding.Severity{}},
		{"ACAC on the trusted origin's doubled ACAO is no disallowed-origin credential", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Access-Control-Allow-Origin": {"*"}, "Vary": {vary}})
			s.answer(trustedOrigin, ClassTrusted, 200, http.Header{"Access-Control-Allow-Origin": {trustedOrigin, "*"}, "Access-Control-Allow-Credentials": {"true"}, "Vary": {vary}})
		}, map[string]finding.Severity{"cors-proxy-conflict": finding.Medium, "cors-wildcard": finding.Low}},
		{"ACAC without any ACAO is the django-cors-headers 3.x quirk", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Access-Control-Allow-Credentials": {"true"}, "Vary": {vary}})
			s.answer(trustedOrigin, ClassTrusted, 200, http.Header{"Access-Control-Allow-Origin": {trustedOrigin}, "Access-Control-Allow-Credentials": {"true"}, "Vary": {vary}})
		}, map[string]finding.Severity{"cors-credentials-on-disallowed-origin": finding.Info}},
		{"one ACAO header holding a list is one layer's invalid value", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Vary": {vary}})
			s.answer(trustedOrigin, ClassTrusted, 200, http.Header{"Access-Control-Allow-Origin": {trustedOrigin + ", https://admin.example.com"}, "Vary": {vary}})
		}, map[string]finding.Severity{"cors-proxy-conflict": finding.Low}},
		{"expose * with credentials and nothing sensitive exposes nothing", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Access-Control-Allow-Origin": {evil}, "Access-Control-Allow-Credentials": {"true"},
				"Access-Control-Expose-Headers": {"*"}, "X-Request-Id": {"1"}, "Vary": {vary}})
		}, map[string]finding.Severity{"cors-reflect-origin-credentials": finding.Low}},
		{"a long max-age alone for a stranger opens nothing", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Vary": {vary}})
			s.preflightAnswer(evil, "PUT", false, 200, http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"GET, PUT"}, "Access-Control-Max-Age": {"1000000"}})
		}, map[string]finding.Severity{"cors-permissive-preflight": finding.Low}},
		{"a WAF refusal without ACAO is no origin-dependent ACAO", func(s *session) {
			fixed := http.Header{"Access-Control-Allow-Origin": {trustedOrigin}}
			s.answer(evil, ClassArbitrary, 200, fixed)
			s.answer(trustedOrigin, ClassTrusted, 200, fixed)
			s.answer("https://app.example.com`.evil-"+rnd+".example", ClassSpecial, 403, http.Header{})
		}, map[string]finding.Severity{}},
		{"a csrftoken cookie is no cookie authentication", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Access-Control-Allow-Origin": {evil}, "Access-Control-Allow-Credentials": {"true"},
				"Set-Cookie": {"csrftoken=abc; Path=/; SameSite=Lax"}, "Vary": {vary}})
		}, map[string]finding.Severity{"cors-reflect-origin-credentials": finding.Low}},
		{"a session cookie passed with -H is cookie authentication", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Access-Control-Allow-Origin": {evil}, "Access-Control-Allow-Credentials": {"true"}, "Vary": {vary}})
			s.byOrigin[evil].ex.RequestHeader.Set("Cookie", "theme=dark; sessionid=s3cr3t")
		}, map[string]finding.Severity{"cors-reflect-origin-credentials": finding.High}},
		{"preflight refused for the stranger", func(s *session) {
			s.answer(evil, ClassArbitrary, 200, http.Header{"Vary": {vary}})
			s.preflightAnswer(evil, unusualMethod, false, 200, http.Header{"Access-Control-Allow-Methods": {unusualMethod}, "Access-Control-Max-Age": {"9999999"}})
		}, map[string]finding.Severity{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := synthScan(endpoint.AuthNotRequested)
			tc.setup(s)
			s.learnFacts()
			got := ruleSet(s.report())
			for rule, sev := range tc.want {
				if f, ok := got[rule]; !ok || f.Severity != sev {
					t.Errorf("want %s at %s, got %s", rule, sev, names(got))
				}
			}
			for rule := range got {
				if _, ok := tc.want[rule]; !ok {
					t.Errorf("unexpected %s; got %s", rule, names(got))
				}
			}
		})
	}
}
