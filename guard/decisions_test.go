package guard

import (
	"testing"

	"github.com/crossgate/crossgate/internal/pki"
)

// TestDecisionCache: the cached answer is Match's, is worked out once per certificate, and
// the cache starts over instead of growing past its bound.
func TestDecisionCache(t *testing.T) {
	ca := pki.NewCA("Example Client CA")
	alice, mallory := ca.Client("alice", "Example"), ca.Client("mallory", "Example")
	ids, err := ParseIdentities([]byte("identities:\n  - user: alice\n    subject: \"CN=alice,O=Example\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := newDecisionCache(ids)
	first := c.decide(alice.Cert)
	if !first.ok || first.user != "alice" || first.err != nil {
		t.Fatalf("alice: %+v, want user alice", first)
	}
	if first.fingerprint != Fingerprint(alice.Cert) || first.subject != "CN=alice,O=Example" {
		t.Fatalf("alice: fingerprint %q subject %q", first.fingerprint, first.subject)
	}
	if again := c.decide(alice.Cert); again != first {
		t.Fatal("the second request with the same certificate worked the decision out again")
	}
	if d := c.decide(mallory.Cert); d.ok || d.user != "" {
		t.Fatalf("mallory: %+v, want no user", d)
	}
	c.n.Store(maxCachedCertificates)
	if d := c.decide(ca.Client("carol", "Example").Cert); d.ok {
		t.Fatalf("carol: %+v, want no user", d)
	}
	if again := c.decide(alice.Cert); again == first || !again.ok || again.user != "alice" {
		t.Fatalf("after the bound: %+v (same entry: %v), want a fresh decision for alice", again, again == first)
	}
}
