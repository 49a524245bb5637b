package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Strings in a report come from servers and files the user does not control: a certificate
// subject, a reason phrase, a header value, a file name or a source line can carry terminal
// escape sequences that recolour, retitle or rewrite the user's terminal, or bidirectional
// overrides that make a line read differently from what it holds. The text view shows every
// such character as a visible escape (\x1b, \u202e); JSON and SARIF keep the exact value
// (their encoders escape control characters and nothing there is interpreted by a terminal).

// EscapeText returns s fit for a terminal, keeping line breaks and tabs: every other C0 and
// C1 control, DEL, a bidirectional or invisible formatting character and every byte that is
// not UTF-8 is written as a Go-style escape.
func EscapeText(s string) string { return escape(s, true) }

// EscapeLine is EscapeText for a value that must stay on one line: a line break is shown as
// \n too.
func EscapeLine(s string) string { return escape(s, false) }

func escape(s string, keepBreaks bool) string {
	if !needsEscape(s, keepBreaks) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case (r == '\n' || r == '\t') && keepBreaks:
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeFormat(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsEscape is the fast path: most report strings are plain ASCII.
func needsEscape(s string, keepBreaks bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			// Decoding is needed for invalid bytes, C1 controls and format characters.
			for _, r := range s[i:] {
				if r == utf8.RuneError || r >= 0x80 && r < 0xa0 || unsafeFormat(r) || r < 0x20 && !(keepBreaks && (r == '\n' || r == '\t')) || r == 0x7f {
					return true
				}
			}
			return false
		}
		if c == 0x7f || c < 0x20 && !(keepBreaks && (c == '\n' || c == '\t')) {
			return true
		}
	}
	return false
}

// unsafeFormat: bidirectional embeddings, overrides and isolates (the "Trojan Source"
// characters), zero-width characters that hide text, the line and paragraph separators some
// terminals honour, and the byte-order mark.
func unsafeFormat(r rune) bool {
	switch {
	case r >= 0x200b && r <= 0x200f, // zero-width space/joiners, LRM, RLM
		r >= 0x2028 && r <= 0x202e, // line/paragraph separators, embeddings, overrides
		r >= 0x2060 && r <= 0x2069, // word joiner, invisible operators, isolates
		r == 0x061c, r == 0xfeff, r == 0xfff9, r == 0xfffa, r == 0xfffb:
		return true
	}
	return false
}
