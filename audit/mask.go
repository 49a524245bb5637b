package audit

import (
	"slices"
	"strings"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/report"
)

// minMaskedSecret keeps masking from rewriting ordinary words: a detected "secret" shorter
// than this (a name-based match on "pass = 'x'") is too short to be worth anything and too
// likely to occur in unrelated text.
const minMaskedSecret = 6

// maskSecrets replaces every secret value found anywhere in the tree, in every text field
// of every finding and in the notes and errors of the targets (a parse error quotes the
// token it stopped at), by its mask: the secret-in-source rule masks its own match, and this
// makes sure no other rule's snippet, detail or note prints one (an ALLOWED_HOSTS line that
// also holds a key, an nginx directive with a token in a trailing comment).
func (pa *pathAudit) maskSecrets() {
	if pa.opts.ShowSecrets || len(pa.secretValues) == 0 {
		return
	}
	values := make([]string, 0, len(pa.secretValues))
	for v := range pa.secretValues {
		if len(v) >= minMaskedSecret {
			values = append(values, v)
		}
	}
	// Longest first, so that a value containing another is replaced whole.
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(values))
	for _, v := range values {
		pairs = append(pairs, v, exposure.Mask(v))
	}
	r := strings.NewReplacer(pairs...)
	for i := range pa.out {
		f := &pa.out[i]
		f.Evidence.Snippet = r.Replace(f.Evidence.Snippet)
		f.Detail = r.Replace(f.Detail)
		f.SeverityReason = r.Replace(f.SeverityReason)
		f.Remediation = r.Replace(f.Remediation)
		for j, n := range f.Evidence.Notes {
			f.Evidence.Notes[j] = r.Replace(n)
		}
	}
	for _, t := range append([]*report.Target{&pa.target}, pointers(pa.extra)...) {
		t.Error = r.Replace(t.Error)
		for j, n := range t.Notes {
			t.Notes[j] = r.Replace(n)
		}
	}
}

func pointers(ts []report.Target) []*report.Target {
	out := make([]*report.Target, len(ts))
	for i := range ts {
		out[i] = &ts[i]
	}
	return out
}
