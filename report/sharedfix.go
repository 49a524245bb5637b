package report

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// A fix text is the finding's own advice followed, often, by a long snippet in the target's
// dialect (django-cors-headers settings, an nginx server block) that several findings share.
// The text report prints such a snippet once, after the findings, and points to it; JSON and
// SARIF keep each finding's whole text, since their readers take findings one at a time.

// minSharedLines is how long a shared tail must be to be printed once: shorter fixes read
// better where they are.
const minSharedLines = 6

// sharedFix is a tail of fix text that several findings end with.
type sharedFix struct {
	label string // F1, F2, ...
	text  string
	rules []string
}

// fixPlan says, for each finding (by index), how many leading lines of its fix are its own
// and which shared fix follows them.
type fixPlan struct {
	shared []*sharedFix
	own    map[int]int
	ref    map[int]*sharedFix
}

// planFixes finds, for each finding, the longest tail of its fix (whole lines, at least
// minSharedLines) that another finding's fix ends with too.
func planFixes(fs []finding.Finding) fixPlan {
	p := fixPlan{own: map[int]int{}, ref: map[int]*sharedFix{}}
	lines := make([][]string, len(fs))
	hashes := make([][]uint64, len(fs))
	count := map[uint64]int{}
	for i, f := range fs {
		if f.Remediation == "" {
			continue
		}
		lines[i] = strings.Split(strings.TrimRight(f.Remediation, "\n"), "\n")
		hashes[i] = tailHashes(lines[i])
		seen := map[uint64]bool{}
		for k, h := range hashes[i] {
			if len(lines[i])-k >= minSharedLines && !seen[h] {
				seen[h] = true
				count[h]++
			}
		}
	}
	byText := map[string]*sharedFix{}
	for i := range fs {
		for k, h := range hashes[i] {
			if len(lines[i])-k < minSharedLines || count[h] < 2 {
				continue
			}
			text := strings.Join(lines[i][k:], "\n")
			sf := byText[text]
			if sf == nil {
				sf = &sharedFix{label: fmt.Sprintf("F%d", len(p.shared)+1), text: text}
				byText[text] = sf
				p.shared = append(p.shared, sf)
			}
			sf.rules = append(sf.rules, fs[i].Rule)
			p.own[i], p.ref[i] = k, sf
			break // the longest shared tail
		}
	}
	// A tail that only one finding ended up pointing to (the others took a longer one)
	// is printed inline after all.
	kept := p.shared[:0]
	for _, sf := range p.shared {
		if len(sf.rules) >= 2 {
			sf.label = fmt.Sprintf("F%d", len(kept)+1)
			kept = append(kept, sf)
			continue
		}
		for i, r := range p.ref {
			if r == sf {
				delete(p.ref, i)
				delete(p.own, i)
			}
		}
	}
	p.shared = kept
	return p
}

// tailHashes[k] identifies lines[k:], computed from the end.
func tailHashes(lines []string) []uint64 {
	out := make([]uint64, len(lines))
	var next uint64
	for k := len(lines) - 1; k >= 0; k-- {
		h := fnv.New64a()
		h.Write([]byte(lines[k]))
		var b [8]byte
		for j := range b {
			b[j] = byte(next >> (8 * j))
		}
		h.Write(b[:])
		next = h.Sum64()
		out[k] = next
	}
	return out
}

// writeSharedFixes prints each shared fix once, naming the findings that point to it.
func writeSharedFixes(tw *errWriter, p fixPlan, limit int, bold func(string) string) {
	if len(p.shared) == 0 {
		return
	}
	tw.printf("\n%s\n", bold("== FIXES SHARED BY SEVERAL FINDINGS =="))
	for _, sf := range p.shared {
		tw.printf("\n[%s] for %s\n", sf.label, EscapeLine(strings.Join(dedupe(sf.rules), ", ")))
		tw.block("fix", sf.text, limit)
	}
}

func dedupe(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
