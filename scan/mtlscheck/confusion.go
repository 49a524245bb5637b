package mtlscheck

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/similar"
	"github.com/crossgate/crossgate/probe"
)

type identityAnswer struct {
	id      *probe.Identity
	subject string
	marker  string
	ex      *probe.Exchange
}

var ruleIdentityConfusion = finding.Rule{
	ID: "mtls-identity-confusion", Family: "mtls", Severity: finding.High, CWE: []string{"CWE-287", "CWE-639"}, OWASP: "API2:2023",
	Title:   "Different client identities receive the same user's data",
	Summary: "two different client identities get the same user's data (subject matched by substring, or by CN only).",
	Advice:  "Map certificates to users by an exact, parsed subject (or a SAN or the certificate's SHA-256 fingerprint), never by substring, prefix, unanchored regex or common name alone.",
}

// confusion presents each distinct identity the user gave (fresh connection each) and looks
// for one identity's name in the answer to another that does not name its own: the mark of
// a subject matched by substring ("CN=alice" in "CN=alice2") or by common name only. Two
// identities that merely get identical answers are not reported: shared data is legitimate.
func (s *assessment) confusion(ctx context.Context) {
	if !s.requested {
		return
	}
	var ids []identityAnswer
	seen := map[string]bool{}
	addID := func(id *probe.Identity, ex *probe.Exchange) {
		leaf := id.Leaf()
		if leaf == nil || seen[leaf.Subject.String()] {
			return
		}
		seen[leaf.Subject.String()] = true
		m := leaf.Subject.CommonName
		if m == "" {
			m = leaf.Subject.String()
		}
		ids = append(ids, identityAnswer{id: id, subject: leaf.Subject.String(), marker: m, ex: ex})
	}
	if s.env.HasCert() {
		addID(s.env.User, s.env.Facts.Baseline)
	}
	for _, id := range s.env.Extra {
		if id != nil && id.Name != ExpiredIdentity && id.Certificate != nil {
			addID(id, nil)
		}
	}
	if len(ids) < 2 {
		return
	}
	for i := range ids {
		if ids[i].ex == nil {
			ids[i].ex = s.env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: s.url, Identity: ids[i].id, Fresh: true})
		}
	}
	anon := s.env.Facts.Anonymous
	var collisions []string
	var proof *probe.Exchange
	anonToo := false
	for _, b := range ids {
		if !b.ex.OK() || b.ex.Status >= 400 {
			continue
		}
		if anon.OK() && anon.Status < 400 && similar.Bodies(b.ex.Body, anon.Body) >= similarThreshold {
			// What everyone gets names nobody in particular, unless the server does map
			// certificates to users (another identity gets its own, different answer): then
			// b's answer is someone's account, served to b and to anonymous callers alike,
			// two bugs where fixing the anonymous access leaves b reading it.
			if !mapsIdentities(ids, anon) {
				continue
			}
			anonToo = true
		}
		if ContainsToken(b.ex.Body, b.marker) {
			continue
		}
		if sharedWith(ids, b) {
			continue
		}
		for _, a := range ids {
			if a.marker == b.marker || !ContainsToken(b.ex.Body, a.marker) {
				continue
			}
			sim := similar.Bodies(a.ex.Body, b.ex.Body)
			collisions = append(collisions, fmt.Sprintf("identity %q (subject %q) got an answer naming %q, the common name of identity %q (subject %q), and not its own (%.0f%% similar to %q's answer)",
				b.id.Name, b.subject, a.marker, a.id.Name, a.subject, sim*100, a.id.Name))
			if proof == nil {
				proof = b.ex
			}
			break
		}
	}
	if len(collisions) == 0 {
		return
	}
	f := finding.New(ruleIdentityConfusion.ID)
	f.Detail = "Different client certificates are mapped to the same user: " + strings.Join(collisions, "; ") +
		". Typical cause: the subject is matched by substring or by common name only."
	if anonToo {
		f.Detail += " A request without a certificate gets the same account too: that is a separate bug (the certificate is not enforced), and fixing it leaves this one."
	}
	var notes []string
	for _, x := range ids {
		notes = append(notes, fmt.Sprintf("%s (%s): %s, %d bytes", x.id.Name, x.subject, describe(x.ex), len(x.ex.Body)))
	}
	f.Evidence = s.env.Evidence(proof, notes...)
	s.add(f, "", true)
}

// mapsIdentities reports whether some identity got an answer naming itself that differs from
// the anonymous one: the server tells certificates apart.
func mapsIdentities(ids []identityAnswer, anon *probe.Exchange) bool {
	for _, c := range ids {
		if c.ex.OK() && c.ex.Status < 400 && ContainsToken(c.ex.Body, c.marker) && similar.Bodies(c.ex.Body, anon.Body) < similarThreshold {
			return true
		}
	}
	return false
}

// sharedWith reports whether a third identity got the same content as b and is named in it
// itself: a list every user sees (a team, a directory), which names others without being
// anyone's own data. With only two identities this cannot be told from confusion.
func sharedWith(ids []identityAnswer, b identityAnswer) bool {
	for _, c := range ids {
		if c.marker == b.marker || !c.ex.OK() || c.ex.Status >= 400 || !ContainsToken(c.ex.Body, c.marker) {
			continue
		}
		if similar.Bodies(c.ex.Body, b.ex.Body) < similarThreshold {
			continue
		}
		// c alone is not enough: c's own data naming c is exactly what a confused b gets.
		// Shared content names someone besides c as well.
		if namedOthers(ids, b, c) {
			return true
		}
	}
	return false
}

// namedOthers reports whether b's answer names an identity besides c (and b): content that
// names two given identities and is served alike to a third is shared.
func namedOthers(ids []identityAnswer, b, c identityAnswer) bool {
	for _, a := range ids {
		if a.marker != b.marker && a.marker != c.marker && ContainsToken(b.ex.Body, a.marker) {
			return true
		}
	}
	return false
}
