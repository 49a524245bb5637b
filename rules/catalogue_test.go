package rules

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
)

// addedAfterRulesMD are rules crossgate added after the contract was written; rules.md allows
// new rules in the family-slug form, and the README documents each.
var addedAfterRulesMD = map[string]bool{"cors-any-port": true}

// The catalogue must list exactly the rules of the design contract, with the same base
// severity and CWEs, so that a rule can never drift from rules.md unnoticed.
func TestCatalogueMatchesRulesMD(t *testing.T) {
	b, err := os.ReadFile("../../shared/design/rules.md")
	if err != nil {
		t.Skipf("rules.md not beside the checkout: %v", err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| (\\w+) \\| ([^|]*) \\|")
	seen := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		id, sev, cwes := m[1], m[2], m[3]
		seen[id] = true
		r, ok := finding.Lookup(id)
		if !ok {
			t.Errorf("rule %s is in rules.md but not in the catalogue", id)
			continue
		}
		if r.Severity.String() != sev {
			t.Errorf("%s: base severity %s, rules.md says %s", id, r.Severity, sev)
		}
		var want []string
		for _, c := range strings.Split(cwes, ",") {
			if c = strings.TrimSpace(c); c != "" && c != "—" {
				want = append(want, "CWE-"+c)
			}
		}
		if strings.Join(want, ",") != strings.Join(r.CWE, ",") {
			t.Errorf("%s: CWE %v, rules.md says %v", id, r.CWE, want)
		}
	}
	for _, r := range finding.Rules() {
		if !seen[r.ID] && !addedAfterRulesMD[r.ID] {
			t.Errorf("rule %s is in the catalogue but not in rules.md (list it in addedAfterRulesMD if it is a new rule)", r.ID)
		}
	}
	if len(seen) < 60 {
		t.Fatalf("parsed only %d rules from rules.md", len(seen))
	}
}

func TestNewFillsContractFields(t *testing.T) {
	f := finding.New("cors-wildcard-on-mtls")
	f.URL = "https://api.test/"
	f.Seal("")
	b, _ := json.Marshal(f)
	for _, k := range []string{`"rule":"cors-wildcard-on-mtls"`, `"severity":"high"`, `"cwe":["CWE-942","CWE-213"]`, `"owasp":"API8:2023"`, `"url":"https://api.test/"`, `"evidence":{}`, `"remediation":""`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON %s lacks %s", b, k)
		}
	}
	g := finding.New("cors-wildcard-on-mtls")
	g.URL = "https://api.test/"
	g.Seal("")
	if f.Fingerprint != g.Fingerprint || len(f.Fingerprint) != 16 {
		t.Fatalf("fingerprint not stable: %q %q", f.Fingerprint, g.Fingerprint)
	}
	g.Seal("null")
	if g.Fingerprint == f.Fingerprint {
		t.Fatal("discriminator ignored")
	}
}

func TestSortWorstFirst(t *testing.T) {
	fs := []finding.Finding{finding.New("cors-wildcard"), finding.New("mtls-any-cert-accepted"), finding.New("cors-reflect-origin")}
	finding.Sort(fs)
	if fs[0].Rule != "mtls-any-cert-accepted" || fs[2].Rule != "cors-wildcard" {
		t.Fatalf("order %v %v %v", fs[0].Rule, fs[1].Rule, fs[2].Rule)
	}
	if m, ok := finding.Max(fs); !ok || m != finding.Critical {
		t.Fatal("Max")
	}
	if c := finding.Counts(fs); c["critical"] != 1 || c["low"] != 1 || c["info"] != 0 {
		t.Fatalf("Counts %v", c)
	}
}

// The README lists every rule, so users can look one up; a new rule must be documented.
func TestREADMEListsEveryRule(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range finding.Rules() {
		if !strings.Contains(string(b), "`"+r.ID+"`") {
			t.Errorf("README.md does not list rule %s", r.ID)
		}
		for _, c := range r.CWE {
			if !strings.Contains(string(b), "| "+c+" |") {
				t.Errorf("README.md CWE table lacks %s (rule %s)", c, r.ID)
			}
		}
	}
}

func TestCWEIsAlwaysAnArray(t *testing.T) {
	b, _ := json.Marshal(finding.New("mtls-http-only-enforcement"))
	if !strings.Contains(string(b), `"cwe":[]`) {
		t.Fatalf("a rule without CWE must marshal as [], got %s", b)
	}
}
