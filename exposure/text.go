package exposure

import "math"

// Byte-level helpers shared by the detectors.

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
func isAlnum(c byte) bool { return isDigit(c) || isLetter(c) }

// isIdent reports bytes that can be part of a JSON key or variable name.
func isIdent(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// identAround returns the identifier that contains [s,e).
func identAround(data []byte, s, e int) (int, int) {
	for s > 0 && isIdent(data[s-1]) {
		s--
	}
	for e < len(data) && isIdent(data[e]) {
		e++
	}
	return s, e
}

// keyBefore returns the JSON key or assignment target immediately before a
// value starting at pos ("card": "4...", card=4..., card: 4...),
// or "" when there is none.
func keyBefore(data []byte, pos int) string {
	i := pos
	lim := max(0, pos-64)
	if i > 0 && (data[i-1] == '"' || data[i-1] == '\'') {
		i--
	}
	for i > lim && (data[i-1] == ' ' || data[i-1] == '\t') {
		i--
	}
	if i == 0 || !(data[i-1] == ':' || data[i-1] == '=') {
		return ""
	}
	i--
	for i > lim && (data[i-1] == ' ' || data[i-1] == '\t') {
		i--
	}
	if i > 0 && (data[i-1] == '"' || data[i-1] == '\'') {
		i--
	}
	e := i
	for i > lim && isIdent(data[i-1]) {
		i--
	}
	if i == e {
		return ""
	}
	return string(data[i:e])
}

func toLower(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = lower(c)
	}
	return string(out)
}

// keyTokens splits an identifier into lower-case words at _, -, ., and
// camelCase boundaries: "cardNumber" -> card, number.
func keyTokens(key string) []string {
	var toks []string
	var cur []byte
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == '_' || c == '-' || c == '.' || c == ' ' {
			if len(cur) > 0 {
				toks = append(toks, string(cur))
				cur = nil
			}
			continue
		}
		if isUpper(c) && i > 0 && !isUpper(key[i-1]) && len(cur) > 0 {
			toks = append(toks, string(cur))
			cur = nil
		}
		cur = append(cur, lower(c))
	}
	if len(cur) > 0 {
		toks = append(toks, string(cur))
	}
	return toks
}

func hasToken(toks []string, words ...string) bool {
	for _, t := range toks {
		for _, w := range words {
			if t == w {
				return true
			}
		}
	}
	return false
}

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var n [256]int
	for i := 0; i < len(s); i++ {
		n[s[i]]++
	}
	h := 0.0
	l := float64(len(s))
	for _, c := range n {
		if c > 0 {
			p := float64(c) / l
			h -= p * math.Log2(p)
		}
	}
	return h
}

func distinct(s string) int {
	var seen [256]bool
	n := 0
	for i := 0; i < len(s); i++ {
		if !seen[s[i]] {
			seen[s[i]] = true
			n++
		}
	}
	return n
}

// boundaryBefore reports whether position s starts a token (not preceded by
// a letter, digit or one of extra).
func boundaryBefore(data []byte, s int, extra string) bool {
	if s == 0 {
		return true
	}
	c := data[s-1]
	if isAlnum(c) {
		return false
	}
	for i := 0; i < len(extra); i++ {
		if c == extra[i] {
			return false
		}
	}
	return true
}

func boundaryAfter(data []byte, e int, extra string) bool {
	if e >= len(data) {
		return true
	}
	c := data[e]
	if isAlnum(c) {
		return false
	}
	for i := 0; i < len(extra); i++ {
		if c == extra[i] {
			return false
		}
	}
	return true
}
