package exposure

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Mask returns a printable stand-in for a secret or PII value: at most four
// leading characters (fewer for short values), the length and a short
// SHA-256 prefix so two findings can be compared without the value itself.
func Mask(value string) string {
	sum := sha256.Sum256([]byte(value))
	n := len(value)
	show := 0
	switch {
	case n >= 16:
		show = 4
	case n >= 8:
		show = n / 4
	}
	// Never cut a UTF-8 sequence in half.
	for show > 0 && show < n && value[show]&0xC0 == 0x80 {
		show--
	}
	var b strings.Builder
	b.WriteString(value[:show])
	b.WriteString("…(")
	b.WriteString(strconv.Itoa(n))
	b.WriteString(" chars, sha256:")
	b.WriteString(hex.EncodeToString(sum[:4]))
	b.WriteString(")")
	return b.String()
}

// Redact returns a copy of data with every match replaced by Mask(value).
func Redact(data []byte) []byte {
	return redactWith(data, Scan(data))
}

func redactWith(data []byte, ms []Match) []byte {
	out := make([]byte, 0, len(data)+len(ms)*24)
	last := 0
	for _, m := range ms {
		if m.Start < last || m.End > len(data) || m.Start > m.End {
			continue
		}
		out = append(out, data[last:m.Start]...)
		out = append(out, Mask(string(data[m.Start:m.End]))...)
		last = m.End
	}
	return append(out, data[last:]...)
}

// Labels returns the distinct labels of ms, personal data and secrets apart,
// in first-seen order; a label seen with more than one distinct value is
// pluralised ("email addresses"), for sentences that say what leaks.
func Labels(ms []Match) (pii, secrets []string) {
	type entry struct {
		label, detector string
		kind            Kind
		values          map[string]bool
	}
	var order []*entry
	byLabel := map[string]*entry{}
	for _, m := range ms {
		e := byLabel[m.Label]
		if e == nil {
			e = &entry{label: m.Label, detector: m.Detector, kind: m.Kind, values: map[string]bool{}}
			byLabel[m.Label] = e
			order = append(order, e)
		}
		e.values[m.Value] = true
	}
	for _, e := range order {
		l := e.label
		if len(e.values) > 1 {
			l = plural(e.detector, l)
		}
		if e.kind == PII {
			pii = append(pii, l)
		} else {
			secrets = append(secrets, l)
		}
	}
	return pii, secrets
}

func plural(detector, label string) string {
	if d := detectorByID(detector); d != nil && d.plural != "" && d.label == label {
		return d.plural
	}
	return pluralWord(label)
}

// pluralWord pluralises the last word of an English noun phrase.
func pluralWord(s string) string {
	switch {
	case strings.HasSuffix(s, "ss"), strings.HasSuffix(s, "sh"), strings.HasSuffix(s, "ch"), strings.HasSuffix(s, "x"):
		return s + "es"
	case strings.HasSuffix(s, "y") && len(s) > 1 && !strings.ContainsRune("aeiou", rune(s[len(s)-2])):
		return s[:len(s)-1] + "ies"
	case strings.HasSuffix(s, "s"):
		return s
	}
	return s + "s"
}
