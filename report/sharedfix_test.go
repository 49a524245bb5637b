package report_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/remedy"
	"github.com/crossgate/crossgate/report"
)

// sampleSharedFix is a scan where three findings end with the same long fix (the
// django-cors-headers settings and the nginx variant) and one has a short fix of its own.
func sampleSharedFix() *report.Report {
	fix := remedy.CORS(remedy.Stack{App: remedy.Django, CORS: remedy.DjangoCORSHeaders, Proxy: remedy.Nginx}, []string{"https://app.example.com"})
	var fs []finding.Finding
	for _, c := range []struct{ rule, advice string }{
		{"cors-wildcard-on-mtls", "Never send Access-Control-Allow-Origin: * on an endpoint that authenticates with client certificates."},
		{"cors-null-origin", "Never allow the origin null."},
		{"cors-http-origin-trusted", "Trust only https:// origins."},
	} {
		f := finding.New(c.rule)
		f.URL = "https://127.0.0.1:8443/api/profile"
		f.Detail = "detail of " + c.rule
		f.Remediation = c.advice + "\n" + fix
		f.Seal("")
		fs = append(fs, f)
	}
	g := finding.New("mtls-ca-list-disclosure")
	g.URL = "https://127.0.0.1:8443/"
	g.Remediation = "Use a dedicated client CA whose name reveals nothing internal."
	g.Seal("")
	fs = append(fs, g)
	r := &report.Report{Version: "test", Command: "scan", Targets: []report.Target{{URL: "https://127.0.0.1:8443/api/profile",
		Stack: "django (django-cors-headers) behind nginx", Findings: len(fs)}}, Findings: fs}
	r.Finalize()
	return r
}

// A long fix shared by several findings is printed once per text report, after the findings,
// and each finding points to it; JSON keeps the whole text in every finding.
func TestTextSharedFixOnce(t *testing.T) {
	r := sampleSharedFix()
	var b bytes.Buffer
	if err := report.WriteText(&b, r, report.TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	golden(t, "scan-shared-fix.txt", b.Bytes())
	if n := strings.Count(s, "CORS_ALLOWED_ORIGINS = ["); n != 1 {
		t.Errorf("the shared fix is printed %d times, want once:\n%s", n, s)
	}
	if n := strings.Count(s, "see [F1] below"); n != 3 {
		t.Errorf("%d findings point to [F1], want 3:\n%s", n, s)
	}
	for _, advice := range []string{"Never allow the origin null.", "Trust only https:// origins.", "Use a dedicated client CA"} {
		if !strings.Contains(s, advice) {
			t.Errorf("a finding's own advice is lost: %q", advice)
		}
	}
	if i, j := strings.Index(s, "[F1]"), strings.Index(s, "summary:"); i < 0 || j < i {
		t.Errorf("the shared fix section is not before the summary")
	}
	b.Reset()
	if err := report.WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Findings []struct{ Remediation string } `json:"findings"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	full := 0
	for _, f := range doc.Findings {
		if strings.Contains(f.Remediation, "CORS_ALLOWED_ORIGINS = [") && strings.Contains(f.Remediation, "map $http_origin") {
			full++
		}
	}
	if full != 3 {
		t.Errorf("JSON: %d findings carry the whole fix, want 3", full)
	}
}

// One finding alone keeps its fix inline: nothing to share.
func TestTextUnsharedFixInline(t *testing.T) {
	r := sampleSharedFix()
	r.Findings = r.Findings[:1]
	r.Finalize()
	var b bytes.Buffer
	_ = report.WriteText(&b, r, report.TextOptions{Verbose: true})
	if s := b.String(); strings.Contains(s, "[F1]") || !strings.Contains(s, "CORS_ALLOWED_ORIGINS = [") {
		t.Errorf("a single finding's fix is not inline:\n%s", s)
	}
}
