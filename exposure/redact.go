package exposure

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// maskKey keys the hash that Mask prints. A bare SHA-256 prefix of a short
// value is an offline lookup: every 9-digit SSN, or every 16-digit card
// with a known prefix and Luhn digit, can be hashed in seconds, and the
// four leading characters Mask shows narrow the search further. With a key
// drawn once per process the hash still says "same value" across the
// findings, formats and reports of one run, but nobody holding only the
// report can test guesses against it. The cost: hashes do not compare
// across runs; fingerprints never include them for that reason.
var maskKey = func() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		// crypto/rand does not fail on supported platforms; a constant key
		// only loses the brute-force protection, never the redaction.
		copy(k, "crossgate-mask-key-fallback")
	}
	return k
}()

// Mask returns a printable stand-in for a secret or PII value: at most four
// leading characters (fewer for short values), the length and a short keyed
// hash (HMAC-SHA-256 under a per-process key) so two findings of one run
// can be compared without the value itself.
func Mask(value string) string { return maskWithKey(value, maskKey) }

// Digest is the 8-hex-digit keyed hash that Mask prints, for callers that
// need a stand-in of their own shape (a URL component, say). Stable within
// the process only: never put it into a fingerprint.
func Digest(value string) string { return digestWithKey(value, maskKey) }

func digestWithKey(value string, key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(value))
	return hex.EncodeToString(mac.Sum(nil)[:4])
}

func maskWithKey(value string, key []byte) string {
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
	b.WriteString(" chars, hmac:")
	b.WriteString(digestWithKey(value, key))
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
