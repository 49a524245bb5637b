package exposurecheck

import (
	"net/url"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/probe"
)

// FuzzValidators: every content validator is total (no panic on any bytes) and
// deterministic, and never accepts an HTML page for a text file.
func FuzzValidators(f *testing.F) {
	for _, c := range validatorCases {
		f.Add([]byte(c.body), c.ct)
	}
	f.Add([]byte("\xff\xfe\x00"), "application/octet-stream")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		for _, w := range wellKnownFiles {
			ok1, what1 := w.validate(body, ct)
			ok2, what2 := w.validate(body, ct)
			if ok1 != ok2 || what1 != what2 {
				t.Fatalf("%s: not deterministic", w.path)
			}
			if ok1 && what1 == "" {
				t.Fatalf("%s: accepted without saying what", w.path)
			}
			if ok1 && w.path != "db.sqlite3" && w.path != ".svn/entries" && isHTML(body, ct) {
				t.Fatalf("%s: accepted HTML", w.path)
			}
		}
		_ = maskAssignments(body)
	})
}

// FuzzSimilarity: similarity is a symmetric score in [0, 1], 1 for identical bodies.
func FuzzSimilarity(f *testing.F) {
	f.Add([]byte("<html>Not found</html>"), []byte(`{"detail":"Not found."}`), "/.env")
	f.Add([]byte(""), []byte("x"), "")
	f.Fuzz(func(t *testing.T, a, b []byte, strip string) {
		sa := sign(&probe.Exchange{Status: 200, Body: a}, strip)
		sb := sign(&probe.Exchange{Status: 200, Body: b}, strip)
		s1, s2 := similarity(sa, sb), similarity(sb, sa)
		if s1 != s2 || s1 < 0 || s1 > 1 {
			t.Fatalf("similarity %v / %v", s1, s2)
		}
		if similarity(sa, sa) != 1 {
			t.Fatalf("self-similarity %v", similarity(sa, sa))
		}
	})
}

// FuzzRedactURL: total, and a password in userinfo never survives.
func FuzzRedactURL(f *testing.F) {
	f.Add("https://u:secretpass@h/p?token=abc&x=1")
	f.Add("http://h/?api_key=")
	f.Add("::not a url")
	f.Fuzz(func(t *testing.T, raw string) {
		got := probe.RedactURL(raw)
		u, err := url.Parse(raw)
		if err != nil || u.User == nil {
			return
		}
		if p, ok := u.User.Password(); ok && len(p) >= 8 && !strings.Contains(strings.ReplaceAll(raw, u.User.String(), ""), p) {
			if gu, err := url.Parse(got); err == nil && gu.User != nil {
				if gp, _ := gu.User.Password(); gp == p {
					t.Fatalf("password survives in %q", got)
				}
			}
		}
	})
}
