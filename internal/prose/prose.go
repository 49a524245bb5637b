// Package prose holds the small wording helpers that findings and reports share: articles,
// capitals, lists joined with "and", and a random tag for probe values. One copy, so that every
// sentence crossgate writes agrees on "an SSN" and "a US SSN".
package prose

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// Article prefixes a singular noun phrase with "a" or "an". An upper-case acronym is read by
// its letter names ("an SSN", "an AWS key", "a US SSN", "a JWT"); otherwise a leading vowel
// letter other than u takes "an" ("a user", "an email address").
func Article(s string) string {
	if s == "" {
		return s
	}
	first, _, _ := strings.Cut(s, " ")
	var an bool
	if len(first) >= 2 && strings.ToUpper(first) == first && first[0] >= 'A' && first[0] <= 'Z' {
		an = strings.ContainsRune("AEFHILMNORSX", rune(first[0]))
	} else {
		an = strings.ContainsRune("aeioAEIO", rune(s[0]))
	}
	if an {
		return "an " + s
	}
	return "a " + s
}

// ArticleUnlessPlural is Article for labels that may be plural ("email addresses") or already
// carry an article: those are returned as they are.
func ArticleUnlessPlural(s string) string {
	if s == "" || (strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss")) || strings.HasPrefix(s, "a ") || strings.HasPrefix(s, "an ") {
		return s
	}
	return Article(s)
}

// Capitalise upper-cases the first letter (ASCII), for a phrase that starts a sentence.
func Capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// JoinAnd joins phrases as English does: "a", "a and b", "a, b and c".
func JoinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// Dedupe drops repeated strings, keeping the first of each in order.
func Dedupe(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// RandHex returns n random bytes in hex, for tags that keep one run's probe values apart from
// anything a server already holds (a made-up origin, a canary name).
func RandHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return strings.Repeat("0c", n) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
