package exposurecheck

import (
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/remedy"
	"github.com/crossgate/crossgate/scan/endpoint"
)

func TestDjangoDebugPage(t *testing.T) {
	srv := startTLS(t, tls.VerifyClientCertIfGiven, djangoDebug)
	env := newEnv(t, srv.URL+"/api/profile", envOpts{})
	env.Facts.Stack = remedy.DjangoStack
	fs := runChecks(t, env)
	got := byRule(fs)
	if len(got["error-debug-page"]) != 1 {
		t.Fatalf("want one error-debug-page, got %v", rules(fs))
	}
	f := got["error-debug-page"][0]
	// The plain-text page carries an unmasked database URL: it is the strongest evidence
	// and raises the finding one step.
	if f.Severity != finding.High {
		t.Errorf("severity %s, want high (secret in the page): %s", f.Severity, f.SeverityReason)
	}
	for _, want := range []string{"Django", "plain text", "settings", "request META", "database URL with password", "DEBUG = True"} {
		if !strings.Contains(f.Detail, want) {
			t.Errorf("detail misses %q: %s", want, f.Detail)
		}
	}
	if !strings.Contains(f.Evidence.Request, "Accept: application/json") {
		t.Errorf("proof should be the plain-text page for a JSON client:\n%s", f.Evidence.Request)
	}
	if len(got["error-stack-trace"]) != 0 {
		t.Errorf("the traceback is part of the debug page, not a second finding: %v", rules(fs))
	}
	for _, r := range []string{"exposed-env-file", "exposed-log-file", "exposed-vcs-metadata", "exposed-backup-file", "pii-in-response", "secret-in-response"} {
		if len(got[r]) != 0 {
			t.Errorf("unexpected %s: %v", r, rules(fs))
		}
	}
	assertNoLeak(t, fs, dbPassword, dbURL)
}

func TestDisallowedHostProbe(t *testing.T) {
	srv := startTLS(t, tls.VerifyClientCertIfGiven, disallowedOnly)
	fs := runChecks(t, newEnv(t, srv.URL+"/api/profile", envOpts{}))
	got := byRule(fs)["error-debug-page"]
	if len(got) != 1 {
		t.Fatalf("want one error-debug-page from the invalid-Host probe, got %v", rules(fs))
	}
	f := got[0]
	if !strings.Contains(f.Detail, "DisallowedHost") || !strings.Contains(f.Detail, "Host: "+invalidHost) {
		t.Errorf("detail should name the DisallowedHost page and the probe: %s", f.Detail)
	}
	if !strings.Contains(f.Evidence.Request, "Host: "+invalidHost) || !strings.Contains(f.Evidence.Curl, "Host: "+invalidHost) {
		t.Errorf("evidence should reproduce the Host header:\n%s\n%s", f.Evidence.Request, f.Evidence.Curl)
	}
	assertNoLeak(t, fs, dbPassword, dbURL)
}

func TestDjangoHTMLOnlyDebug(t *testing.T) {
	// Only the HTML technical 404: the base severity stands, still one finding.
	srv := startTLS(t, tls.NoClientCert, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			writeJSON(w, map[string]string{"ok": "yes"})
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, djangoTech404)
	})
	fs := runChecks(t, newEnv(t, srv.URL+"/", envOpts{}))
	got := byRule(fs)
	if len(got["error-debug-page"]) != 1 || got["error-debug-page"][0].Severity != finding.Medium {
		t.Fatalf("want one medium error-debug-page, got %v", rules(fs))
	}
	if d := got["error-debug-page"][0].Detail; !strings.Contains(d, "technical 404") || !strings.Contains(d, "URL patterns") {
		t.Errorf("detail: %s", d)
	}
}

func TestStackTraceInBaseline(t *testing.T) {
	trace := "Traceback (most recent call last):\n  File \"/srv/app/api/views.py\", line 41, in get\n    return Response(self.load())\nKeyError: 'tenant'\n"
	srv := startTLS(t, tls.NoClientCert, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/orders" {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, trace)
			return
		}
		http.NotFound(w, r)
	})
	fs := runChecks(t, newEnv(t, srv.URL+"/api/orders", envOpts{}))
	got := byRule(fs)
	if len(got["error-stack-trace"]) != 1 || len(got["error-debug-page"]) != 0 {
		t.Fatalf("want exactly one error-stack-trace, got %v", rules(fs))
	}
	if d := got["error-stack-trace"][0].Detail; !strings.Contains(d, "Python traceback") || !strings.Contains(d, "internal file paths") {
		t.Errorf("detail: %s", d)
	}
}

var servedFiles = map[string]struct{ ct, body string }{
	"/.env": {"application/octet-stream", "# production\nDEBUG=False\nSECRET_KEY=" + djangoKey + "\nDATABASE_URL=" + dbURL + "\nALLOWED_HOSTS=shop.example\n"},
	"/debug.log": {"application/octet-stream", "INFO:django.server:\"GET /api/profile HTTP/1.1\" 200 512\n" +
		"2026-12-01 10:00:01,123 WARNING django.request Not Found: /favicon.ico\n" +
		"2026-12-01 10:00:02,456 ERROR django.request Internal Server Error: /api/orders\n"},
	"/api/.git/HEAD": {"application/octet-stream", "ref: refs/heads/main\n"},
	"/db.sqlite3":    {"application/octet-stream", "SQLite format 3\x00\x10\x00\x01\x01\x00\x40\x20\x20" + strings.Repeat("\x00", 80) + "CREATE TABLE \"django_session\" (\"session_key\" varchar(40))"},
}

func TestExposedFiles(t *testing.T) {
	srv := startTLS(t, tls.VerifyClientCertIfGiven, func(w http.ResponseWriter, r *http.Request) {
		if f, ok := servedFiles[r.URL.Path]; ok {
			w.Header().Set("Content-Type", f.ct)
			_, _ = io.WriteString(w, f.body)
			return
		}
		if r.URL.Path == "/api/profile" {
			writeJSON(w, map[string]string{"status": "ok"})
			return
		}
		http.NotFound(w, r)
	})
	env := newEnv(t, srv.URL+"/api/profile", envOpts{})
	fs := runChecks(t, env)
	got := byRule(fs)
	want := map[string]struct {
		n    int
		sev  finding.Severity
		path string
	}{
		"exposed-env-file":     {1, finding.Critical, "/.env"},
		"exposed-log-file":     {1, finding.Medium, "/debug.log"},
		"exposed-vcs-metadata": {1, finding.High, "/api/.git/HEAD"},
		"exposed-backup-file":  {1, finding.High, "/db.sqlite3"},
	}
	for r, w := range want {
		if len(got[r]) != w.n {
			t.Errorf("%s: %d findings, want %d (%v)", r, len(got[r]), w.n, rules(fs))
			continue
		}
		f := got[r][0]
		if f.Severity != w.sev {
			t.Errorf("%s: severity %s, want %s (%s)", r, f.Severity, w.sev, f.SeverityReason)
		}
		if !strings.HasPrefix(f.Detail, w.path+" is served") {
			t.Errorf("%s: detail %q should name %s", r, f.Detail, w.path)
		}
	}
	if env := got["exposed-env-file"]; len(env) == 1 {
		for _, want := range []string{"a database URL with password", "(redacted)", "4 KEY=value lines"} {
			if !strings.Contains(env[0].Detail, want) {
				t.Errorf("env detail misses %q: %s", want, env[0].Detail)
			}
		}
	}
	if len(fs) != 4 {
		t.Errorf("want exactly the four file findings, got %v", rules(fs))
	}
	// Fragments too: a detector that matched only part of a value must not leave the rest.
	assertNoLeak(t, fs, djangoKey, djangoKey[len(djangoKey)-12:], dbPassword, dbPassword[4:])
}

func TestSoft404NeverExposes(t *testing.T) {
	spa := `<!DOCTYPE html><html><head><title>Shop</title></head><body><div id="root"></div><script src="/static/app.js"></script></body></html>`
	envLike := "APP_NAME=shop\nAPP_ENV=production\nAPP_DEBUG=false\n"
	cases := map[string]http.HandlerFunc{
		// An SPA shell: 200 and the same HTML for every path.
		"spa-html": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, spa)
		},
		// Django REST framework style catch-all: 200 with a JSON "not found".
		"json-not-found": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, map[string]string{"detail": "Not found."})
		},
		// A catch-all that answers every path with the same .env-looking text: content
		// validation alone would accept it, the soft-404 baseline must not.
		"catch-all-env": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, envLike)
		},
		// A not-found page that echoes the path, with 200.
		"echo-path": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "ref: refs/heads/main\nNo route for "+r.URL.Path+"\nDEBUG=0\nLEVEL=1\n")
		},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			srv := startTLS(t, tls.NoClientCert, h)
			fs := runChecks(t, newEnv(t, srv.URL+"/api/items", envOpts{}))
			for _, f := range fs {
				if strings.HasPrefix(f.Rule, "exposed-") || f.Rule == "error-debug-page" {
					t.Errorf("soft-404 produced %s: %s", f.Rule, f.Detail)
				}
			}
		})
	}
}

func TestProfileLeaksPIIAndSecret(t *testing.T) {
	profile := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/profile" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Debug-Token", githubToken)
		writeJSON(w, map[string]any{
			"name": "Carol Jensen", "email": emailCarol, "manager_email": emailDave,
			"payment":      map[string]string{"card_number": cardNumber, "expiry": "09/29"},
			"integrations": map[string]string{"aws_access_key_id": awsKeyID},
		})
	}
	srv := startTLS(t, tls.VerifyClientCertIfGiven, profile)
	raw := []string{emailCarol, emailDave, cardNumber, awsKeyID, githubToken}

	env := newEnv(t, srv.URL+"/api/profile", envOpts{anonymous: true, auth: endpoint.AuthOptional})
	fs := runChecks(t, env)
	got := byRule(fs)
	if len(got["pii-in-response"]) != 1 || len(got["secret-in-response"]) != 1 {
		t.Fatalf("want one pii and one secret finding, got %v", rules(fs))
	}
	pii, sec := got["pii-in-response"][0], got["secret-in-response"][0]
	if pii.Severity != finding.High {
		t.Errorf("pii severity %s, want high", pii.Severity)
	}
	if !strings.Contains(pii.Detail, "2 email addresses and a payment card number (redacted)") {
		t.Errorf("pii detail: %s", pii.Detail)
	}
	if !strings.Contains(pii.Detail, "without a client certificate") {
		t.Errorf("pii detail should say the anonymous request got it: %s", pii.Detail)
	}
	if sec.Severity != finding.Critical {
		t.Errorf("secret severity %s, want critical (AWS key): %s", sec.Severity, sec.SeverityReason)
	}
	for _, want := range []string{"AWS access key ID", "GitHub token", "X-Debug-Token"} {
		if !strings.Contains(sec.Detail, want) {
			t.Errorf("secret detail misses %q: %s", want, sec.Detail)
		}
	}
	if len(pii.Evidence.Notes) != 3 || !strings.Contains(pii.Evidence.Notes[0], "email address at offset") {
		t.Errorf("pii notes: %q", pii.Evidence.Notes)
	}
	assertNoLeak(t, fs, raw...)

	// With --show-secrets the notes carry the values.
	env = newEnv(t, srv.URL+"/api/profile", envOpts{showSecrets: true, auth: endpoint.AuthOptional})
	fs = runChecks(t, env)
	for _, v := range raw {
		if !anyOutputContains(fs, v) {
			t.Errorf("--show-secrets: %q not shown", v)
		}
	}
}

func TestOwnProfileIsInfo(t *testing.T) {
	own := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/me" {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, map[string]string{"username": "alice", "email": "alice@acme-corp.io", "role": "member"})
	}
	srv := startTLS(t, tls.RequireAndVerifyClientCert, own)
	fs := runChecks(t, newEnv(t, srv.URL+"/api/me", envOpts{auth: endpoint.AuthRequiredTLS}))
	p := byRule(fs)["pii-in-response"]
	if len(p) != 1 || p[0].Severity != finding.Info {
		t.Fatalf("own profile behind required mTLS: want one info pii finding, got %v", rules(fs))
	}
	if !strings.Contains(p[0].SeverityReason, "belongs to the certificate holder") {
		t.Errorf("reason: %s", p[0].SeverityReason)
	}
	// The same body on an endpoint that does not require a certificate stays high.
	srv2 := startTLS(t, tls.VerifyClientCertIfGiven, own)
	fs = runChecks(t, newEnv(t, srv2.URL+"/api/me", envOpts{auth: endpoint.AuthOptional}))
	p = byRule(fs)["pii-in-response"]
	if len(p) != 1 || p[0].Severity != finding.High {
		t.Fatalf("optional mTLS: want one high pii finding, got %v", rules(fs))
	}
	assertNoLeak(t, fs, "alice@acme-corp.io")
}

func TestCleanEndpoint(t *testing.T) {
	srv := startTLS(t, tls.NoClientCert, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/orders" {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, map[string]any{"orders": []map[string]any{
			{"id": "4f1c2a9e-8d3b-4e7a-9c61-2b5d8f0e3a17", "number": "ORD-2026-000184", "created": "2026-12-01T10:15:30Z",
				"total": "129.90", "sku": "9780306406157", "etag": "d41d8cd98f00b204e9800998ecf8427e", "version": "10.2.14.3"},
			{"id": "7a0e9f3c-1b2d-4c5e-8f6a-9b0c1d2e3f4a", "number": "ORD-2026-000185", "created": "2026-12-01T11:02:09Z",
				"total": "15.00", "sku": "4006381333931", "etag": "9e107d9d372bb6826bd81d3542a419d6", "version": "1.4.2"},
		}})
	})
	fs := runChecks(t, newEnv(t, srv.URL+"/api/orders", envOpts{}))
	if len(fs) != 0 {
		t.Fatalf("clean endpoint produced findings: %v", rules(fs))
	}
}

func TestCookies(t *testing.T) {
	srv := startTLS(t, tls.NoClientCert, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Debug-Token", githubToken)                                                                // a secret elsewhere in the proof exchange
		h.Add("Set-Cookie", "sessionid="+sessionVal+"; Path=/")                                            // no Secure, no HttpOnly
		h.Add("Set-Cookie", "csrftoken="+csrfVal+"; Path=/; Secure; SameSite=Lax")                         // readable by design: fine
		h.Add("Set-Cookie", "XSRF-TOKEN=x1; Path=/; Secure; SameSite=Strict")                              // Angular must read it: fine
		h.Add("Set-Cookie", "csrf_token=x2; Path=/; SameSite=Lax")                                         // no Secure: medium
		h.Add("Set-Cookie", "app_session=s2; Path=/; Secure; HttpOnly; SameSite=None")                     // medium
		h.Add("Set-Cookie", "legacy_session=s3; Path=/; HttpOnly; SameSite=None")                          // high
		h.Add("Set-Cookie", "connect.sid=s4; Path=/; Secure; HttpOnly; SameSite=Lax")                      // fine
		h.Add("Set-Cookie", "theme=dark; Path=/")                                                          // not a session cookie
		h.Add("Set-Cookie", `oldsession_sid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/`) // deletion
		writeJSON(w, map[string]string{"ok": "yes"})
	})
	fs := runChecks(t, newEnv(t, srv.URL+"/", envOpts{}))
	got := map[string]finding.Finding{}
	for _, f := range byRule(fs)["cookie-insecure"] {
		name := strings.Fields(strings.TrimPrefix(f.Detail, "The "))[2]
		if _, dup := got[name]; dup {
			t.Errorf("cookie %s reported twice", name)
		}
		got[name] = f
	}
	// A CSRF cookie without HttpOnly is no finding by itself: Django leaves csrftoken readable
	// on purpose (JavaScript copies it into X-CSRFToken; CSRF_COOKIE_HTTPONLY's documentation
	// explains it protects nothing), and Angular's XSRF-TOKEN must be readable.
	want := map[string]finding.Severity{"sessionid": finding.Medium, "csrf_token": finding.Medium,
		"app_session": finding.Medium, "legacy_session": finding.High}
	if len(got) != len(want) {
		t.Errorf("cookies reported: %v, want %v", keys(got), want)
	}
	for name, sev := range want {
		f, ok := got[name]
		if !ok {
			t.Errorf("%s not reported", name)
			continue
		}
		if f.Severity != sev {
			t.Errorf("%s: severity %s, want %s (%s)", name, f.Severity, sev, f.Detail)
		}
	}
	if f := got["csrf_token"]; strings.Contains(f.Detail, "HttpOnly") {
		t.Errorf("csrf_token: HttpOnly is not an issue of a CSRF cookie: %s", f.Detail)
	}
	if f := got["sessionid"]; !strings.Contains(f.Detail, "no Secure") || !strings.Contains(f.Detail, "no HttpOnly") {
		t.Errorf("sessionid detail: %s", f.Detail)
	}
	assertNoLeak(t, fs, sessionVal, csrfVal, githubToken)
}

func keys(m map[string]finding.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestCookieSecureNotRequiredOnHTTP(t *testing.T) {
	srv := startPlain(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "sessionid="+sessionVal+"; Path=/; HttpOnly; SameSite=Lax")
		writeJSON(w, map[string]string{"ok": "yes"})
	})
	fs := runChecks(t, newEnv(t, srv.URL+"/", envOpts{noCert: true}))
	if n := len(byRule(fs)["cookie-insecure"]); n != 0 {
		t.Errorf("Secure cannot be asked of a cookie on http://; got %v", rules(fs))
	}
}

func TestCleartextCredentials(t *testing.T) {
	basic := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="api"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	}
	ok := func(w http.ResponseWriter, r *http.Request) { writeJSON(w, map[string]string{"ok": "yes"}) }

	t.Run("basic-over-http", func(t *testing.T) {
		srv := startPlain(t, basic)
		fs := runChecks(t, newEnv(t, srv.URL+"/api", envOpts{noCert: true}))
		c := byRule(fs)["cleartext-credentials"]
		if len(c) != 1 || c[0].Severity != finding.Critical || !strings.Contains(c[0].Detail, "Basic") {
			t.Fatalf("want one critical cleartext finding, got %v", rules(fs))
		}
	})
	t.Run("bearer-header-over-http", func(t *testing.T) {
		srv := startPlain(t, ok)
		fs := runChecks(t, newEnv(t, srv.URL+"/api", envOpts{noCert: true, header: http.Header{"Authorization": {"Bearer " + bearerToken}}}))
		c := byRule(fs)["cleartext-credentials"]
		if len(c) != 1 || c[0].Severity != finding.Critical {
			t.Fatalf("want one critical cleartext finding, got %v", rules(fs))
		}
		if !strings.Contains(c[0].Evidence.Request, "Authorization: Bearer ") {
			t.Errorf("request evidence should show the (masked) header:\n%s", c[0].Evidence.Request)
		}
		assertNoLeak(t, fs, bearerToken)
	})
	// Credentials the user typed into an https:// target URL are the user's choice and never
	// cross cleartext: no cleartext-credentials finding (issue 10, item 8), only masking.
	for name, u := range map[string]func(base string) string{
		"token-in-https-url": func(b string) string { return b + "/api?page=2&api_key=" + queryKey },
		"userinfo-in-https-url": func(b string) string {
			return strings.Replace(b, "https://", "https://deploy:"+queryKey+"@", 1) + "/api?page=2"
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startTLS(t, tls.NoClientCert, ok)
			fs := runChecks(t, newEnv(t, u(srv.URL), envOpts{}))
			if c := byRule(fs)["cleartext-credentials"]; len(c) != 0 {
				t.Fatalf("credentials the user typed into an https URL reported: %s", c[0].Detail)
			}
			for _, f := range fs {
				if !strings.Contains(f.URL, "page=2") {
					t.Errorf("%s: url lost the harmless parameter: %s", f.Rule, f.URL)
				}
			}
			assertNoLeak(t, fs, queryKey)
		})
	}
	t.Run("userinfo-over-http", func(t *testing.T) {
		srv := startPlain(t, ok)
		u := strings.Replace(srv.URL, "http://", "http://deploy:"+dbPassword+"@", 1) + "/api"
		fs := runChecks(t, newEnv(t, u, envOpts{noCert: true}))
		c := byRule(fs)["cleartext-credentials"]
		if len(c) != 1 || c[0].Severity != finding.Critical {
			t.Fatalf("want one critical cleartext finding, got %v", rules(fs))
		}
		assertNoLeak(t, fs, dbPassword)
	})
	// Negatives: plain http without any credential, and Basic over https.
	t.Run("plain-http-no-credentials", func(t *testing.T) {
		srv := startPlain(t, ok)
		fs := runChecks(t, newEnv(t, srv.URL+"/api", envOpts{noCert: true}))
		if len(byRule(fs)["cleartext-credentials"]) != 0 {
			t.Errorf("no credential, no finding: %v", rules(fs))
		}
	})
	t.Run("basic-over-https", func(t *testing.T) {
		srv := startTLS(t, tls.NoClientCert, basic)
		fs := runChecks(t, newEnv(t, srv.URL+"/api", envOpts{header: http.Header{"Authorization": {"Bearer " + bearerToken}}}))
		if len(byRule(fs)["cleartext-credentials"]) != 0 {
			t.Errorf("Basic over https is not cleartext: %v", rules(fs))
		}
	})
}

func TestExposedFilesWithSecrets(t *testing.T) {
	files := map[string]string{
		// A log with a credential in it: raised to high.
		"/logs/django.log": "2026-12-01 10:00:01,123 INFO shop.sync using aws_access_key_id=" + awsKeyID + "\n" +
			"2026-12-01 10:00:02,456 ERROR shop.sync upload failed\n",
		// A settings backup with a hard-coded database URL: critical.
		"/settings.py.bak": "import os\nDEBUG = False\nALLOWED_HOSTS = ['shop.example']\nDATABASE_URL = '" + dbURL + "'\n",
		// The same .git/config at the root and under /api/ (one alias): one finding.
		"/.git/HEAD":     "ref: refs/heads/main\n",
		"/api/.git/HEAD": "ref: refs/heads/main\n",
	}
	srv := startTLS(t, tls.NoClientCert, func(w http.ResponseWriter, r *http.Request) {
		if b, ok := files[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = io.WriteString(w, b)
			return
		}
		if r.URL.Path == "/api/items" {
			writeJSON(w, map[string]string{"ok": "yes"})
			return
		}
		http.NotFound(w, r)
	})
	fs := runChecks(t, newEnv(t, srv.URL+"/api/items", envOpts{}))
	got := byRule(fs)
	if l := got["exposed-log-file"]; len(l) != 1 || l[0].Severity != finding.High || !strings.Contains(l[0].Detail, "AWS access key ID") {
		t.Errorf("log with a secret: want one high finding naming the key, got %v", rules(fs))
	}
	if b := got["exposed-backup-file"]; len(b) != 1 || b[0].Severity != finding.Critical || !strings.Contains(b[0].Detail, "settings.py.bak") {
		t.Errorf("settings backup with a DB URL: want one critical finding, got %v", rules(fs))
	}
	v := got["exposed-vcs-metadata"]
	if len(v) != 1 || v[0].Severity != finding.High {
		t.Fatalf("identical .git/HEAD at two paths: want one high finding, got %v", rules(fs))
	}
	if notes := strings.Join(v[0].Evidence.Notes, "\n"); !strings.Contains(notes, "also served at /api/.git/HEAD") {
		t.Errorf("duplicate path should be noted: %s", notes)
	}
	assertNoLeak(t, fs, awsKeyID, dbPassword)
}

func TestOtherUsersEmailStaysHigh(t *testing.T) {
	srv := startTLS(t, tls.RequireAndVerifyClientCert, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]string{"username": "bob", "email": emailDave})
	})
	fs := runChecks(t, newEnv(t, srv.URL+"/api/users/7", envOpts{auth: endpoint.AuthRequiredTLS}))
	p := byRule(fs)["pii-in-response"]
	if len(p) != 1 || p[0].Severity != finding.High {
		t.Fatalf("another user's email behind mTLS: want one high pii finding, got %v", rules(fs))
	}
	if !strings.Contains(p[0].Detail, "requires a client certificate") {
		t.Errorf("detail should carry the auth context: %s", p[0].Detail)
	}
}

// TestErrorProbesAskHTMLOnlyAfterNonHTML: the error probes ask as a JSON client first and as a
// browser only when the first answer was not HTML; a page kept for browsers alone is found.
func TestErrorProbesAskHTMLOnlyAfterNonHTML(t *testing.T) {
	for _, tc := range []struct {
		name      string
		negotiate bool
		htmlAsks  int32
	}{{"HTML for every client", false, 0}, {"page chosen by Accept", true, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			var htmlAsks atomic.Int32
			srv := startTLS(t, tls.NoClientCert, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/items" && r.Host != invalidHost {
					writeJSON(w, map[string]string{"ok": "yes"})
					return
				}
				html := r.Header.Get("Accept") == "text/html"
				if html {
					htmlAsks.Add(1)
				}
				if tc.negotiate && !html {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusNotFound)
					_, _ = io.WriteString(w, `{"detail":"Not found."}`)
					return
				}
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusNotFound)
				if tc.negotiate {
					_, _ = io.WriteString(w, djangoTech404)
					return
				}
				_, _ = io.WriteString(w, "<!doctype html><title>Not Found</title><h1>Not Found</h1>")
			})
			fs := runChecks(t, newEnv(t, srv.URL+"/api/items", envOpts{}))
			if got := htmlAsks.Load(); got != tc.htmlAsks {
				t.Errorf("%d requests as a browser, want %d", got, tc.htmlAsks)
			}
			if debug := len(byRule(fs)["error-debug-page"]) == 1; debug != tc.negotiate {
				t.Errorf("error-debug-page reported: %v, want %v (%v)", debug, tc.negotiate, rules(fs))
			}
		})
	}
}
