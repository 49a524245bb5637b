package guard

import (
	"crypto/sha256"
	"crypto/x509"
	"sync"
	"sync/atomic"
)

// maxCachedCertificates bounds the identity decisions kept per policy. Only certificates
// that passed verification reach the cache, so its size is the number of distinct client
// certificates in use; past the bound it starts over rather than growing.
const maxCachedCertificates = 10000

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

// decisionCache maps a certificate's SHA-256 to its certDecision under one Identities.
// SetPolicy starts a new cache, so a reload that removes a certificate takes effect on the
// next request of an open connection too.
type decisionCache struct {
	ids     *Identities
	entries atomic.Pointer[sync.Map] // [32]byte -> *certDecision
	n       atomic.Int64
}

func newDecisionCache(ids *Identities) *decisionCache {
	c := &decisionCache{ids: ids}
	c.entries.Store(new(sync.Map))
	return c
}

func (c *decisionCache) decide(leaf *x509.Certificate) *certDecision {
	key := sha256.Sum256(leaf.Raw)
	m := c.entries.Load()
	if d, ok := m.Load(key); ok {
		return d.(*certDecision)
	}
	d := &certDecision{fingerprint: formatFingerprint(key), subject: leaf.Subject.String()}
	d.user, d.ok, d.err = c.ids.Match(leaf)
	if c.n.Add(1) > maxCachedCertificates {
		c.entries.Store(new(sync.Map))
		c.n.Store(0)
		return d
	}
	m.Store(key, d)
	return d
}
