package guard

import (
	"crypto/sha256"
	"crypto/x509"
	"sync"
	"sync/atomic"
)

// maxCachedCertificates bounds the identity decisions kept per policy. Only certificates
// that passed verification reach the cache, and an entry holds its parsed certificate
// (a few KB), so its size is about the number of client connections open; past the bound it
// starts over rather than growing.
const maxCachedCertificates = 4096

// certDecision is what a request needs from its certificate: Identities.Match's answer and
// the fingerprint and subject for logs. None of it can change while the policy stays the
// same, and a connection presents one certificate for its whole life, so it is worked out
// once per certificate instead of once per request.
type certDecision struct {
	user        string
	ok          bool
	err         error
	fingerprint string
	subject     string
}

// decisionCache maps a verified certificate to its certDecision under one Identities.
// The key is the parsed certificate itself (its pointer): crypto/tls parses a connection's
// certificates once and net/http hands every request of the connection the same ones, so a
// lookup costs no hashing of the certificate (a SHA-256 of it per request was 5% of guard's
// CPU per kept-alive request); a new connection works its decision out once more. SetPolicy
// starts a new cache, so a reload that removes a certificate takes effect on the next
// request of an open connection too.
type decisionCache struct {
	ids     *Identities
	entries atomic.Pointer[sync.Map] // *x509.Certificate -> *certDecision
	n       atomic.Int64
}

func newDecisionCache(ids *Identities) *decisionCache {
	c := &decisionCache{ids: ids}
	c.entries.Store(new(sync.Map))
	return c
}

func (c *decisionCache) decide(leaf *x509.Certificate) *certDecision {
	m := c.entries.Load()
	if d, ok := m.Load(leaf); ok {
		return d.(*certDecision)
	}
	d := &certDecision{fingerprint: formatFingerprint(sha256.Sum256(leaf.Raw)), subject: leaf.Subject.String()}
	d.user, d.ok, d.err = c.ids.Match(leaf)
	if c.n.Add(1) > maxCachedCertificates {
		c.entries.Store(new(sync.Map))
		c.n.Store(0)
		return d
	}
	m.Store(leaf, d)
	return d
}
