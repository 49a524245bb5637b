package mtlscheck

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/crossgate/crossgate/internal/similar"
	"github.com/crossgate/crossgate/probe"
)

// similarThreshold is the shingle Jaccard score from which two bodies count as the same
// content. Pages that differ only by a timestamp, a request ID or a CSRF token stay above it;
// an anonymous page and a profile page fall far below.
const similarThreshold = 0.85

// minWordsWithout is how many words both bodies must keep for SimilarityWithout to count:
// below it, removing a name leaves too little to tell a greeting from a profile.
const minWordsWithout = 8

// SimilarityWithout is similar.Bodies with the words of name removed from both bodies first, or
// 0 when either keeps fewer than minWordsWithout words. It recognises the same record served
// without naming its owner (an app that serves the default account to anonymous requests
// drops the "user" field, and one profile field is already 15% of a small JSON body).
func SimilarityWithout(a, b []byte, name string) float64 {
	drop := map[string]bool{}
	for _, t := range similar.Words([]byte(name)) {
		drop[t] = true
	}
	if len(drop) == 0 {
		return 0
	}
	keep := func(ts []string) []string {
		out := ts[:0]
		for _, t := range ts {
			if !drop[t] {
				out = append(out, t)
			}
		}
		return out
	}
	ta, tb := keep(similar.Words(a)), keep(similar.Words(b))
	if len(ta) < minWordsWithout || len(tb) < minWordsWithout {
		return 0
	}
	return similar.Jaccard(similar.Shingles(ta), similar.Shingles(tb))
}

// ContainsToken reports whether marker occurs in body as a whole word: "alice" is found in
// `{"user":"alice"}` and `CN=alice,O=x` but not in "alice2" or "malice", so one identity's
// name is not mistaken for another's that merely contains it.
func ContainsToken(body []byte, marker string) bool {
	if marker == "" {
		return false
	}
	s, m := string(body), marker
	for off := 0; off <= len(s)-len(m); {
		i := indexFold(s[off:], m)
		if i < 0 {
			return false
		}
		i += off
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(m):])
		if (i == 0 || !wordRune(before)) && (i+len(m) == len(s) || !wordRune(after)) {
			return true
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		off = i + n
	}
	return false
}

func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_'
}

// indexFold is a case-insensitive strings.Index for ASCII letters; identity markers are
// compared as the server may have re-cased them.
func indexFold(s, sub string) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if equalFoldASCII(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// rejectionStatus are the answers servers give a request whose certificate is missing or
// bad after a completed handshake (495/496 are nginx's internal codes, sent by some proxies).
func rejectionStatus(s int) bool {
	switch s {
	case 400, 401, 403, 495, 496:
		return true
	}
	return false
}

// nginx's own texts for a missing and a failed client certificate (ngx_http_special_response.c).
const (
	nginxNoCert  = "No required SSL certificate was sent"
	nginxBadCert = "The SSL certificate error"
)

func nginxMarker(ex *probe.Exchange) string {
	if !ex.OK() {
		return ""
	}
	for _, m := range []string{nginxNoCert, nginxBadCert} {
		if indexFold(string(ex.Body), m) >= 0 {
			return m
		}
	}
	return ""
}

// comparison is how one probe's answer relates to the authenticated baseline.
type comparison struct {
	granted bool   // the probe got the authenticated content
	byName  bool   // only because the body names the user (not by similarity)
	why     string // one clause for the finding's detail
}

// compare decides whether ex got what only an authenticated user should get. With a usable
// baseline: same status and a similar body, or the same status with the user's identity
// marker echoed while the anonymous answer lacks it. Without one (no --cert, or the user's
// certificate was refused): a success where the anonymous request was refused.
func (s *assessment) compare(ex *probe.Exchange) comparison {
	return s.compareWith(ex, s.env.Facts.Anonymous)
}

// compareWith is compare with another "plain" answer standing for the unauthenticated one
// (for spoofed headers carried on a minted certificate: that certificate's own answer).
func (s *assessment) compareWith(ex, anon *probe.Exchange) comparison {
	if !ex.OK() {
		return comparison{why: "refused: " + describeErr(ex)}
	}
	if base := s.reference(); base != nil {
		if ex.Status != base.Status {
			return comparison{why: fmt.Sprintf("HTTP %d where the authenticated baseline got %d", ex.Status, base.Status)}
		}
		sim := similar.Bodies(ex.Body, base.Body)
		if sim >= similarThreshold {
			return comparison{granted: true, why: fmt.Sprintf("HTTP %d like the authenticated baseline, body %.0f%% similar to it (%d vs %d bytes)",
				ex.Status, sim*100, len(ex.Body), len(base.Body))}
		}
		if m := s.marker; m != "" && ContainsToken(base.Body, m) {
			if w := SimilarityWithout(ex.Body, base.Body, m); w >= similarThreshold {
				return comparison{granted: true, why: fmt.Sprintf("HTTP %d like the authenticated baseline, body %.0f%% similar to it once the user's name %q is left out of both (%.0f%% with it; %d vs %d bytes)",
					ex.Status, w*100, m, sim*100, len(ex.Body), len(base.Body))}
			}
		}
		if m := s.marker; m != "" && ContainsToken(ex.Body, m) && !(anon.OK() && ContainsToken(anon.Body, m)) &&
			!(anon.OK() && similar.Bodies(ex.Body, anon.Body) >= similarThreshold) {
			return comparison{granted: true, byName: true, why: fmt.Sprintf("HTTP %d like the authenticated baseline, and the body names the user's common name %q, which the anonymous answer does not", ex.Status, m)}
		}
		return comparison{why: fmt.Sprintf("HTTP %d but different content (%.0f%% similar to the baseline)", ex.Status, sim*100)}
	}
	anonRefused := !anon.OK() || anon.Status >= 400
	if ex.Status < 300 && anonRefused {
		return comparison{granted: true, why: fmt.Sprintf("HTTP %d where the request without a certificate was refused (%s); no authenticated baseline to compare with", ex.Status, describe(anon))}
	}
	return comparison{why: fmt.Sprintf("HTTP %d", ex.Status)}
}

// reference is the authenticated baseline when it is worth comparing with: an answer with
// content. A redirect (never followed) or an empty body is what anyone may get, and two of
// them always compare equal.
func (s *assessment) reference() *probe.Exchange {
	b := s.env.Facts.Baseline
	if !s.env.HasCert() || !b.OK() || b.Status >= 300 || len(b.Body) == 0 {
		return nil
	}
	return b
}

func describeErr(ex *probe.Exchange) string {
	if ex == nil {
		return "not sent"
	}
	if ex.ErrKind == probe.ErrTLSAlert && ex.Alert >= 0 {
		when := "during the handshake"
		if ex.TLS != nil && ex.TLS.HandshakeDone {
			when = "on the first read"
		}
		return fmt.Sprintf("TLS alert %d %s %s", ex.Alert, probe.AlertName(ex.Alert), when)
	}
	if ex.ErrKind.Closed() {
		what := "closed"
		if ex.ErrKind == probe.ErrReset {
			what = "reset"
		}
		if ex.TLS != nil && ex.TLS.HandshakeDone {
			return "connection " + what + " without an answer after the handshake"
		}
		return "connection " + what + " during the handshake"
	}
	if ex.Err != nil {
		return fmt.Sprintf("%s (%v)", ex.ErrKind, ex.Err)
	}
	return ""
}

func describe(ex *probe.Exchange) string {
	if ex.OK() {
		return fmt.Sprintf("HTTP %d", ex.Status)
	}
	return describeErr(ex)
}
