package main

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/internal/pki"
)

// seedServers starts n copies of the seed's mistake (mTLS required, ACAO *, personal data),
// each on its own port, with one PKI; it returns their URLs and the scan flags that reach them.
func seedServers(t *testing.T, n int) (urls []string, flags []string) {
	t.Helper()
	dir := t.TempDir()
	sca, cca := pki.NewCA("server CA"), pki.NewCA("client CA")
	alice := cca.Client("alice", "Example")
	caFile, err := sca.WriteFile(dir, "server-ca")
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := alice.WriteFiles(dir, "alice")
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"user":"alice","email":"alice.liddell@acme-health.net","phone":"+1 415 555 0134"}`)
		}))
		ts.TLS = &tls.Config{Certificates: []tls.Certificate{sca.Server().TLS}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: cca.Pool()}
		ts.Config.ErrorLog = log.New(io.Discard, "", 0)
		ts.StartTLS()
		t.Cleanup(ts.Close)
		urls = append(urls, ts.URL+"/api/profile")
	}
	return urls, []string{"--cert", cert, "--key", key, "--cacert", caFile, "--rate", "1000"}
}

// The service moves to another port between two runs: nothing is new, so the gate passes,
// though the findings are critical; without the baseline the same run fails.
func TestScanBaselineSurvivesAPortChange(t *testing.T) {
	urls, flags := seedServers(t, 2)
	dir := t.TempDir()
	before := filepath.Join(dir, "before.json")
	code, _, stderr := runCLI(t, append(append([]string{"scan", "--format", "json", "-o", before}, flags...), urls[0])...)
	if code != exitFindings {
		t.Fatalf("first scan: exit %d\n%s", code, stderr)
	}
	code, out, stderr := runCLI(t, append(append([]string{"scan", "--baseline", before}, flags...), urls[1])...)
	if code != exitOK || !strings.Contains(out, "compared with "+before+": 0 new (above)") || strings.Contains(out, "== CRITICAL") {
		t.Fatalf("scan on another port with --baseline: exit %d, stderr %s\n%s", code, stderr, out)
	}
	// JSON keeps the findings found again in the baseline section, for the next comparison.
	after := filepath.Join(dir, "after.json")
	if code, _, stderr = runCLI(t, append(append([]string{"scan", "--format", "json", "-o", after, "--baseline", before}, flags...), urls[1])...); code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var rep struct {
		Findings []any `json:"findings"`
		Baseline struct {
			Unchanged []struct{ Rule string } `json:"unchanged"`
		} `json:"baseline"`
	}
	b, _ := os.ReadFile(after)
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Findings) != 0 || len(rep.Baseline.Unchanged) == 0 {
		t.Fatalf("baseline JSON: %v %+v", err, rep)
	}
	// diff of the two full reports: nothing new, nothing fixed.
	full := filepath.Join(dir, "full.json")
	runCLI(t, append(append([]string{"scan", "--format", "json", "-o", full}, flags...), urls[1])...)
	code, out, _ = runCLI(t, "diff", before, full)
	if code != exitOK || !strings.Contains(out, "summary: 0 new, 0 fixed, ") {
		t.Fatalf("diff across ports: exit %d\n%s", code, out)
	}
}

func TestScanHTMLReport(t *testing.T) {
	urls, flags := seedServers(t, 1)
	out := filepath.Join(t.TempDir(), "report.html")
	code, _, stderr := runCLI(t, append(append([]string{"scan", "--format", "html", "-o", out}, flags...), urls[0])...)
	if code != exitFindings || !strings.Contains(stderr, "wrote html report") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if !strings.Contains(page, "Content-Security-Policy") || !strings.Contains(page, "cors-wildcard-on-mtls") || !strings.Contains(page, `class="grade grade-D"`) {
		t.Errorf("HTML report lacks its policy, the finding or the grade")
	}
	if strings.Contains(page, "alice.liddell@acme-health.net") || strings.Contains(page, "555 0134") {
		t.Error("personal data unredacted in the HTML report")
	}
}

func TestAuditBaselineAndDiff(t *testing.T) {
	dir := t.TempDir()
	seed, none := filepath.Join(dir, "seed.json"), filepath.Join(dir, "clean.json")
	if code, _, stderr := runAuditCLI(t, "--format", "json", "-o", seed, seedlike); code != exitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runAuditCLI(t, "--format", "json", "-o", none, clean); code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	// Auditing the same tree against its own report: nothing new, exit 0.
	code, out, _ := runAuditCLI(t, "--baseline", seed, seedlike)
	if code != exitOK || !strings.Contains(out, "summary: 0 new findings") {
		t.Fatalf("same tree: exit %d\n%s", code, out)
	}
	// The fixed tree against the seed's report: everything fixed, exit 0.
	code, out, _ = runAuditCLI(t, "--baseline", seed, clean)
	if code != exitOK || !strings.Contains(out, "fixed since then:\n  [CRITICAL] ") {
		t.Fatalf("fixed tree: exit %d\n%s", code, out)
	}
	// The seed's tree against the clean report: new criticals fail the gate.
	if code, _, _ = runAuditCLI(t, "--baseline", none, seedlike); code != exitFindings {
		t.Fatalf("new findings: exit %d", code)
	}
	for _, c := range []struct {
		args []string
		want int
		out  string
	}{
		{[]string{"diff", seed, none}, exitOK, "Fixed ("},
		{[]string{"diff", none, seed}, exitFindings, "New ("},
		{[]string{"diff", "--fail-on", "none", none, seed}, exitOK, "New ("},
		{[]string{"diff", "--format", "json", seed, seed}, exitOK, `"new": 0`},
	} {
		code, out, stderr := runCLI(t, c.args...)
		if code != c.want || !strings.Contains(out, c.out) {
			t.Errorf("%q: exit %d (want %d), stderr %s\n%s", c.args, code, c.want, stderr, out)
		}
	}
}

func TestBaselineAndDiffInputErrors(t *testing.T) {
	dir := t.TempDir()
	sarif, audit, scanRep := filepath.Join(dir, "a.sarif"), filepath.Join(dir, "audit.json"), filepath.Join(dir, "scan.json")
	runAuditCLI(t, "--format", "sarif", "-o", sarif, clean)
	runAuditCLI(t, "--format", "json", "-o", audit, clean)
	os.WriteFile(scanRep, []byte(`{"tool":"crossgate","command":"scan","targets":[],"findings":[],"summary":{}}`), 0o644)
	for _, c := range []struct {
		args      []string
		err, hint string
	}{
		{[]string{"diff", audit}, "error: crossgate diff takes two reports, got 1", "hint: crossgate diff OLD.json NEW.json"},
		{[]string{"diff", audit, filepath.Join(dir, "missing.json")}, "error: cannot read report " + filepath.Join(dir, "missing.json") + ": no such file or directory", "hint: give a file written by --format json"},
		{[]string{"diff", sarif, audit}, "error: " + sarif + ": a SARIF log, not a crossgate JSON report", "hint: baselines and diff read the JSON report"},
		{[]string{"diff", audit, scanRep}, "error: the earlier report is from crossgate audit and this one from crossgate scan", "hint: compare two scan reports or two audit reports"},
		{[]string{"diff", "--format", "sarif", audit, audit}, `error: unknown --format "sarif"`, "hint: use text or json"},
		{[]string{"audit", "--baseline", sarif, clean}, "error: " + sarif + ": a SARIF log", "hint: baselines and diff read the JSON report"},
		{[]string{"audit", "--baseline", scanRep, clean}, "error: --baseline " + scanRep + ": the earlier report is from crossgate scan", "hint: give a report of the same command"},
		{[]string{"scan", "--baseline", filepath.Join(dir, "nope.json"), "https://127.0.0.1:1/"}, "error: cannot read report", "hint: give a file written by --format json"},
	} {
		code, stdout, stderr := runCLI(t, c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.err) || !strings.Contains(stderr, c.hint) || stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s", c.args, code, stdout, stderr)
		}
	}
}
