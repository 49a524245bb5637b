package guard

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// ForwardCert says how the verified client certificate is passed upstream, besides the user.
type ForwardCert string

const (
	ForwardNone ForwardCert = "none"
	// ForwardXFCC sends Envoy's X-Forwarded-Client-Cert with Hash, Subject, URI and DNS.
	ForwardXFCC ForwardCert = "xfcc"
	// ForwardRFC9440 sends Client-Cert (and Client-Cert-Chain) as RFC 9440 byte sequences.
	ForwardRFC9440 ForwardCert = "rfc9440"
)

// DefaultIdentityHeader carries the mapped user upstream unless configured otherwise.
const DefaultIdentityHeader = "X-Client-Identity"

// Policy is what the Handler enforces. A Policy is not modified once in use; Guard.SetPolicy
// swaps in a new one.
type Policy struct {
	// Identities maps certificates to users; a certificate it does not name gets 403.
	Identities *Identities
	// CORS is the cross-origin policy; nil allows no other origin.
	CORS *CORS
	// IdentityHeader carries the user to the next handler (DefaultIdentityHeader if empty).
	IdentityHeader string
	// ForwardCert adds the certificate itself (ForwardNone if empty).
	ForwardCert ForwardCert
}

// Decision is the outcome of one request, for logs and metrics.
type Decision struct {
	User        string
	Fingerprint string
	Subject     string
	// Outcome is "allowed", "preflight" or "denied".
	Outcome string
	// Reason says why a request was denied: "no-verified-certificate", "unmapped-certificate"
	// or "ambiguous-identity"; for a preflight, "origin-allowed" or "origin-refused".
	Reason string
	// Stripped counts the client-sent headers removed before the request went on.
	Stripped int
}

// Guard is the middleware with a policy that can be replaced while it serves.
type Guard struct {
	active atomic.Pointer[active]
	next   http.Handler
	// Observe, if set, is called once per request with the decision, before the response.
	Observe func(*http.Request, Decision)
}

// Handler returns middleware that lets a request reach next only when the TLS connection
// carries a verified client certificate that p.Identities maps to a user. On the way it
// strips every identity header the client sent (Sanitize), sets p.IdentityHeader to the
// user, answers CORS preflights itself and rewrites the CORS headers of every response
// (see CORS.Apply). The server in front must verify client certificates
// (tls.RequireAndVerifyClientCert); a request without verified chains is refused.
func Handler(p *Policy, next http.Handler) http.Handler { return New(p, next) }

// New is Handler returning the *Guard, for SetPolicy and Observe.
func New(p *Policy, next http.Handler) *Guard {
	g := &Guard{next: next}
	g.SetPolicy(p)
	return g
}

// active is a policy in force with the identity decisions made under it.
type active struct {
	policy    Policy
	decisions *decisionCache
}

// SetPolicy replaces the policy for requests that start from now on.
func (g *Guard) SetPolicy(p *Policy) {
	a := &active{policy: *p, decisions: newDecisionCache(p.Identities)}
	if a.policy.IdentityHeader == "" {
		a.policy.IdentityHeader = DefaultIdentityHeader
	}
	if a.policy.ForwardCert == "" {
		a.policy.ForwardCert = ForwardNone
	}
	g.active.Store(a)
}

// Policy returns the policy in force.
func (g *Guard) Policy() *Policy { return &g.active.Load().policy }

type userKey struct{}

// User returns the user the Handler mapped the request's certificate to.
func User(ctx context.Context) (string, bool) {
	u, ok := ctx.Value(userKey{}).(string)
	return u, ok
}

func (g *Guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a := g.active.Load()
	p := &a.policy
	origin := r.Header.Get("Origin")
	d := Decision{Outcome: "denied"}
	chains := verifiedChains(r)
	if len(chains) == 0 || len(chains[0]) == 0 {
		g.deny(w, r, d, "no-verified-certificate", "forbidden: a verified client certificate is required")
		return
	}
	cd := a.decisions.decide(chains[0][0])
	d.Fingerprint, d.Subject = cd.fingerprint, cd.subject
	switch {
	case errors.Is(cd.err, ErrAmbiguous):
		g.deny(w, r, d, "ambiguous-identity", "forbidden: this certificate maps to more than one user")
		return
	case !cd.ok:
		g.deny(w, r, d, "unmapped-certificate", "forbidden: this certificate is not mapped to a user")
		return
	}
	user := cd.user
	d.User = user
	if isPreflight(r) {
		d.Outcome, d.Reason = "preflight", "origin-refused"
		if p.CORS.Allowed(origin) {
			d.Reason = "origin-allowed"
		}
		g.observe(w, r, d)
		if p.CORS == nil {
			w.Header().Add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		p.CORS.Preflight(w, r)
		return
	}
	d.Outcome = "allowed"
	d.Stripped = Sanitize(r.Header, p.IdentityHeader)
	g.observe(w, r, d)
	r.Header.Set(p.IdentityHeader, user)
	forwardCert(r.Header, p.ForwardCert, chains[0])
	if _, internal := g.next.(*upstream); !internal {
		// For a handler in this process; the proxy's upstream reads the header instead, and
		// a request copy per request is worth saving there.
		r = r.WithContext(context.WithValue(r.Context(), userKey{}, user))
	}
	g.next.ServeHTTP(&corsWriter{ResponseWriter: w, cors: p.CORS, origin: origin}, r)
}

// deny answers 403 without calling the next handler.
func (g *Guard) deny(w http.ResponseWriter, r *http.Request, d Decision, reason, msg string) {
	d.Reason = reason
	g.observe(w, r, d)
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	addVaryOrigin(h)
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintln(w, msg)
}

func (g *Guard) observe(w http.ResponseWriter, r *http.Request, d Decision) {
	if g.Observe != nil {
		g.Observe(r, d)
	}
	if rec, ok := w.(decisionRecorder); ok {
		rec.recordDecision(d)
	}
}

// decisionRecorder is a ResponseWriter that keeps the decision for the access log and
// metrics (Server's), which is cheaper than a context value per request.
type decisionRecorder interface{ recordDecision(Decision) }

type chainsKey struct{}

// verifiedChains are crypto/tls's, or those the proxy verified itself for the connection
// when it advertises other CA names than it trusts.
func verifiedChains(r *http.Request) [][]*x509.Certificate {
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		return r.TLS.VerifiedChains
	}
	c, _ := r.Context().Value(chainsKey{}).([][]*x509.Certificate)
	return c
}

// forwardCert adds the certificate in the form asked for. The chain excludes the root.
func forwardCert(h http.Header, mode ForwardCert, chain []*x509.Certificate) {
	leaf := chain[0]
	switch mode {
	case ForwardXFCC:
		sum := sha256.Sum256(leaf.Raw)
		var b strings.Builder
		fmt.Fprintf(&b, "Hash=%s;Cert=%q;Subject=%q", hex.EncodeToString(sum[:]),
			url.QueryEscape(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}))), leaf.Subject.String())
		for _, u := range leaf.URIs {
			fmt.Fprintf(&b, ";URI=%s", u.String())
		}
		for _, d := range leaf.DNSNames {
			fmt.Fprintf(&b, ";DNS=%s", d)
		}
		h.Set("X-Forwarded-Client-Cert", b.String())
	case ForwardRFC9440:
		h.Set("Client-Cert", ":"+base64.StdEncoding.EncodeToString(leaf.Raw)+":")
		var parts []string
		for _, c := range chain[1:] {
			if c.IsCA && string(c.RawSubject) == string(c.RawIssuer) {
				continue // the trust anchor is configured upstream of us, not news
			}
			parts = append(parts, ":"+base64.StdEncoding.EncodeToString(c.Raw)+":")
		}
		if len(parts) > 0 {
			h.Set("Client-Cert-Chain", strings.Join(parts, ", "))
		}
	}
}

// corsWriter rewrites the CORS headers once, just before the status line goes out.
type corsWriter struct {
	http.ResponseWriter
	cors    *CORS
	origin  string
	written bool
}

func (c *corsWriter) fix() {
	if c.written {
		return
	}
	c.written = true
	c.cors.Apply(c.ResponseWriter.Header(), c.origin)
}

func (c *corsWriter) WriteHeader(code int) {
	if code >= 200 {
		c.fix()
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *corsWriter) Write(b []byte) (int, error) {
	c.fix()
	return c.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and deadlines of the real writer.
func (c *corsWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// Flush keeps streaming responses streaming.
func (c *corsWriter) Flush() {
	c.fix()
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
