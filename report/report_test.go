package report_test

import (
	"github.com/crossgate/crossgate/report"
	_ "github.com/crossgate/crossgate/rules"

	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/crossgate/crossgate/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sampleScan is a fixed report exercising every field the text and JSON views print.
func sampleScan() *report.Report {
	f := finding.New("cors-wildcard-on-mtls")
	f.URL = "https://127.0.0.1:8443/api/profile"
	f.Detail = "Access-Control-Allow-Origin: * on the authenticated response; the endpoint requires a client certificate at TLS level."
	f.SetSeverity(finding.Critical, "Chromium presents the client certificate on non-credentialed requests, so any page can read this response there, and it carries an email address and a phone number; Firefox sends no certificate and is not affected.")
	f.Evidence = finding.Evidence{
		Request:  "GET /api/profile HTTP/1.1\nHost: 127.0.0.1:8443\nOrigin: https://evil.example\n(client certificate: user)",
		Response: "HTTP/1.1 200 OK\nAccess-Control-Allow-Origin: *\nContent-Type: application/json\n\n{\"email\":\"ali…(17 chars, sha256:0a1b2c3d)\"}",
		Curl:     "curl -sS -i --cert CLIENT_CERT.pem --key CLIENT_KEY.pem --cacert SERVER_CA.pem -H 'Origin: https://evil.example' https://127.0.0.1:8443/api/profile",
	}
	f.Remediation = "CORS_ALLOW_ALL_ORIGINS = False\nCORS_ALLOWED_ORIGINS = [\"https://app.example.com\"]"
	f.Proof = sampleProofs()
	f.Seal("")
	g := finding.New("mtls-ca-list-disclosure")
	g.URL = "https://127.0.0.1:8443/api/profile"
	g.Detail = "The CertificateRequest names 1 acceptable CA: CN=Internal Client CA,O=Example."
	g.Remediation = "Acceptable; the CA names are public knowledge for most deployments."
	g.Seal("")
	r := &report.Report{Version: "test", Command: "scan", Targets: []report.Target{{
		URL: "https://127.0.0.1:8443/api/profile", Auth: "required-tls", TLSVersion: "TLS 1.3",
		AuthReason: "the handshake without a certificate ended with TLS alert 116 (certificate required) on the first read",
		Stack:      "django", Requests: 31, Findings: 2,
	}, {URL: "https://127.0.0.1:1/", Error: "cannot connect: connection refused"}},
		Findings: []finding.Finding{g, f}}
	r.Finalize()
	return r
}

// sampleProofs are what --prove records for a wildcard on an mTLS endpoint in Chromium.
func sampleProofs() []finding.Proof {
	var ps []finding.Proof
	for _, mode := range []string{"omit", "same-origin", "include"} {
		for _, pre := range []bool{false, true} {
			p := finding.Proof{Browser: "chromium", Version: "156.0.8078.129", PageOrigin: "https://crossgate-attacker.test:40123",
				Mode: mode, Preflight: pre, CertPresented: "policy"}
			if mode == "include" {
				p.Error = "blocked by CORS: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."
			} else {
				p.Read, p.Status, p.Bytes, p.Excerpt = true, 200, 108, `{"email":"ali…(17 chars, sha256:0a1b2c3d)"}`
			}
			ps = append(ps, p)
		}
	}
	return ps
}

func sampleAudit() *report.Report {
	f := finding.New("django-cors-allow-all-credentials")
	f.File, f.Line, f.Column, f.Settings = "mysite/settings.py", 41, 1, "mysite.settings"
	f.Detail = "CORS_ALLOW_ALL_ORIGINS = True with CORS_ALLOW_CREDENTIALS = True: django-cors-headers reflects every Origin, null included, with credentials."
	f.Evidence.Snippet = "41 | CORS_ALLOW_ALL_ORIGINS = True"
	f.Remediation = "CORS_ALLOW_ALL_ORIGINS = False"
	f.Seal("")
	r := &report.Report{Version: "test", Command: "audit", Targets: []report.Target{{Path: "seedlike", Files: 7, Settings: []string{"mysite.settings"}, Findings: 1}}, Findings: []finding.Finding{f}}
	r.Finalize()
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file (go test ./report -update rewrites it on purpose):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestTextGolden(t *testing.T) {
	for name, r := range map[string]*report.Report{"scan.txt": sampleScan(), "audit.txt": sampleAudit()} {
		var b bytes.Buffer
		if err := report.WriteText(&b, r, report.TextOptions{}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "\x1b[") {
			t.Errorf("%s: colour codes without Color", name)
		}
		golden(t, name, b.Bytes())
	}
}

// The proof line names browser, page origin and bytes; verbose adds why each attempt failed.
func TestTextProofLine(t *testing.T) {
	var b bytes.Buffer
	_ = report.WriteText(&b, sampleScan(), report.TextOptions{})
	s := b.String()
	for _, want := range []string{
		"proof:     proven in Chromium 156: a page on https://crossgate-attacker.test:40123 read 108 bytes (HTTP 200, credentials mode omit); certificate auto-selected by the browser",
		"read in:   omit (HTTP 200, 108 bytes), omit+preflight (HTTP 200, 108 bytes), same-origin",
		"blocked:   include, include+preflight",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("text report lacks %q:\n%s", want, s)
		}
	}
	b.Reset()
	_ = report.WriteText(&b, sampleScan(), report.TextOptions{Verbose: true})
	if !strings.Contains(b.String(), "include: blocked by CORS: The value of") || !strings.Contains(b.String(), "page read: {\"email\":\"ali…") {
		t.Errorf("verbose text lacks the blocking reason or the excerpt:\n%s", b.String())
	}
}

func TestTextColourOnlyWhenAsked(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteText(&b, sampleScan(), report.TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\x1b[1;35m") {
		t.Fatal("no colour for critical with Color on")
	}
}

func TestTextGroupsWorstFirst(t *testing.T) {
	var b bytes.Buffer
	_ = report.WriteText(&b, sampleScan(), report.TextOptions{})
	s := b.String()
	crit, info := strings.Index(s, "== CRITICAL (1) =="), strings.Index(s, "== INFO (1) ==")
	if crit < 0 || info < 0 || crit > info {
		t.Fatalf("groups missing or out of order:\n%s", s)
	}
	if !strings.Contains(s, "summary: 2 findings (1 critical, 0 high, 0 medium, 0 low, 1 info) across 2 targets, 1 failed; 31 requests") {
		t.Fatalf("summary line wrong:\n%s", s)
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(report.Schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("report.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("report.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJSONGoldenAndSchema(t *testing.T) {
	s := compileSchema(t)
	for name, r := range map[string]*report.Report{"scan.json": sampleScan(), "audit.json": sampleAudit()} {
		var b bytes.Buffer
		if err := report.WriteJSON(&b, r); err != nil {
			t.Fatal(err)
		}
		golden(t, name, b.Bytes())
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(v); err != nil {
			t.Errorf("%s does not validate against schema.json: %v", name, err)
		}
	}
}

// The schema must reject output that breaks the rules.md contract, or it checks nothing.
func TestSchemaRejectsContractBreaks(t *testing.T) {
	s := compileSchema(t)
	var base map[string]any
	var b bytes.Buffer
	_ = report.WriteJSON(&b, sampleScan())
	for name, mutate := range map[string]func(f map[string]any){
		"no rule":          func(f map[string]any) { delete(f, "rule") },
		"bad severity":     func(f map[string]any) { f["severity"] = "severe" },
		"cwe not array":    func(f map[string]any) { f["cwe"] = "CWE-942" },
		"no location":      func(f map[string]any) { delete(f, "url") },
		"no remediation":   func(f map[string]any) { delete(f, "remediation") },
		"evidence unknown": func(f map[string]any) { f["evidence"] = map[string]any{"secret": "x"} },
		"proof bad mode":   func(f map[string]any) { f["proof"].([]any)[0].(map[string]any)["mode"] = "cors" },
		"proof no read":    func(f map[string]any) { delete(f["proof"].([]any)[0].(map[string]any), "read") },
		"proof not a list": func(f map[string]any) { f["proof"] = map[string]any{"read": true} },
	} {
		if err := json.Unmarshal(b.Bytes(), &base); err != nil {
			t.Fatal(err)
		}
		mutate(base["findings"].([]any)[0].(map[string]any))
		raw, _ := json.Marshal(base)
		v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err := s.Validate(v); err == nil {
			t.Errorf("%s: schema accepted a broken finding", name)
		}
	}
}
