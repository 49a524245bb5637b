package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/internal/pki"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

type fixture struct {
	dir                       string
	serverCA                  string
	cert, key, otherKey, both string
	url                       string
}

// newFixture writes a minted PKI to a temp dir and starts an mTLS API with the seed's mistake.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	sca, cca := pki.NewCA("server CA"), pki.NewCA("client CA")
	alice, bob := cca.Client("alice", "Example"), cca.Client("bob", "Example")
	f := &fixture{dir: dir}
	var err error
	if f.serverCA, err = sca.WriteFile(dir, "server-ca"); err != nil {
		t.Fatal(err)
	}
	if f.cert, f.key, err = alice.WriteFiles(dir, "alice"); err != nil {
		t.Fatal(err)
	}
	_, f.otherKey, _ = bob.WriteFiles(dir, "bob")
	f.both = filepath.Join(dir, "alice-both.pem")
	os.WriteFile(f.both, append(append([]byte(nil), alice.CertPEM...), alice.KeyPEM...), 0o600)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"user":"alice","email":"alice.liddell@acme-health.net","phone":"+1 415 555 0134"}`)
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{sca.Server().TLS}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: cca.Pool()}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	f.url = ts.URL + "/api/profile"
	return f
}

func TestUsageErrors(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "Usage:"},
		{"unknown command", []string{"frobnicate"}, `error: unknown command "frobnicate"`},
		{"no target", []string{"scan"}, "error: no target URL given"},
		{"bad url", []string{"scan", "ftp://x/"}, "scheme must be https or http"},
		{"relative url", []string{"scan", "api.example.com"}, "bad target URL"},
		{"missing key file", []string{"scan", "--cert", f.cert, "--key", filepath.Join(f.dir, "nope.key"), f.url}, "error: cannot read client key"},
		{"missing cert file", []string{"scan", "--cert", filepath.Join(f.dir, "nope.crt"), f.url}, "error: cannot read client certificate"},
		{"cert without key", []string{"scan", "--cert", f.cert, f.url}, "hint: pass the key with --key, or give a PEM that holds both"},
		{"mismatch", []string{"scan", "--cert", f.cert, "--key", f.otherKey, f.url}, "do not match"},
		{"bad format", []string{"scan", "--format", "xml", f.url}, `unknown --format "xml"`},
		{"bad fail-on", []string{"scan", "--fail-on", "severe", f.url}, "--fail-on"},
		{"bad header", []string{"scan", "-H", "NoColon", f.url}, "bad -H value (number 1 of 1): no colon"},
		{"bad header name", []string{"scan", "-H", "Bearer tok=: x", f.url}, "not a header name"},
		{"header line break", []string{"scan", "-H", "X-Api-Key: a\nb", f.url}, "bad -H X-Api-Key: its value holds a line break"},
		{"bad origin", []string{"scan", "--origin", "https://app.example.com/path", f.url}, "bad --origin"},
		{"bad identity", []string{"scan", "--identity", "bob", f.url}, "bad --identity"},
		{"bad cacert", []string{"scan", "--cacert", f.key, f.url}, "holds no PEM certificate"},
		{"unknown flag", []string{"scan", "--frob", f.url}, "flag provided but not defined"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, c.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, stderr)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
				t.Errorf("stderr shows a panic:\n%s", stderr)
			}
			// A -H value is usually a credential: no error may echo it.
			for i, a := range c.args {
				if i > 0 && c.args[i-1] == "-H" {
					if _, v, _ := strings.Cut(a, ":"); v != "" && strings.Contains(stderr, strings.TrimSpace(v)) || strings.Contains(stderr, "NoColon") {
						t.Errorf("stderr echoes the -H value %q:\n%s", a, stderr)
					}
				}
			}
		})
	}
}

func TestHelpTeaches(t *testing.T) {
	for _, cmd := range []string{"scan", "demo"} {
		code, out, _ := runCLI(t, cmd, "--help")
		if code != exitOK || !strings.Contains(out, "Usage: crossgate "+cmd) {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, out)
		}
	}
	_, out, _ := runCLI(t, "scan", "--help")
	for _, flag := range []string{"--cert", "--key", "--cert-pass", "--cacert", "--insecure", "--identity", "-H", "--origin", "--format", "-o, --output FILE", "--fail-on", "--timeout", "--concurrency", "--rate", "-i, --input FILE", "Exit codes"} {
		if !strings.Contains(out, flag) {
			t.Errorf("scan --help does not mention %s", flag)
		}
	}
	if code, out, _ := runCLI(t, "version"); code != 0 || !strings.HasPrefix(out, "crossgate ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestScanFindsSeedMistakeAndExitCodes(t *testing.T) {
	f := newFixture(t)
	args := []string{"scan", "--cert", f.cert, "--key", f.key, "--cacert", f.serverCA, "--rate", "1000", f.url}
	code, out, stderr := runCLI(t, args...)
	if code != exitFindings || !strings.Contains(out, "cors-wildcard-on-mtls") {
		t.Fatalf("exit %d, stderr %s\n%s", code, stderr, out)
	}
	// The same scan passes when the threshold is above what was found.
	if code, _, _ := runCLI(t, append([]string{"scan", "--fail-on", "none"}, args[1:]...)...); code != exitOK {
		t.Fatalf("--fail-on none: exit %d", code)
	}
	// One PEM holding both certificate and key works as --cert alone; flags after the URL too.
	code, out, _ = runCLI(t, "scan", f.url, "--cert", f.both, "--cacert", f.serverCA, "--format", "json", "--rate", "1000")
	if code != exitFindings {
		t.Fatalf("combined PEM: exit %d", code)
	}
	var rep struct {
		Findings []struct{ Rule, Severity string } `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	if strings.Contains(out, "alice.liddell@acme-health.net") || strings.Contains(out, "555 0134") {
		t.Fatal("unredacted PII in JSON output")
	}
	found := false
	for _, fd := range rep.Findings {
		found = found || fd.Rule == "cors-wildcard-on-mtls"
	}
	if !found {
		t.Fatalf("json lacks cors-wildcard-on-mtls: %s", out)
	}
	// -o writes the file and tells stderr.
	outFile := filepath.Join(f.dir, "r.json")
	code, _, stderr = runCLI(t, append([]string{"scan", "--format", "json", "-o", outFile}, args[1:]...)...)
	if b, err := os.ReadFile(outFile); err != nil || code != exitFindings || !json.Valid(b) || !strings.Contains(stderr, "wrote json report") {
		t.Fatalf("-o: exit %d err %v stderr %s", code, err, stderr)
	}
}

func TestUnreachableHostExits3(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	code, _, stderr := runCLI(t, "scan", "--timeout", "2s", "https://"+addr+"/")
	if code != exitNoTarget || !strings.Contains(stderr, "connection refused") {
		t.Fatalf("exit %d stderr:\n%s", code, stderr)
	}
}

func TestTargetsFromFile(t *testing.T) {
	f := newFixture(t)
	list := filepath.Join(f.dir, "targets.txt")
	os.WriteFile(list, []byte("# targets\n\n"+f.url+"\n"), 0o644)
	code, out, stderr := runCLI(t, "scan", "-i", list, "--cert", f.cert, "--key", f.key, "--cacert", f.serverCA, "--rate", "1000")
	if code != exitFindings || !strings.Contains(out, f.url) {
		t.Fatalf("exit %d stderr %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "scan", "-i", filepath.Join(f.dir, "none.txt")); code != exitUsage || !strings.Contains(stderr, "cannot read target list") {
		t.Fatalf("missing list: %d %s", code, stderr)
	}
}

func TestDemoRunsClean(t *testing.T) {
	code, out, stderr := runCLI(t, "demo")
	if code != exitOK {
		t.Fatalf("demo exit %d\nstderr: %s\n%s", code, stderr, out)
	}
	for _, want := range []string{"Step 1", "cors-wildcard-on-mtls", "Step 2", "scans clean"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}

// Credentials the user passes (a -H token, a password in the URL) never reach a report.
func TestUserCredentialsAreRedacted(t *testing.T) {
	f := newFixture(t)
	u := strings.Replace(f.url, "https://", "https://bob:Hunter2Secret@", 1) + "?access_token=QQtok3nVALUE999&jwt=eyJJWTSECRET6&page=2"
	for _, format := range []string{"json", "text", "sarif"} {
		_, out, stderr := runCLI(t, "scan", "--cert", f.cert, "--key", f.key, "--cacert", f.serverCA, "--rate", "1000", "-v",
			"-H", "Authorization: Bearer SuperSecretToken123456789", "-H", "Private-Token: GLPATSECRET1",
			"-H", "X-Custom-Thing: USERHEADERSECRET", "--format", format, u)
		if !strings.Contains(out, "page=2") {
			t.Errorf("%s output lost the harmless query parameter", format)
		}
		for _, secret := range []string{"Hunter2Secret", "SuperSecretToken123456789", "QQtok3nVALUE999", "eyJJWTSECRET6", "GLPATSECRET1", "USERHEADERSECRET"} {
			if strings.Contains(out, secret) || strings.Contains(stderr, secret) {
				t.Errorf("%s output shows %q", format, secret)
			}
		}
	}
}

func TestMoreInputValidation(t *testing.T) {
	f := newFixture(t)
	list := filepath.Join(f.dir, "bad-list.txt")
	os.WriteFile(list, []byte(f.url+" # the API\nftp://nope/\n"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"header with CRLF", []string{"scan", "-H", "X: a\r\nB: c", f.url}, "line break"},
		{"rate NaN", []string{"scan", "--rate", "NaN", f.url}, "--rate must be"},
		{"rate tiny", []string{"scan", "--rate", "1e-300", f.url}, "--rate must be"},
		{"output dir missing", []string{"scan", "-o", filepath.Join(f.dir, "no", "such", "r.json"), f.url}, "cannot write the report"},
		{"list line number", []string{"scan", "-i", list}, "bad-list.txt:2:"},
		{"identity without key", []string{"scan", "--identity", "bob=" + f.cert, f.url}, "--identity NAME=CERT,KEY"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, c.args...)
			if code != exitUsage || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr lacks %q:\n%s", code, c.want, stderr)
			}
		})
	}
}

func TestWarnsWhenProtectedContentIsNotReached(t *testing.T) {
	f := newFixture(t)
	code, out, stderr := runCLI(t, "scan", "--cacert", f.serverCA, "--rate", "1000", f.url)
	if !strings.Contains(stderr, "warning: "+f.url+": the endpoint requires a client certificate and none was given") || !strings.Contains(out, "warning:") {
		t.Fatalf("exit %d; no coverage warning:\n%s\n%s", code, stderr, out)
	}
}

func TestInterruptedScanSaysSo(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	code := run(ctx, []string{"scan", "--cert", f.cert, "--key", f.key, "--cacert", f.serverCA, "--format", "json", f.url}, &o, &e)
	if code != exitInterrupted || !strings.Contains(e.String(), "interrupted") || !strings.Contains(o.String(), `"interrupted": true`) {
		t.Fatalf("exit %d\nstderr %s\nstdout %s", code, e.String(), o.String())
	}
}
