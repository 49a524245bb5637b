package similar

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxShingleBytes bounds the work per comparison; bodies are capped by the probe anyway.
const maxShingleBytes = 256 << 10

// Words splits a body into lower-case alphanumeric words, with the volatile parts masked.
func Words(b []byte) []string {
	if len(b) > maxShingleBytes {
		b = b[:maxShingleBytes]
	}
	var out []string
	start := -1
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		if word && start < 0 {
			start = i
		}
		if !word && start >= 0 {
			out = append(out, lower(b[start:i]))
			start = -1
		}
		i += n
	}
	if start >= 0 {
		out = append(out, lower(b[start:]))
	}
	for i, t := range out {
		out[i] = volatile(t)
	}
	return out
}

// volatile masks the parts of a word that change from one answer to the next whoever asks:
// timestamps, counters, request IDs, nonces. Without it a profile with a timestamp and a
// UUID compares about 60% similar to itself fetched a second later. A word with a digit that
// is all hex (UUID groups, hashes) or long (base64 nonces) becomes "#"; in other words each
// digit run becomes "0" ("02t03" and "02t04" are the same word). Letters are kept, so names
// still tell answers apart.
func volatile(t string) string {
	digit, hex := false, true
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case '0' <= c && c <= '9':
			digit = true
		case 'a' <= c && c <= 'f':
		default:
			hex = false
		}
	}
	if !digit {
		return t
	}
	if hex || len(t) >= 16 {
		return "#"
	}
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		if '0' <= c && c <= '9' {
			if i == 0 || t[i-1] < '0' || t[i-1] > '9' {
				b.WriteByte('0')
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func lower(b []byte) string {
	rs := []rune(string(b))
	for i, r := range rs {
		rs[i] = unicode.ToLower(r)
	}
	return string(rs)
}

// Bodies is the Jaccard index of the bodies' word 3-shingles, in [0, 1]; two bodies
// without any word compare equal only if they are byte-identical.
func Bodies(a, b []byte) float64 {
	sa, sb := Shingles(Words(a)), Shingles(Words(b))
	if len(sa) == 0 && len(sb) == 0 {
		if string(a) == string(b) {
			return 1
		}
		return 0
	}
	return Jaccard(sa, sb)
}
