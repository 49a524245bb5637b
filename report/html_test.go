package report_test

import (
	"github.com/crossgate/crossgate/report"
	_ "github.com/crossgate/crossgate/rules"

	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
)

// hostile is a finding whose every string tries to break out of its HTML context.
func hostile() finding.Finding {
	f := finding.New("cors-reflect-origin-credentials")
	f.URL = `https://api.test/x?q="><script>alert(1)</script>`
	f.Detail = `Origin <img src=x onerror=alert(2)> reflected`
	f.SeverityReason = `</dd><script>alert(3)</script>`
	f.Evidence = finding.Evidence{Request: "GET / HTTP/1.1\nOrigin: https://e.test\"'><svg onload=alert(4)>", Response: "HTTP/1.1 200 OK\n\n</pre><iframe src=https://evil.test/>", Notes: []string{"<b>note</b>"}}
	f.Remediation = "</pre><a href=\"javascript:alert(5)\">fix</a>"
	f.Proof = []finding.Proof{{Browser: "chromium", Version: "120.0.6099.224", PageOrigin: "http://127.0.0.1:5000", Mode: "omit", Read: true, Status: 200, Bytes: 125, CertPresented: "policy", Excerpt: `{"x":"</code><script>alert(6)</script>"}`}}
	f.Seal("")
	return f
}

func renderHTML(t *testing.T, r *report.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHTMLGolden(t *testing.T) {
	golden(t, "scan.html", []byte(renderHTML(t, sampleScan())))
}

func TestHTMLEscapesEveryString(t *testing.T) {
	r := sampleScan()
	r.Findings = append(r.Findings, hostile())
	r.Targets[1].Error = `<script>alert(7)</script>`
	r.Finalize()
	page := renderHTML(t, r)
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d <script elements, want exactly the report's own", n)
	}
	for _, bad := range []string{"<img src=x", "<svg", "<iframe", "<b>note", `href="javascript`, "</pre><a", "alert(3)</script>"} {
		if strings.Contains(page, bad) {
			t.Errorf("unescaped %q in the page", bad)
		}
	}
	for _, want := range []string{"&lt;img src=x onerror=alert(2)&gt;", "&lt;iframe src=https://evil.test/&gt;", "alert(7)"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks the escaped form %q", want)
		}
	}
}

// Nothing on the page may make the browser fetch anything: no src, no href other than
// in-page anchors, no CSS url() or @import; and the CSP allows exactly the inline blocks.
func TestHTMLSelfContained(t *testing.T) {
	r := sampleScan()
	r.Findings = append(r.Findings, hostile())
	r.Finalize()
	page := renderHTML(t, r)
	if m := regexp.MustCompile(`(?i)<[a-z]+[^>]*\s(src|href|action|srcset|poster|data)\s*=`).FindAllString(page, -1); len(m) > 0 {
		t.Errorf("resource-loading attributes: %q", m)
	}
	if regexp.MustCompile(`(?i)url\(|@import`).MatchString(report.HTMLStyle) {
		t.Error("the style sheet loads something")
	}
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(page)
	script := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindStringSubmatch(page)
	if style == nil || script == nil {
		t.Fatal("no inline style or script")
	}
	csp := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]+)"`).FindStringSubmatch(page)
	if csp == nil {
		t.Fatal("no Content-Security-Policy meta")
	}
	policy := html.UnescapeString(csp[1])
	for _, want := range []string{"default-src 'none'", "style-src '" + report.CSPHash(style[1]) + "'", "script-src '" + report.CSPHash(script[1]) + "'"} {
		if !strings.Contains(policy, want) {
			t.Errorf("CSP %q lacks %q (the inline blocks as rendered must match their hashes)", policy, want)
		}
	}
}

func TestHTMLGradesProofsAndBaseline(t *testing.T) {
	r := sampleScan()
	r.Targets[0].Grade = "F"
	f := hostile()
	r.Findings = append(r.Findings, f)
	r.Finalize()
	old := sampleScan()
	fixed := finding.New("cors-missing-vary-origin")
	fixed.URL = "https://127.0.0.1:8443/api/profile"
	fixed.Seal("")
	old.Findings = append(old.Findings, fixed)
	report.ApplyBaseline(r, old, "previous.json")
	page := renderHTML(t, r)
	for _, want := range []string{
		`<span class="grade grade-F" title="grade F">F</span>`,
		`title="not checked"`, // the failed target
		"proven in Chromium 120: a page on http://127.0.0.1:5000 read 125 bytes (credentials: omit; certificate presented by policy)",
		"read in a real browser",
		"Compared with previous.json", "1 new (listed below), 2 unchanged (not listed), 1 fixed",
		"cors-missing-vary-origin",
		`data-fingerprint="` + f.Fingerprint + `"`,
		"Browser matrix", "crbug 40089326",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, `data-fingerprint="`+r.Baseline.Unchanged[0].Fingerprint+`"`) {
		t.Error("an unchanged finding is listed with the new ones")
	}
}

func TestProofLine(t *testing.T) {
	blocked := finding.Proof{Browser: "chromium", Version: "120.0", PageOrigin: "http://127.0.0.1:1", Mode: "include", CertPresented: "proxy"}
	read := blocked
	read.Read, read.Bytes, read.Mode, read.Preflight = true, 9, "include", true
	for _, c := range []struct {
		ps   []finding.Proof
		want string
	}{
		{nil, ""},
		{[]finding.Proof{blocked}, "not read in Chromium 120: a page on http://127.0.0.1:1 could not read the response (tried include)"},
		{[]finding.Proof{blocked, read}, "proven in Chromium 120: a page on http://127.0.0.1:1 read 9 bytes (credentials: include, after a preflight; certificate presented by proxy)"},
	} {
		if got := report.ProofLine(c.ps); got != c.want {
			t.Errorf("ProofLine = %q, want %q", got, c.want)
		}
	}
}
