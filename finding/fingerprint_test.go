package finding

import (
	"math/rand/v2"
	"slices"
	"testing"
)

type loc struct {
	rule, url, file string
	line            int
	disc            string
}

func (l loc) print() string { return Fingerprint(l.rule, l.url, l.file, l.line, l.disc) }

// Two runs of the same check must agree on the fingerprint whatever the port, the per-process
// mask key or the token value; a different rule, path or discriminator is another finding.
func TestFingerprintStableAcrossRuns(t *testing.T) {
	base := loc{rule: "cors-reflect-origin", url: "https://api.example.com:8443/v1/profile", disc: "trusted"}
	same := []struct {
		name string
		loc  loc
	}{
		{"another port", loc{rule: base.rule, url: "https://api.example.com:9443/v1/profile", disc: "trusted"}},
		{"default port", loc{rule: base.rule, url: "https://api.example.com/v1/profile", disc: "trusted"}},
		{"host case and trailing dot", loc{rule: base.rule, url: "https://API.Example.com.:8443/v1/profile", disc: "trusted"}},
		{"userinfo", loc{rule: base.rule, url: "https://alice:secret@api.example.com:8443/v1/profile", disc: "trusted"}},
	}
	for _, c := range same {
		if got, want := c.loc.print(), base.print(); got != want {
			t.Errorf("%s: fingerprint %s, want %s", c.name, got, want)
		}
	}

	// Redaction: the mask printed for a value carries a hash under a per-process key and the
	// value's length; two runs (two keys, a rotated token) print different masks.
	token := loc{rule: "exposure-secret-in-url", url: "https://api.example.com:8443/v1?access_token=REDACTED-1a2b3c4d&page=2"}
	redacted := []struct {
		name string
		loc  loc
	}{
		{"other digest key", loc{rule: token.rule, url: "https://api.example.com:8443/v1?access_token=REDACTED-99ffee00&page=2"}},
		{"probe mask of another length", loc{rule: token.rule, url: "https://api.example.com:8443/v1?access_token=%5Bmasked%2C+41+chars%5D&page=2"}},
		{"query value and order", loc{rule: token.rule, url: "https://api.example.com/v1?page=3&access_token=xyz"}},
	}
	for _, c := range redacted {
		if got, want := c.loc.print(), token.print(); got != want {
			t.Errorf("%s: fingerprint %s, want %s", c.name, got, want)
		}
	}
	disc := loc{rule: "secret-in-source", file: "app/settings.py", line: 12, disc: "aws-key|5 AKIA…(20 chars, hmac:0011aabb)"}
	for _, other := range []string{"aws-key|5 AKIA…(20 chars, hmac:ffee9988)", "aws-key|5 AKIA…(24 chars, hmac:12345678)"} {
		l := disc
		l.disc = other
		if l.print() != disc.print() {
			t.Errorf("discriminator %q: the mask's key or length changed the fingerprint", other)
		}
	}

	different := []struct {
		name string
		loc  loc
	}{
		{"other rule", loc{rule: "cors-reflect-origin-credentials", url: base.url, disc: "trusted"}},
		{"other path", loc{rule: base.rule, url: "https://api.example.com:8443/v1/admin", disc: "trusted"}},
		{"other host", loc{rule: base.rule, url: "https://api2.example.com:8443/v1/profile", disc: "trusted"}},
		{"other scheme", loc{rule: base.rule, url: "http://api.example.com:8443/v1/profile", disc: "trusted"}},
		{"other discriminator", loc{rule: base.rule, url: base.url, disc: "untrusted"}},
		{"other query parameter", loc{rule: base.rule, url: base.url + "?debug=1", disc: "trusted"}},
		{"a file instead", loc{rule: base.rule, file: "v1/profile", disc: "trusted"}},
	}
	for _, c := range different {
		if c.loc.print() == base.print() {
			t.Errorf("%s: same fingerprint as %+v", c.name, base)
		}
	}
	f1, f2 := loc{rule: "nginx-acao-wildcard", file: "nginx.conf", line: 10}, loc{rule: "nginx-acao-wildcard", file: "nginx.conf", line: 11}
	if f1.print() == f2.print() {
		t.Error("another line must give another fingerprint")
	}
	if (loc{rule: "nginx-acao-wildcard", file: `conf\nginx.conf`, line: 10}).print() != (loc{rule: "nginx-acao-wildcard", file: "conf/nginx.conf", line: 10}).print() {
		t.Error("a Windows path separator changed the fingerprint")
	}
}

// The fingerprint of a finding depends on that finding only: shuffling the findings of a
// run and sealing them again yields the same set, and Sort puts them back in one order.
func TestFingerprintIndependentOfOrder(t *testing.T) {
	mk := func() []Finding {
		var fs []Finding
		for _, l := range []loc{
			{rule: "cors-wildcard", url: "https://a.test:1/x"},
			{rule: "cors-wildcard", url: "https://a.test:1/y"},
			{rule: "cors-reflect-origin", url: "https://b.test:2/", disc: "trusted"},
			{rule: "nginx-acao-wildcard", file: "nginx.conf", line: 3},
		} {
			f := Finding{Rule: l.rule}
			f.URL, f.File, f.Line = l.url, l.file, l.line
			f.Seal(l.disc)
			fs = append(fs, f)
		}
		return fs
	}
	a, b := mk(), mk()
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
	for i := range b {
		b[i].Seal(map[string]string{"cors-reflect-origin": "trusted"}[b[i].Rule])
	}
	Sort(a)
	Sort(b)
	prints := func(fs []Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Fingerprint)
		}
		return out
	}
	if !slices.Equal(prints(a), prints(b)) {
		t.Errorf("order changed fingerprints: %v vs %v", prints(a), prints(b))
	}
	seen := map[string]bool{}
	for _, p := range prints(a) {
		if seen[p] {
			t.Errorf("duplicate fingerprint %s", p)
		}
		seen[p] = true
	}
}

func TestCanonicalLocation(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"https://Api.Test:8443": "https://api.test/",
		"https://u:p@api.test:8443/a%20b?z=1&a=2": "https://api.test/a%20b?a&z",
		"https://[::1]:8443/v1":                   "https://::1/v1",
		"not a url":                               "not a url",
	} {
		if got := CanonicalLocation(in); got != want {
			t.Errorf("CanonicalLocation(%q) = %q, want %q", in, got, want)
		}
	}
}
