package report_test

import (
	"github.com/crossgate/crossgate/report"
	_ "github.com/crossgate/crossgate/rules"

	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/crossgate/crossgate/finding"
)

// at makes a sealed scan finding of rule at url.
func at(rule, url string) finding.Finding {
	f := finding.New(rule)
	f.URL = url
	f.Seal("")
	return f
}

func inFile(rule, file string, line int) finding.Finding {
	f := finding.New(rule)
	f.File, f.Line = file, line
	f.Seal("")
	return f
}

func scanOf(targets []report.Target, fs ...finding.Finding) *report.Report {
	r := &report.Report{Tool: "crossgate", Command: "scan", Targets: targets, Findings: fs}
	r.Finalize()
	return r
}

func rulesOf(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+"@"+report.Location(f))
	}
	slices.Sort(out)
	return out
}

func TestCompare(t *testing.T) {
	okA := []report.Target{{URL: "https://a.test:8443/v1"}}
	okA2 := []report.Target{{URL: "https://a.test:9443/v1"}}
	wild := at("cors-wildcard", "https://a.test:8443/v1")
	reflect := at("cors-reflect-origin", "https://a.test:8443/v1")
	onB := at("cors-wildcard", "https://b.test/v1")
	cases := []struct {
		name                                string
		old, cur                            *report.Report
		isNew, fixed, unchanged, notChecked []string
	}{
		{name: "same findings", old: scanOf(okA, wild, reflect), cur: scanOf(okA, reflect, wild),
			unchanged: []string{"cors-reflect-origin@https://a.test:8443/v1", "cors-wildcard@https://a.test:8443/v1"}},
		{name: "one new", old: scanOf(okA, wild), cur: scanOf(okA, wild, reflect),
			isNew: []string{"cors-reflect-origin@https://a.test:8443/v1"}, unchanged: []string{"cors-wildcard@https://a.test:8443/v1"}},
		{name: "one fixed", old: scanOf(okA, wild, reflect), cur: scanOf(okA, wild),
			fixed: []string{"cors-reflect-origin@https://a.test:8443/v1"}, unchanged: []string{"cors-wildcard@https://a.test:8443/v1"}},
		{name: "service moved port", old: scanOf(okA, wild), cur: scanOf(okA2, at("cors-wildcard", "https://a.test:9443/v1")),
			unchanged: []string{"cors-wildcard@https://a.test:9443/v1"}},
		{name: "host not scanned this time", old: scanOf(okA, wild, onB), cur: scanOf(okA, wild),
			unchanged: []string{"cors-wildcard@https://a.test:8443/v1"}, notChecked: []string{"cors-wildcard@https://b.test/v1"}},
		{name: "target failed", old: scanOf(okA, wild), cur: scanOf([]report.Target{{URL: "https://a.test:8443/v1", Error: "connection refused"}}),
			notChecked: []string{"cors-wildcard@https://a.test:8443/v1"}},
		{name: "interrupted run", old: scanOf(okA, wild), cur: func() *report.Report { r := scanOf(okA); r.Summary.Interrupted = true; return r }(),
			notChecked: []string{"cors-wildcard@https://a.test:8443/v1"}},
		{name: "two findings share a fingerprint, one was there", old: scanOf(okA, wild),
			cur:   scanOf(append(okA, okA2...), wild, at("cors-wildcard", "https://a.test:9443/v1")),
			isNew: []string{"cors-wildcard@https://a.test:9443/v1"}, unchanged: []string{"cors-wildcard@https://a.test:8443/v1"}},
		{name: "audit fixed", old: &report.Report{Command: "audit", Targets: []report.Target{{Path: "."}}, Findings: []finding.Finding{inFile("nginx-acao-wildcard", "nginx.conf", 4)}},
			cur:   &report.Report{Command: "audit", Targets: []report.Target{{Path: "."}}},
			fixed: []string{"nginx-acao-wildcard@nginx.conf:4"}},
		{name: "audit with a config that failed", old: &report.Report{Command: "audit", Targets: []report.Target{{Path: "."}}, Findings: []finding.Finding{inFile("nginx-acao-wildcard", "nginx.conf", 4)}},
			cur:        &report.Report{Command: "audit", Targets: []report.Target{{Path: ".", Error: "nginx.conf:3: unexpected }"}}},
			notChecked: []string{"nginx-acao-wildcard@nginx.conf:4"}},
		{name: "no fingerprint in the earlier report", old: scanOf(okA, func() finding.Finding { f := wild; f.Fingerprint = ""; return f }()), cur: scanOf(okA, wild),
			unchanged: []string{"cors-wildcard@https://a.test:8443/v1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := report.Compare(c.old, c.cur)
			for _, g := range []struct {
				what      string
				got, want []string
			}{{"new", rulesOf(d.New), c.isNew}, {"fixed", rulesOf(d.Fixed), c.fixed}, {"unchanged", rulesOf(d.Unchanged), c.unchanged}, {"not rechecked", rulesOf(d.NotRechecked), c.notChecked}} {
				if !slices.Equal(g.got, g.want) {
					t.Errorf("%s: got %v, want %v", g.what, g.got, g.want)
				}
			}
		})
	}
}

// A report made with --baseline holds only the new findings but serves as the next
// baseline: what it found again is kept in its baseline section.
func TestApplyBaselineChains(t *testing.T) {
	okA := []report.Target{{URL: "https://a.test:8443/v1"}}
	wild := at("cors-wildcard", "https://a.test:8443/v1")
	reflect := at("cors-reflect-origin", "https://a.test:8443/v1")
	first := scanOf(okA, wild)
	second := scanOf(okA, wild, reflect)
	report.ApplyBaseline(second, first, "first.json")
	if got := rulesOf(second.Findings); !slices.Equal(got, []string{"cors-reflect-origin@https://a.test:8443/v1"}) || second.Summary.Total != 1 || second.Summary.BySeverity["low"]+second.Summary.BySeverity["medium"]+second.Summary.BySeverity["high"]+second.Summary.BySeverity["critical"]+second.Summary.BySeverity["info"] != 1 {
		t.Fatalf("findings %v, summary %+v: want only the new one", got, second.Summary)
	}
	if b := second.Baseline; b == nil || b.New != 1 || len(b.Unchanged) != 1 || len(b.Fixed) != 0 {
		t.Fatalf("baseline section %+v", second.Baseline)
	}
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, second); err != nil {
		t.Fatal(err)
	}
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err := compileSchema(t).Validate(v); err != nil {
		t.Errorf("a report with a baseline section does not validate: %v", err)
	}
	reread, err := report.ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	third := scanOf(okA, wild, reflect)
	report.ApplyBaseline(third, reread, "second.json")
	if len(third.Findings) != 0 || len(third.Baseline.Unchanged) != 2 {
		t.Errorf("third run against the second's report: new %v, unchanged %v", rulesOf(third.Findings), rulesOf(third.Baseline.Unchanged))
	}
	buf.Reset()
	_ = report.WriteText(&buf, third, report.TextOptions{})
	if !strings.Contains(buf.String(), "compared with second.json: 0 new (above), 2 unchanged (not shown), 0 fixed") || !strings.Contains(buf.String(), "summary: 0 new findings") {
		t.Errorf("text report lacks the baseline lines:\n%s", buf.String())
	}
}

func TestReadJSONRejectsOtherFiles(t *testing.T) {
	for name, in := range map[string]string{
		"SARIF":          `{"version":"2.1.0","runs":[]}`,
		"other JSON":     `{"results":[]}`,
		"not JSON":       "summary: 2 findings",
		"bad severity":   `{"tool":"crossgate","command":"scan","findings":[{"rule":"x","severity":"severe"}]}`,
		"unknown action": `{"tool":"crossgate","command":"deploy","findings":[]}`,
	} {
		if _, err := report.ReadJSON(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	var b bytes.Buffer
	_ = report.WriteJSON(&b, sampleScan())
	if r, err := report.ReadJSON(&b); err != nil || len(r.Findings) != 2 {
		t.Errorf("own JSON report: %v, %v", r, err)
	}
}

func TestDiffText(t *testing.T) {
	okA := []report.Target{{URL: "https://a.test:8443/v1"}}
	d := report.Compare(scanOf(okA, at("cors-wildcard", "https://a.test:8443/v1")), scanOf(okA, at("cors-reflect-origin", "https://a.test:8443/v1\x1b[31m\u202e")))
	var b bytes.Buffer
	if err := report.WriteDiffText(&b, d, "old.json", "new.json"); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, want := range []string{"New (1)\n  [MEDIUM] cors-reflect-origin", "Fixed (1)\n  [", "Unchanged (0)", "summary: 1 new, 1 fixed, 0 unchanged\n", `v1\x1b[31m\u202e`} {
		if !strings.Contains(s, want) {
			t.Errorf("diff text lacks %q:\n%s", want, s)
		}
	}
	if strings.ContainsAny(s, "\x1b\u202e") {
		t.Error("an escape sequence or a bidi override from the report reached the terminal")
	}
}
