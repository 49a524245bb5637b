// Package exposure finds personal data, secrets and framework error pages in
// arbitrary bytes (HTTP response bodies and headers, files, logs).
//
// Detection is keyword-driven: one case-insensitive multi-pattern pass over the
// input finds the places where a detector could match, and only those
// detectors run, only in windows around their keywords. Values that carry a
// checksum (payment cards, IBANs) or a structure (JWTs, SSNs) are validated
// before they are reported. Callers must never print Match.Value: use Mask.
package exposure

import (
	"io"
	"regexp"
	"sort"
	"strings"
)

// Kind says whether a match is personal data or a credential.
type Kind string

const (
	PII    Kind = "pii"
	Secret Kind = "secret"
)

// Match is one detected value.
type Match struct {
	Detector   string  // stable id, e.g. "email", "aws-access-key-id"
	Label      string  // human, singular, e.g. "email address"
	Kind       Kind    // PII or Secret
	Start, End int     // byte offsets in the scanned input
	Value      string  // the raw value: never print it unredacted, use Mask
	Key        string  // JSON key or context word when known
	Confidence float64 // 0..1
	Note       string  // extra facts that are safe to print (e.g. JWT claim names)
}

// Scan runs every detector over data and returns the matches sorted by
// Start, with overlaps resolved in favour of the more specific detector.
func Scan(data []byte) []Match {
	return resolve(scanAll(data))
}

// resolve drops every match that overlaps a more specific one and returns
// the rest sorted by Start. Greedy by rank: the best match claims its bytes
// first, so the result does not depend on input order.
func resolve(ms []Match) []Match {
	if len(ms) <= 1 {
		return ms
	}
	sort.SliceStable(ms, func(i, j int) bool { return rank(ms[i]) > rank(ms[j]) })
	var kept []Match // sorted by Start, pairwise disjoint
	for _, m := range ms {
		i := sort.Search(len(kept), func(i int) bool { return kept[i].Start >= m.Start })
		if i < len(kept) && kept[i].Start < m.End {
			continue
		}
		if i > 0 && kept[i-1].End > m.Start {
			continue
		}
		kept = append(kept, Match{})
		copy(kept[i+1:], kept[i:])
		kept[i] = m
	}
	return kept
}

// rank orders overlapping matches: a detector with a fixed format beats the
// generic key-name detector, and among equals the longer value wins.
func rank(m Match) int {
	p := priority(m.Detector)
	return p*1_000_000 + min(m.End-m.Start, 999_999)
}

// ScanReader scans r in bounded memory and calls fn for every match, in
// order of Start, with offsets relative to the start of r.
func ScanReader(r io.Reader, fn func(Match)) error {
	return scanStream(r, fn, defaultChunk)
}

// detector is one entry of the catalogue. A detector either has a regular
// expression, run only in windows around its keyword hits, or a find
// function that receives the hits and does its own parsing.
type detector struct {
	id, label, plural string
	kind              Kind
	priority          int
	conf              float64
	keywords          []string // matched case-insensitively

	re            *regexp.Regexp // submatch 1, when present, is the value
	before, after int            // window around a keyword hit
	// check validates a regex match [s,e) of the full input; it may adjust
	// the match (confidence, note, key) and returns false to drop it.
	check func(data []byte, m *Match) bool

	find func(data []byte, hits []hit, emit func(Match))
}

type hit struct{ start, end int }

var (
	catalogue []*detector
	byID      map[string]*detector
	keywords  *keywordSet
)

func init() {
	catalogue = append(catalogue, piiDetectors()...)
	catalogue = append(catalogue, secretDetectors()...)
	byID = map[string]*detector{}
	var kws []string
	var owners [][]int
	index := map[string]int{}
	for di, d := range catalogue {
		if _, dup := byID[d.id]; !dup {
			byID[d.id] = d
		}
		for _, kw := range d.keywords {
			kw = strings.ToLower(kw)
			ki, ok := index[kw]
			if !ok {
				ki = len(kws)
				index[kw] = ki
				kws = append(kws, kw)
				owners = append(owners, nil)
			}
			owners[ki] = append(owners[ki], di)
		}
	}
	keywords = buildKeywordSet(kws, owners)
}

func detectorByID(id string) *detector { return byID[id] }

func priority(id string) int {
	if d := byID[id]; d != nil {
		return d.priority
	}
	return 0
}

// Detectors lists the stable ids of every detector, for documentation and
// tests.
func Detectors() []string {
	seen := map[string]bool{}
	var ids []string
	for _, d := range catalogue {
		if !seen[d.id] {
			seen[d.id] = true
			ids = append(ids, d.id)
		}
	}
	return ids
}

// minConfidence drops weak candidates instead of reporting noise.
const minConfidence = 0.5

func scanAll(data []byte) []Match {
	hits := make([][]hit, len(catalogue))
	keywords.walk(data, func(kw, s, e int) {
		for _, di := range keywords.kwOwner[kw] {
			hits[di] = append(hits[di], hit{s, e})
		}
	})
	var ms []Match
	for di, d := range catalogue {
		if len(hits[di]) == 0 && len(d.keywords) > 0 || d.find == nil && d.re == nil {
			continue
		}
		emit := func(m Match) {
			if m.Start < 0 || m.End > len(data) || m.Start >= m.End {
				return
			}
			if m.Detector == "" {
				m.Detector = d.id
			}
			if m.Label == "" {
				if dd := byID[m.Detector]; dd != nil {
					m.Label = dd.label
				} else {
					m.Label = d.label
				}
			}
			if m.Kind == "" {
				m.Kind = d.kind
			}
			if m.Confidence == 0 {
				m.Confidence = d.conf
			}
			if m.Key == "" {
				m.Key = keyBefore(data, m.Start)
			}
			if m.Confidence < minConfidence {
				return
			}
			m.Value = string(data[m.Start:m.End])
			ms = append(ms, m)
		}
		if d.find != nil {
			d.find(data, hits[di], emit)
			continue
		}
		runRegex(d, data, hits[di], emit)
	}
	return ms
}

// runRegex runs d.re in the merged windows around hits.
func runRegex(d *detector, data []byte, hits []hit, emit func(Match)) {
	lo, hi := -1, -1
	flush := func() {
		if lo < 0 {
			return
		}
		for _, loc := range d.re.FindAllSubmatchIndex(data[lo:hi], -1) {
			s, e := loc[0], loc[1]
			if len(loc) >= 4 && loc[2] >= 0 {
				s, e = loc[2], loc[3]
			}
			m := Match{Start: lo + s, End: lo + e}
			if d.check != nil && !d.check(data, &m) {
				continue
			}
			emit(m)
		}
	}
	for _, h := range hits {
		s, e := max(0, h.start-d.before), min(len(data), h.end+d.after)
		if lo >= 0 && s <= hi {
			hi = max(hi, e)
			continue
		}
		flush()
		lo, hi = s, e
	}
	flush()
}

const (
	defaultChunk = 1 << 20
	// lookBehind keeps context words (SSN hotwords, JSON keys) that precede a
	// value in the previous chunk; maxMatch bounds the longest value we need
	// to see whole (PEM keys).
	lookBehind = 4 << 10
	maxMatch   = 16 << 10
)

func scanStream(r io.Reader, fn func(Match), chunk int) error {
	buf := make([]byte, 0, chunk+lookBehind+maxMatch)
	base := 0     // absolute offset of buf[0]
	emitFrom := 0 // absolute offset: matches before this were reported
	eof := false
	for !eof {
		// Fill the buffer.
		for idle := 0; len(buf) < cap(buf); {
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if n == 0 && err == nil {
				if idle++; idle > 100 {
					return io.ErrNoProgress
				}
			}
			if err == io.EOF {
				eof = true
				break
			}
			if err != nil {
				return err
			}
		}
		emitTo := base + len(buf)
		if !eof {
			emitTo -= maxMatch
		}
		for _, m := range Scan(buf) {
			m.Start += base
			m.End += base
			if m.Start >= emitFrom && m.Start < emitTo {
				fn(m)
			}
		}
		if eof {
			break
		}
		// Keep the tail for the next round: the unreported part plus context.
		keepFrom := max(0, emitTo-lookBehind-base)
		emitFrom = emitTo
		n := copy(buf, buf[keepFrom:])
		buf = buf[:n]
		base += keepFrom
	}
	return nil
}
