package report_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/report"
)

// hostileText carries what a server or a file can put in a string: an OSC title change ended by
// BEL, a screen clear, a C1 CSI, a right-to-left override, a raw carriage return and a byte
// that is not UTF-8.
const hostileText = "ok\x1b]0;owned\x07\x1b[2J\u009b31m\u202eevil\rover\xff"

// fillStrings sets every string (and []string) field reachable from v to s.
func fillStrings(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			fillStrings(v.Elem(), s)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillStrings(v.Field(i), s)
			}
		}
	case reflect.String:
		v.SetString(s)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.String {
			v.Set(reflect.ValueOf([]string{s, s}).Convert(v.Type()))
			return
		}
		for i := range v.Len() {
			fillStrings(v.Index(i), s)
		}
	}
}

func hostileReport() *report.Report {
	f := finding.New("cors-wildcard-on-mtls")
	f.Line, f.Column = 3, 1
	f.Evidence.Notes = []string{"x"}
	f.Proof = []finding.Proof{{}}
	g := finding.New("secret-in-source")
	r := &report.Report{Targets: []report.Target{{Findings: 1, Requests: 2, Files: 3, SettingsNotAudited: []report.SkippedModule{{}}, NotAudited: []report.NotAudited{{}}}, {}},
		Findings: []finding.Finding{f, g}, Origins: []report.Origin{{Endpoints: 2}}}
	fillStrings(reflect.ValueOf(r), hostileText) // the targets' origin is the origin's: grouped under it
	r.Targets[0].Error = ""                      // a failed target prints only its error: the other carries it
	r.Targets[0].ProbeSet = "confirming"
	r.Findings[0].Severity, r.Findings[1].Severity = finding.High, finding.Low
	r.Finalize()
	return r
}

// TestTextEscapesEveryField feeds a hostileText string through every string field of a report
// and checks that the terminal sees no control character from it, while JSON keeps it exact.
func TestTextEscapesEveryField(t *testing.T) {
	r := hostileReport()
	for _, o := range []report.TextOptions{{}, {Verbose: true}, {Color: true, Verbose: true}} {
		var buf bytes.Buffer
		if err := report.WriteText(&buf, r, o); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if o.Color {
			// Our own colours are the only escape sequences allowed.
			out = regexpStripSGR(out)
		}
		if i := strings.IndexFunc(out, func(r rune) bool {
			return r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0x202e || r == utf8.RuneError
		}); i >= 0 {
			t.Errorf("%+v: raw control character %q in text output near %q", o, out[i], out[max(0, i-20):min(len(out), i+20)])
		}
		if !utf8.ValidString(out) {
			t.Errorf("%+v: text output is not UTF-8", o)
		}
		// Every field printed, shown escaped: count the visible form of the OSC.
		if n := strings.Count(out, `\x1b]0;owned\x07`); n < 20 {
			t.Errorf("%+v: hostileText value shown escaped %d times; some fields are not printed or not escaped", o, n)
		}
	}
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var back report.Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	// JSON replaces the invalid byte with U+FFFD (encoding/json's rule); everything else is exact.
	exact := strings.ToValidUTF8(hostileText, "\uFFFD")
	if back.Findings[0].Evidence.Snippet != exact || back.Targets[1].Error != exact {
		t.Errorf("JSON changed the value: %q", back.Findings[0].Evidence.Snippet)
	}
}

// TestHTMLEscapesEveryField: the HTML page, a view for people like the terminal, shows every
// field's controls and bidirectional overrides as visible escapes, lets no markup through,
// and leaves the report itself unchanged for the JSON and SARIF views.
func TestHTMLEscapesEveryField(t *testing.T) {
	r := hostileReport()
	const markup = `<img src=x onerror=alert(1)>`
	fillStrings(reflect.ValueOf(r), hostileText+markup)
	r.Targets[0].Error = ""
	r.Targets[0].NotAudited = []report.NotAudited{{Path: hostileText + markup, Reason: hostileText}}
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if i := strings.IndexFunc(page, func(r rune) bool {
		return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0x202e || r == utf8.RuneError
	}); i >= 0 {
		t.Errorf("raw control character %q in the page near %q", page[i], page[max(0, i-20):min(len(page), i+20)])
	}
	if strings.Contains(page, "<img") {
		t.Error("markup from a report string reached the page")
	}
	if n := strings.Count(page, `\x1b]0;owned\x07`); n < 20 {
		t.Errorf("hostile value shown escaped %d times; some fields are not shown or not escaped", n)
	}
	if !strings.Contains(page, "not audited") {
		t.Error("the page does not list the files not audited")
	}
	if r.Findings[0].Evidence.Snippet != hostileText+markup {
		t.Errorf("WriteHTML changed the report: %q", r.Findings[0].Evidence.Snippet)
	}
}

func regexpStripSGR(s string) string {
	for _, c := range []string{"\x1b[1;35m", "\x1b[1;31m", "\x1b[33m", "\x1b[36m", "\x1b[2m", "\x1b[0m", "\x1b[1m"} {
		s = strings.ReplaceAll(s, c, "")
	}
	return s
}

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, text, line string }{
		{"plain ascii: a/b?c=d", "plain ascii: a/b?c=d", "plain ascii: a/b?c=d"},
		{"café ünïcode ✓", "café ünïcode ✓", "café ünïcode ✓"},
		{"a\nb\tc", "a\nb\tc", `a\nb\tc`},
		{"\x1b[31mred", `\x1b[31mred`, `\x1b[31mred`},
		{"bell\x07", `bell\x07`, `bell\x07`},
		{"cr\rlf", `cr\rlf`, `cr\rlf`},
		{"del\x7f", `del\x7f`, `del\x7f`},
		{"c1\u009b", `c1\x9b`, `c1\x9b`},
		{"bidi\u202eoverride\u2066", `bidi\u202eoverride\u2066`, `bidi\u202eoverride\u2066`},
		{"zw\u200bsp", `zw\u200bsp`, `zw\u200bsp`},
		{"bad\xffbyte", `bad\xffbyte`, `bad\xffbyte`},
		{"replacement \uFFFD stays", "replacement \uFFFD stays", "replacement \uFFFD stays"},
	} {
		if got := report.EscapeText(c.in); got != c.text {
			t.Errorf("EscapeText(%q) = %q, want %q", c.in, got, c.text)
		}
		if got := report.EscapeLine(c.in); got != c.line {
			t.Errorf("EscapeLine(%q) = %q, want %q", c.in, got, c.line)
		}
	}
}

// FuzzEscape: whatever goes in, what comes out holds no character a terminal acts on (line
// breaks and tabs aside, in EscapeText), is valid UTF-8, and is unchanged when already safe.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain", hostileText, "a\nb", "\xc2\x9b", "\u202e", "\xed\xa0\x80", "\\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, text := report.EscapeLine(s), report.EscapeText(s)
		for _, out := range []string{line, text} {
			if !utf8.ValidString(out) {
				t.Fatalf("not UTF-8: %q -> %q", s, out)
			}
			for _, r := range out {
				if r < 0x20 && !(out == text && (r == '\n' || r == '\t')) || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0x202e || r == 0x2066 || r == 0x200b {
					t.Fatalf("%q escaped to %q, which still holds %U", s, out, r)
				}
			}
		}
		if strings.ContainsAny(line, "\n\t") {
			t.Fatalf("EscapeLine kept a line break: %q", line)
		}
		if report.EscapeText(text) != text || report.EscapeLine(line) != line {
			t.Fatalf("escaping is not idempotent on %q", s)
		}
		safe := utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r >= 0x7f && r < 0xa0 }) < 0
		if safe && strings.IndexFunc(s, func(r rune) bool {
			return r >= 0x200b && r <= 0x206f || r == 0xfeff || r == 0x061c || r >= 0xfff9 && r <= 0xfffb
		}) < 0 && line != s {
			t.Fatalf("safe string changed: %q -> %q", s, line)
		}
	})
}
