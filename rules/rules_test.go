package rules

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
)

// docs/rules.md is generated from the rule declarations; a rule changed without regenerating
// it fails here.
func TestDocsRulesIsFresh(t *testing.T) {
	got, err := os.ReadFile("../docs/rules.md")
	if err != nil {
		t.Fatalf("docs/rules.md: %v (run go generate ./rules)", err)
	}
	if !bytes.Equal(got, Markdown()) {
		t.Fatal("docs/rules.md is stale: run go generate ./rules")
	}
}

// Every family is represented, and every rule is well-formed.
func TestCatalogueIsComplete(t *testing.T) {
	per := map[string]int{}
	for _, r := range All() {
		per[r.Family]++
		if r.Summary == "" || r.OWASP == "" && r.Family != "source" {
			t.Errorf("%s: summary or OWASP missing", r.ID)
		}
		if !strings.HasPrefix(r.ID, r.Family+"-") && !(r.Family == "mtls" && strings.HasPrefix(r.ID, "tls-")) && r.Family != "exposure" && r.Family != "source" {
			t.Errorf("%s: ID does not start with its family %q", r.ID, r.Family)
		}
		if r.ReadRank > 0 && r.Family != "cors" {
			t.Errorf("%s: only CORS rules make a response readable cross-origin", r.ID)
		}
	}
	for _, fam := range finding.Families {
		if per[fam] == 0 {
			t.Errorf("no rule of family %s is registered", fam)
		}
	}
	if len(All()) < 64 {
		t.Fatalf("only %d rules registered", len(All()))
	}
}

// User-facing text carries no internal wording.
func TestNoInternalWording(t *testing.T) {
	bad := regexp.MustCompile(`(?i)\bseed\b|threat model|rules\.md|TODO|FIXME`)
	for _, r := range All() {
		for _, s := range []string{r.Title, r.Summary, r.Advice} {
			if bad.MatchString(s) {
				t.Errorf("%s: internal wording in %q", r.ID, s)
			}
		}
	}
}
