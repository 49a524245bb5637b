package mtlscheck

// Defects found in the mTLS review against real nginx + Django (e2e/mtls_review_test.go),
// pinned here on in-process servers.

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/internal/similar"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// stampedProfile is a profile with what many APIs add to every answer: a timestamp and a
// request nonce.
func stampedProfile(w http.ResponseWriter, user string) {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"user": user, "email": user + "@example.com",
		"generated_at": time.Now().UTC().Format(time.RFC3339Nano),
		"request_id":   hex.EncodeToString(nonce[:8]) + "-" + hex.EncodeToString(nonce[8:]),
	})
}

// sharedTeam is data every authenticated user legitimately gets: a list naming the users.
func sharedTeam(w http.ResponseWriter, r *http.Request) {
	if _, ok := verified(r); !ok {
		forbidden(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"team":[{"user":"alice","name":"Alice Liddell"},{"user":"bob","name":"Bob Marley-Smith"}]}`))
}

func TestReviewVolatileBodies(t *testing.T) {
	runRuleCases(t, []ruleCase{
		// Defect: the timestamp and nonce dragged the similarity to ~60%, so an optional
		// certificate that serves the profile to anyone went unreported.
		{name: "trigger/optional-stamped", fx: fixture{auth: tls.RequestClientCert, handler: func(w http.ResponseWriter, r *http.Request) { stampedProfile(w, "alice") }},
			want: []string{"mtls-optional-not-enforced"}, unauth: true, versions: true},
		{name: "clean/verify-if-given-stamped-anonymous", fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: func(w http.ResponseWriter, r *http.Request) {
			if n, ok := verified(r); ok {
				stampedProfile(w, n.CommonName)
				return
			}
			stampedProfile(w, "anonymous")
		}}, wantNot: bypassRules, versions: true},
	})
}

func TestReviewSharedData(t *testing.T) {
	ids := func() []*probe.Identity {
		return []*probe.Identity{ident("alice2", fixturePKI().alice2), ident("bob", fixturePKI().bob)}
	}
	runRuleCases(t, []ruleCase{
		// Defect: alice2's answer names alice and not alice2, but bob gets the very same list
		// naming bob: shared data, not confusion.
		{name: "clean/shared-team-list", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: sharedTeam}, extra: ids(),
			wantNot: bypassRules, versions: true},
		// The control: the substring mapping is still found with the same three identities.
		{name: "trigger/substring-with-bob", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: substringMapping}, extra: ids(),
			want: []string{"mtls-identity-confusion"}, detail: map[string][]string{"mtls-identity-confusion": {`identity "alice2"`}}},
	})
}

// worked is the list of header families the spoofing finding says worked.
func worked(t *testing.T, res Result) string {
	t.Helper()
	f := find(res.Findings, "mtls-header-spoofing")
	if f == nil {
		t.Fatalf("no mtls-header-spoofing; notes %q", res.Notes)
	}
	_, after, ok := strings.Cut(f.Detail, "Header(s) that worked:")
	if !ok {
		t.Fatalf("detail lists no headers: %s", f.Detail)
	}
	return after
}

func TestReviewSpoofMinimal(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			// Defect: the app reads only X-SSL-Client-S-DN, yet the finding said the verify
			// header was part of what worked.
			srv := start(t, fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, maxVersion: v.max, handler: trustsHeader("X-SSL-Client-S-DN", "")})
			env := newEnv(t, srv.URL, fixturePKI().alice)
			res := scanEnv(t, env)
			w := worked(t, res)
			if !strings.Contains(w, "[X-SSL-Client-S-DN] (sent with it but not needed: X-SSL-Client-Verify)") || strings.Contains(w, "X-SSL-Client-Verify]") {
				t.Errorf("want X-SSL-Client-S-DN alone: %s", w)
			}
			f := find(res.Findings, "mtls-header-spoofing")
			if strings.Contains(f.Evidence.Request, "X-Ssl-Client-Verify") || strings.Contains(f.Evidence.Request, "X-SSL-Client-Verify") {
				t.Errorf("proof request still carries the unneeded verify header:\n%s", f.Evidence.Request)
			}
			if n := env.Client.Sent(); n > int64(Budget) {
				t.Errorf("sent %d requests, budget %d", n, Budget)
			}
			// The control: when the app does check the (forged) verify header, both are named.
			srv2 := start(t, fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, maxVersion: v.max, handler: trustsHeader("X-SSL-Client-S-DN", "X-SSL-Client-Verify")})
			w = worked(t, scanEnv(t, newEnv(t, srv2.URL, fixturePKI().alice)))
			if !strings.Contains(w, "[X-SSL-Client-S-DN, X-SSL-Client-Verify]") || strings.Contains(w, "not needed") {
				t.Errorf("want both headers: %s", w)
			}
		})
	}
}

// shortProfile is a small record like the e2e Django profile.
func shortProfile(w http.ResponseWriter, user string, named bool) {
	w.Header().Set("Content-Type", "application/json")
	rec := map[string]string{"name": "Alice Liddell", "email": "alice.liddell@wonderland-mail.net", "phone": "+44 20 7946 0321"}
	if named {
		rec["user"] = user
	}
	_ = json.NewEncoder(w).Encode(rec)
}

func TestReviewRecordWithoutName(t *testing.T) {
	// The old criterion (plain similarity) misses it: one dropped field is too much of a
	// small body.
	var with, without strings.Builder
	enc := func(b *strings.Builder, m map[string]string) { _ = json.NewEncoder(b).Encode(m) }
	enc(&with, map[string]string{"user": "alice", "name": "Alice Liddell", "email": "alice.liddell@wonderland-mail.net", "phone": "+44 20 7946 0321"})
	enc(&without, map[string]string{"name": "Alice Liddell", "email": "alice.liddell@wonderland-mail.net", "phone": "+44 20 7946 0321"})
	if sim := similar.Bodies([]byte(with.String()), []byte(without.String())); sim >= similarThreshold {
		t.Fatalf("fixture too easy: similarity %.2f already reaches the threshold", sim)
	}
	runRuleCases(t, []ruleCase{
		{name: "trigger/optional-default-account-unnamed", fx: fixture{auth: tls.RequestClientCert, handler: func(w http.ResponseWriter, r *http.Request) {
			_, ok := verified(r)
			shortProfile(w, "alice", ok)
		}}, want: []string{"mtls-optional-not-enforced"}, unauth: true, versions: true,
			detail: map[string][]string{"mtls-optional-not-enforced": {"left out of both"}}},
		// A greeting that differs only by the name is too small to count.
		{name: "clean/greeting", fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: func(w http.ResponseWriter, r *http.Request) {
			if n, ok := verified(r); ok {
				_, _ = w.Write([]byte(`{"hello":"` + n.CommonName + `"}`))
				return
			}
			_, _ = w.Write([]byte(`{"hello":""}`))
		}}, wantNot: bypassRules},
	})
}

func TestReviewVolatileSimilarity(t *testing.T) {
	a := `{"user":"alice","generated_at":"2026-12-02T03:12:33.123456+00:00","request_id":"3f2a9c1e-4b7d-4e1a-9c3b-0d5e6f7a8b9c"}`
	b := `{"user":"alice","generated_at":"2026-12-02T03:12:34.654321+00:00","request_id":"81c0d2ee-1a2b-4c3d-8e9f-a0b1c2d3e4f5"}`
	if sim := similar.Bodies([]byte(a), []byte(b)); sim < similarThreshold {
		t.Errorf("a timestamp and a UUID apart: similarity %.2f", sim)
	}
	c := `{"user":"bob","generated_at":"2026-12-02T03:12:34.654321+00:00","request_id":"81c0d2ee-1a2b-4c3d-8e9f-a0b1c2d3e4f5"}`
	if sim := similar.Bodies([]byte(a), []byte(c)); sim >= similarThreshold {
		t.Errorf("alice and bob: similarity %.2f", sim)
	}
}

func TestReviewHTTPOnlyNotWithBypass(t *testing.T) {
	runRuleCases(t, []ruleCase{
		// Defect: optional_no_ca in front of an app that trusts the subject got both
		// "any certificate accepted" and "certificate enforced only at HTTP level".
		{name: "clean/any-cert-behind-http-rejection", fx: fixture{auth: tls.RequestClientCert, handler: peerCN},
			want: []string{"mtls-any-cert-accepted"}, wantNot: []string{"mtls-http-only-enforcement"}, unauth: true, versions: true},
		{name: "trigger/nginx-like-app-check", fx: fixture{auth: tls.RequestClientCert, clientCAs: true, handler: nginxLike},
			want: []string{"mtls-http-only-enforcement"}, wantNot: bypassRules},
	})
}

func TestReviewExpiredReason(t *testing.T) {
	srv := start(t, fixture{auth: tls.RequireAnyClientCert, verify: ignoreExpiry, handler: peerCN, maxVersion: tls.VersionTLS13})
	env := newEnv(t, srv.URL, fixturePKI().alice, ident(ExpiredIdentity, fixturePKI().expired))
	env.Sensitive = func([]byte, string) endpoint.Sensitivity { return endpoint.Sensitivity{PII: []string{"email address"}} }
	env.Facts.Sensitivity = endpoint.Sensitivity{PII: []string{"email address"}}
	Inspect(context.Background(), env)
	env.Facts.Sensitivity = endpoint.Sensitivity{PII: []string{"email address"}}
	res := Scan(context.Background(), env)
	f := find(res.Findings, "mtls-expired-cert-accepted")
	if f == nil {
		t.Fatalf("no finding: %v", rules(res.Findings))
	}
	// Defect: the reason said "without a trusted certificate" for a certificate the server
	// does trust, only expired.
	if strings.Contains(f.SeverityReason, "without a trusted certificate") || !strings.Contains(f.SeverityReason, "expired") {
		t.Errorf("severity reason: %s", f.SeverityReason)
	}
}

// TestRemedyClearsEveryProbedHeader: the nginx remediation overwrites or clears every
// identity header this package forges (underscore spellings are dropped by
// underscores_in_headers off). e2e/mtls_review_test.go proves it through real nginx.
func TestRemedyClearsEveryProbedHeader(t *testing.T) {
	fix := remedy.MTLSNginx()
	if !strings.Contains(fix, "underscores_in_headers off;") {
		t.Fatal("remedy no longer drops underscore headers")
	}
	for _, fam := range SpoofFamilies("CN=x", "/CN=x", []byte{1}) {
		for name := range fam.Header {
			if strings.Contains(name, "_") {
				continue
			}
			if !regexp.MustCompile(`(?mi)^\s*proxy_set_header\s+` + regexp.QuoteMeta(name) + `\s+("";|\$ssl_client_\w+;)`).MatchString(fix) {
				t.Errorf("%s (%s) is neither overwritten nor cleared by remedy.MTLSNginx()", name, fam.Name)
			}
		}
	}
}

func TestReviewSpoofCombinationOnly(t *testing.T) {
	// An app that wants two header families at once: only the combined request works, and
	// the finding must not blame the probe budget for not reducing it.
	both := func(w http.ResponseWriter, r *http.Request) {
		if n, ok := verified(r); ok {
			profile(w, n.CommonName)
			return
		}
		dn, xfcc := r.Header.Get("X-SSL-Client-S-DN"), r.Header.Get("X-Forwarded-Client-Cert")
		if m := cnRE.FindStringSubmatch(dn); m != nil && strings.Contains(xfcc, "CN="+m[1]) {
			profile(w, m[1])
			return
		}
		forbidden(w)
	}
	srv := start(t, fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, maxVersion: tls.VersionTLS13, handler: both})
	res := scanEnv(t, newEnv(t, srv.URL, fixturePKI().alice))
	w := worked(t, res)
	if !strings.Contains(w, "all identity headers together") || strings.Contains(w, "budget") {
		t.Errorf("worked: %s", w)
	}
}

func TestReviewNoContentBaselines(t *testing.T) {
	redirect := func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/login", http.StatusFound) }
	noContent := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }
	runRuleCases(t, []ruleCase{
		// Defect: a redirect (or an empty 204) that everyone gets compared 100% similar to
		// the baseline and was reported as protected content served without a certificate.
		{name: "clean/optional-redirect", fx: fixture{auth: tls.RequestClientCert, handler: redirect}, wantNot: bypassRules, versions: true},
		{name: "clean/optional-204", fx: fixture{auth: tls.RequestClientCert, handler: noContent}, wantNot: bypassRules, versions: true},
	})
}

// echoHeaders is a whoami/debug view: the request headers as JSON, for anyone.
func echoHeaders(w http.ResponseWriter, r *http.Request) {
	out := map[string]string{}
	for k, v := range r.Header {
		out[k] = strings.Join(v, ",")
	}
	if n, ok := verified(r); ok {
		out["verified-subject"] = n.String()
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func TestReviewSpoofEcho(t *testing.T) {
	runRuleCases(t, []ruleCase{
		// Defect: a view that echoes request headers names "alice" in the answer to every
		// forged header claiming her, which counted as the authenticated content.
		{name: "clean/echo-view", fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: echoHeaders}, wantNot: bypassRules, versions: true},
		// The control: an app that trusts the header and answers briefly with the name.
		{name: "trigger/trusts-header-short-answer", fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: func(w http.ResponseWriter, r *http.Request) {
			if n, ok := verified(r); ok {
				_, _ = w.Write([]byte(`{"user":"` + n.CommonName + `","orders":[1,2,3],"balance":"12.50 EUR"}`))
				return
			}
			if m := cnRE.FindStringSubmatch(r.Header.Get("X-SSL-Client-S-DN")); m != nil && m[1] == "alice" {
				_, _ = w.Write([]byte(`{"user":"alice","orders":[1,2,3,4],"balance":"9.00 EUR","note":"served from the header"}`))
				return
			}
			forbidden(w)
		}}, want: []string{"mtls-header-spoofing"}, unauth: true},
	})
}
