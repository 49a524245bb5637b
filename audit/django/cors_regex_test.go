package django

import (
	"encoding/json"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/internal/needs"
)

func problemKinds(r regexResult) string {
	var ks []string
	for _, p := range r.Problems {
		ks = append(ks, p.Kind)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

var regexCases = []struct {
	pat, kinds, bypass string // bypass: one expected bypass origin ("" = none checked)
}{
	{`^https://app\.example\.com$`, "", ""},
	{`^https://app\.example\.com\Z`, "", ""},
	{`^https://[a-z0-9-]+\.example\.com$`, "", ""},
	{`^https://(www\.)?example\.com(:\d+)?$`, "", ""},
	{`^https://(?:app|admin)\.example\.com$`, "", ""},
	{`^https://app.example\.com$`, "unescaped-dot", "https://appxexample.com"},
	{`^https://app\.example\.com`, "end-anchor", "https://app.example.com.evil.example"},
	{`https://app\.example\.com`, "end-anchor", "https://app.example.com.evil.example"},
	{`^https://.*example\.com$`, "wildcard-before-domain", "https://evilexample.com"},
	{`^https://[a-z]+example\.com$`, "wildcard-before-domain", "https://evilexample.com"},
	{`^https://.*\.example\.com$`, "", ""},
	{`^https?://app\.example\.com$`, "http-scheme", "http://app.example.com"},
	{`^http://app\.example\.com$`, "http-scheme", "http://app.example.com"},
	{`^(null|https://app\.example\.com)$`, "null", "null"},
	{`^https://.*`, "any-origin", "https://evil.example"},
	{`.*`, "any-origin,null", "https://evil.example"},
	{`^https://app.example.com`, "end-anchor,unescaped-dot", ""},
	{`(?i)^HTTPS://APP\.EXAMPLE\.COM$`, "", ""},
}

func TestAnalyseOriginRegex(t *testing.T) {
	for _, c := range regexCases {
		r := analyseOriginRegex(c.pat)
		if r.Err != nil {
			t.Errorf("%s: %v", c.pat, r.Err)
			continue
		}
		if got := problemKinds(r); got != c.kinds {
			t.Errorf("%s: problems %q, want %q (%+v)", c.pat, got, c.kinds, r.Problems)
		}
		if c.bypass != "" {
			found := false
			for _, p := range r.Problems {
				found = found || p.Bypass == c.bypass
			}
			if !found {
				t.Errorf("%s: bypass %q not reported: %+v", c.pat, c.bypass, r.Problems)
			}
		}
	}
	for _, pat := range []string{`^https://(?=a)a\.com$`, `(a)\1`, `(?x) a b`, `[`, strings.Repeat("a", 5000)} {
		if r := analyseOriginRegex(pat); r.Err == nil || len(r.Problems) != 0 {
			t.Errorf("%q: want an analysis error and no problems, got %+v", pat, r)
		}
	}
}

// TestRegexBypassesMatchInPython replays every bypass origin through Python's own re.match,
// the function django-cors-headers calls, so the Go translation cannot drift from it.
func TestRegexBypassesMatchInPython(t *testing.T) {
	if err := exec.Command(systemPython, "-c", "import re").Run(); err != nil {
		needs.Missing(t, "%s not available: %v", systemPython, err)
	}
	type pair struct{ Pat, Origin string }
	var pairs []pair
	for _, c := range regexCases {
		for _, p := range analyseOriginRegex(c.pat).Problems {
			pairs = append(pairs, pair{c.pat, p.Bypass})
		}
	}
	in, _ := json.Marshal(pairs)
	script := `import json, re, sys
for p in json.load(sys.stdin):
    print("1" if re.match(p["Pat"], p["Origin"]) else "0")`
	cmd := exec.Command(systemPython, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != len(pairs) {
		t.Fatalf("python answered %d of %d", len(lines), len(pairs))
	}
	for i, l := range lines {
		if l != "1" {
			t.Errorf("Python's re.match(%q, %q) does not match: the bypass is wrong", pairs[i].Pat, pairs[i].Origin)
		}
	}
}

func FuzzAnalyseOriginRegex(f *testing.F) {
	for _, c := range regexCases {
		f.Add(c.pat)
	}
	f.Add(`^https://(?P<sub>[a-z]{1,1000})\.x\.com$`)
	f.Add(`a{1000}b{1000}`)
	f.Fuzz(func(t *testing.T, pat string) {
		r := analyseOriginRegex(pat)
		if r.Err != nil {
			return
		}
		goPat, err := pythonToGo(pat)
		if err != nil {
			t.Fatalf("analysed a pattern the translator rejects: %v", err)
		}
		re, _, err := compileMatch(goPat)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range r.Problems {
			if !re.MatchString(p.Bypass) {
				t.Fatalf("%q: bypass %q does not match", pat, p.Bypass)
			}
		}
	})
}
