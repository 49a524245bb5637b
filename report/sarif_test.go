package report_test

import (
	"github.com/crossgate/crossgate/report"
	_ "github.com/crossgate/crossgate/rules"

	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/sariftest"
)

func compileSARIFSchema(t *testing.T) *jsonschema.Schema { return sariftest.Schema(t) }

// sampleAuditSARIF adds what the plain audit sample lacks: a path that needs escaping, a
// finding without a line, and a target that failed.
func sampleAuditSARIF() *report.Report {
	r := sampleAudit()
	g := finding.New("nginx-identity-headers-not-cleared")
	g.File, g.Line, g.Column = "deploy/nginx conf/site.conf", 15, 13
	g.Detail = "Location /api/ has its own proxy_set_header, so it inherits none of the outer ones."
	g.Evidence.Snippet = "        location /api/ {\n            proxy_set_header Host $host;"
	g.Remediation = "proxy_set_header X-SSL-Client-S-DN $ssl_client_s_dn;"
	g.Seal("")
	h := finding.New("secret-in-source")
	h.File = "README.md"
	h.Detail = "An AWS access key id."
	h.Remediation = "Revoke the key."
	h.Seal("")
	r.Findings = append(r.Findings, g, h)
	r.Targets = append(r.Targets, report.Target{Path: "broken/nginx.conf", Error: "broken/nginx.conf:3:1: unexpected \"}\""})
	r.Finalize()
	return r
}

func writeSARIF(t *testing.T, r *report.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSARIFGoldenAndSchema(t *testing.T) {
	s := compileSARIFSchema(t)
	for name, r := range map[string]*report.Report{"sarif-scan.sarif": sampleScan(), "sarif-audit.sarif": sampleAuditSARIF()} {
		out := writeSARIF(t, r)
		golden(t, name, out)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(v); err != nil {
			t.Errorf("%s does not validate against the SARIF 2.1.0 schema: %v", name, err)
		}
	}
}

// The vendored schema must reject broken logs, or the validation above proves nothing.
func TestSARIFSchemaRejectsBrokenLogs(t *testing.T) {
	s := compileSARIFSchema(t)
	out := writeSARIF(t, sampleAuditSARIF())
	for name, mutate := range map[string]func(log map[string]any){
		"bad version":  func(l map[string]any) { l["version"] = "2.0" },
		"bad level":    func(l map[string]any) { result(l, 0)["level"] = "critical" },
		"line zero":    func(l map[string]any) { region(l)["startLine"] = 0 },
		"no message":   func(l map[string]any) { delete(result(l, 0), "message") },
		"unknown prop": func(l map[string]any) { result(l, 0)["severity"] = "high" },
	} {
		var l map[string]any
		if err := json.Unmarshal(out, &l); err != nil {
			t.Fatal(err)
		}
		mutate(l)
		raw, _ := json.Marshal(l)
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err := s.Validate(v); err == nil {
			t.Errorf("%s: schema accepted a broken log", name)
		}
	}
}

func result(l map[string]any, i int) map[string]any {
	return l["runs"].([]any)[0].(map[string]any)["results"].([]any)[i].(map[string]any)
}

func region(l map[string]any) map[string]any {
	loc := result(l, 0)["locations"].([]any)[0].(map[string]any)
	return loc["physicalLocation"].(map[string]any)["region"].(map[string]any)
}

type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name  string
				Rules []struct {
					ID         string
					Help       struct{ Text, Markdown string }
					Properties map[string]any
				}
			}
		}
		Invocations []struct {
			ExecutionSuccessful        bool
			ToolExecutionNotifications []struct{ Message struct{ Text string } }
		}
		Results []struct {
			RuleID              string
			RuleIndex           int
			Level               string
			PartialFingerprints map[string]string
			Locations           []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI, URIBaseID string }
					Region           *struct{ StartLine, StartColumn int }
				}
			}
		}
	}
}

func TestSARIFMapping(t *testing.T) {
	var d sarifDoc
	if err := json.Unmarshal(writeSARIF(t, sampleAuditSARIF()), &d); err != nil {
		t.Fatal(err)
	}
	run := d.Runs[0]
	if run.Tool.Driver.Name != "crossgate" {
		t.Errorf("driver %q", run.Tool.Driver.Name)
	}
	rules := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		rules[r.ID] = i
	}
	for _, res := range run.Results {
		if i, ok := rules[res.RuleID]; !ok || i != res.RuleIndex {
			t.Errorf("result %s: ruleIndex %d does not point at its rule", res.RuleID, res.RuleIndex)
		}
		if res.PartialFingerprints["crossgate/v1"] == "" {
			t.Errorf("result %s has no fingerprint", res.RuleID)
		}
	}
	r := run.Tool.Driver.Rules[rules["nginx-identity-headers-not-cleared"]]
	tags, _ := r.Properties["tags"].([]any)
	if !containsAny(tags, "external/cwe/cwe-290") || !containsAny(tags, "security") || r.Properties["security-severity"] != "9.5" {
		t.Errorf("rule properties %v", r.Properties)
	}
	if !strings.Contains(r.Help.Markdown, "proxy_set_header X-SSL-Client-S-DN") || !strings.Contains(r.Help.Text, "Remediation") {
		t.Errorf("help lacks the remediation: %+v", r.Help)
	}
	for _, res := range run.Results {
		loc := res.Locations[0].PhysicalLocation
		switch res.RuleID {
		case "nginx-identity-headers-not-cleared":
			if res.Level != "error" || loc.ArtifactLocation.URI != "deploy/nginx%20conf/site.conf" || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" || loc.Region == nil || loc.Region.StartLine != 15 || loc.Region.StartColumn != 13 {
				t.Errorf("nginx result: level %s, location %+v", res.Level, loc)
			}
		case "secret-in-source":
			if loc.Region != nil {
				t.Errorf("a finding without a line got a region: %+v", loc.Region)
			}
		}
	}
	if inv := run.Invocations[0]; !inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 1 || !strings.Contains(inv.ToolExecutionNotifications[0].Message.Text, "unexpected") {
		t.Errorf("invocation %+v", inv)
	}

	var scan sarifDoc
	if err := json.Unmarshal(writeSARIF(t, sampleScan()), &scan); err != nil {
		t.Fatal(err)
	}
	for _, res := range scan.Runs[0].Results {
		loc := res.Locations[0].PhysicalLocation
		if !strings.HasPrefix(loc.ArtifactLocation.URI, "https://127.0.0.1:8443/") || loc.Region != nil || loc.ArtifactLocation.URIBaseID != "" {
			t.Errorf("scan result location %+v", loc)
		}
		want := map[string]string{"cors-wildcard-on-mtls": "error", "mtls-ca-list-disclosure": "note"}[res.RuleID]
		if res.Level != want {
			t.Errorf("%s: level %s, want %s", res.RuleID, res.Level, want)
		}
	}
}

func TestSARIFLevels(t *testing.T) {
	for s, want := range map[finding.Severity]string{finding.Critical: "error", finding.High: "error", finding.Medium: "warning", finding.Low: "note", finding.Info: "note"} {
		if got := report.SARIFLevel(s); got != want {
			t.Errorf("report.SARIFLevel(%s) = %s, want %s", s, got, want)
		}
	}
}

func containsAny(list []any, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// GitHub rates alerts by the rule's security-severity: it must follow the correlated
// severity (critical here), not the catalogue's base (high).
func TestSARIFRuleSeverityFollowsResults(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteSARIF(&b, sampleScan()); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string `json:"id"`
						Properties struct {
							SecuritySeverity string `json:"security-severity"`
						} `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		if r.ID == "cors-wildcard-on-mtls" && r.Properties.SecuritySeverity != report.SecuritySeverity(finding.Critical) {
			t.Fatalf("security-severity %s, want the critical score %s", r.Properties.SecuritySeverity, report.SecuritySeverity(finding.Critical))
		}
	}
}

// An interrupted run is not a successful execution: code scanning must not close alerts on
// the strength of a report that stopped half-way.
func TestSARIFInterruptedRunIsNotSuccessful(t *testing.T) {
	r := sampleScan()
	r.Summary.Interrupted = true
	var doc sarifDoc
	if err := json.Unmarshal(writeSARIF(t, r), &doc); err != nil {
		t.Fatal(err)
	}
	inv := doc.Runs[0].Invocations[0]
	if inv.ExecutionSuccessful {
		t.Fatal("interrupted run marked executionSuccessful")
	}
	found := false
	for _, n := range inv.ToolExecutionNotifications {
		found = found || strings.Contains(n.Message.Text, "interrupted")
	}
	if !found {
		t.Fatalf("no notification says the run was interrupted: %+v", inv.ToolExecutionNotifications)
	}
}
