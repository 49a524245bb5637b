package main

import (
	"crypto/tls"
	"fmt"
	"html"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/internal/pki"
)

// Secrets a careless server hands out, each in a format its detector knows or in a place
// (a session cookie, a log line) where the scan knows it is one.
const (
	leakGitHub  = "ghp_LeakQ7XQ7XQ7XQ7XQ7XQ7XQ7XQ7XQ7XQ7XQ7"
	leakAWS     = "AKIAQ3EGRXKZ7V5DLEAK"
	leakSession = "s3ssionLeakQ7XQ7XQ7XQ7XQ7XQ7XQ7"
	leakDBPass  = "Db-Leak-Pa55word-Q7X"
	leakDjango  = "django-insecure-leak#v!2m@x$w9q&z1p*e7r(t-u_y=h+j3n)"
)

// The user's own credentials: never printed, --show-secrets or not.
const (
	userBearer = "UserBearerQ7XQ7XQ7XQ7XQ7XQ7XQ7"
	userHeader = "UserTeamHeaderQ7XQ7XQ7XQ7"
	userQuery  = "UserQueryTokenQ7XQ7XQ7XQ7"
)

// leakyServer answers as a badly configured Django API behind optional mTLS: CORS reflecting
// any origin with credentials, a session cookie without flags, secrets in the JSON body, and
// a served .env and debug.log. Every scan rule family has something to report.
func leakyServer(t *testing.T) (url, cert, key, ca string) {
	dir := t.TempDir()
	sca, cca := pki.NewCA("server CA"), pki.NewCA("client CA")
	alice := cca.Client("alice", "Example")
	ca, _ = sca.WriteFile(dir, "server-ca")
	cert, key, _ = alice.WriteFiles(dir, "alice")
	files := map[string]string{
		"/.env": "DEBUG=False\nSECRET_KEY=" + leakDjango + "\nDATABASE_URL=postgres://shop:" + leakDBPass + "@db.internal:5432/shop\nGITHUB_TOKEN=" + leakGitHub + "\n",
		"/debug.log": "2026-12-01 10:00:01,123 INFO django.request GET /api/profile Cookie: sessionid=" + leakSession + "\n" +
			"2026-12-01 10:00:02,456 WARNING django.security sessionid=" + leakSession + " rejected\n" +
			"2026-12-01 10:00:03,789 ERROR django.request Internal Server Error: /api/orders\n",
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Vary", "Origin")
		}
		if body, ok := files[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "application/octet-stream")
			io.WriteString(w, body)
			return
		}
		if r.URL.Path != "/api/profile" {
			http.NotFound(w, r)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: leakSession, Path: "/"})
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"user":"alice","email":"alice.liddell@acme-health.net","deploy_key":%q,"aws_access_key_id":%q}`, leakGitHub, leakAWS)
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{sca.Server().TLS}, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: cca.Pool()}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts.URL + "/api/profile?token=" + userQuery + "&page=1", cert, key, ca
}

// TestScanPrintsNoSecret runs one scan of a server that leaks in every way the scan families
// report, in every output format (text, -v, JSON, SARIF, HTML), and checks that no server secret appears without
// --show-secrets and no credential of the user's ever does.
func TestScanPrintsNoSecret(t *testing.T) {
	url, cert, key, ca := leakyServer(t)
	base := []string{"scan", "--cert", cert, "--key", key, "--cacert", ca, "--rate", "1000", "--fail-on", "none",
		"-H", "Authorization: Bearer " + userBearer, "-H", "X-Team: " + userHeader, url}
	server := []string{leakGitHub, leakAWS, leakSession, leakDBPass, leakDjango}
	user := []string{userBearer, userHeader, userQuery}
	rules := map[string]bool{}
	for _, show := range []bool{false, true} {
		shownServer := false
		for _, view := range [][]string{{"--format", "text"}, {"--format", "text", "-v"}, {"--format", "json"}, {"--format", "sarif"}, {"--format", "html"}} {
			args := append(append([]string{}, base[:1]...), view...)
			if show {
				args = append(args, "--show-secrets")
			}
			args = append(args, base[1:]...)
			code, out, stderr := runCLI(t, args...)
			if code != exitOK {
				t.Fatalf("%v: exit %d\n%s", view, code, stderr)
			}
			if view[1] == "html" {
				out = html.UnescapeString(out) // html/template spells some characters as entities
			}
			for _, s := range user {
				if strings.Contains(out+stderr, s) {
					t.Errorf("show-secrets=%v %v: the user's credential %s is printed", show, view, s)
				}
			}
			for _, s := range server {
				if strings.Contains(out+stderr, s) {
					if !show {
						i := strings.Index(out, s)
						t.Errorf("%v: server secret %s is printed: …%s…", view, s, out[max(0, i-200):min(len(out), i+len(s)+20)])
					}
					shownServer = true
				}
			}
			if view[1] == "json" {
				for _, r := range []string{"exposed-env-file", "exposed-log-file", "cors-reflect-origin-credentials", "secret-in-response", "cookie-insecure", "mtls-optional-not-enforced", "cleartext-credentials"} {
					if strings.Contains(out, `"rule": "`+r+`"`) {
						rules[r] = true
					}
				}
			}
		}
		if show && !shownServer {
			t.Errorf("--show-secrets printed none of the server's secrets: the test does not reach the evidence")
		}
	}
	if len(rules) < 6 {
		t.Errorf("the leaky server triggered only %v", rules)
	}
}
