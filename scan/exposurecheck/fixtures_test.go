package exposurecheck

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// The PKI is minted once per test binary.
type testPKI struct {
	ca     *pki.CA
	server *pki.Leaf
	alice  *pki.Leaf
}

var (
	pkiOnce sync.Once
	pkiVal  *testPKI
)

func fixturePKI() *testPKI {
	pkiOnce.Do(func() {
		ca := pki.NewCA("Exposure Test CA")
		pkiVal = &testPKI{ca: ca, server: ca.Server(), alice: ca.Client("alice", "Example")}
	})
	return pkiVal
}

// startTLS runs handler behind TLS with the given client-auth policy.
func startTLS(t testing.TB, auth tls.ClientAuthType, handler http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{fixturePKI().server.TLS}, ClientAuth: auth, ClientCAs: fixturePKI().ca.Pool()}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func startPlain(t testing.TB, handler http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

type envOpts struct {
	header      http.Header
	noCert      bool
	showSecrets bool
	anonymous   bool // also record the certificate-less GET
	auth        endpoint.AuthMode
}

// newEnv builds the env the scan package would: a client scoped to loopback, the baseline
// GET with the user's identity, the redactor wired.
func newEnv(t testing.TB, rawURL string, o envOpts) *endpoint.Env {
	t.Helper()
	c, err := probe.New(probe.Config{RootCAs: fixturePKI().ca.Pool(), Scope: []string{"127.0.0.1"}, Rate: -1,
		Timeout: 5 * time.Second, Header: o.header})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	env := &endpoint.Env{Client: c, URL: u, User: probe.None}
	if !o.noCert {
		env.User = &probe.Identity{Name: "user", Certificate: &fixturePKI().alice.TLS}
	}
	env.Options.ShowSecrets = o.showSecrets
	env.RedactBody = exposure.Redact
	if o.showSecrets {
		env.RedactBody = func(b []byte) []byte { return b }
	}
	env.Facts.Auth = o.auth
	if env.Facts.Auth == "" {
		env.Facts.Auth = endpoint.AuthNotRequested
	}
	ctx := context.Background()
	env.Facts.Baseline = c.Do(ctx, probe.Request{Method: http.MethodGet, URL: rawURL, Identity: env.User})
	if o.anonymous {
		env.Facts.Anonymous = c.Do(ctx, probe.Request{Method: http.MethodGet, URL: rawURL, Identity: probe.None})
	}
	return env
}

func runChecks(t testing.TB, env *endpoint.Env) []finding.Finding {
	t.Helper()
	fs := Run(context.Background(), env)
	if n := int(env.Client.Sent()); n > Budget()+2 { // +2: the baseline and anonymous GETs
		t.Errorf("sent %d requests, budget is %d (+2 scan requests)", n, Budget())
	}
	for _, f := range fs {
		if f.Fingerprint == "" || f.URL == "" || f.Remediation == "" || f.Detail == "" || f.SeverityReason == "" {
			t.Errorf("%s: incomplete finding: %+v", f.Rule, f)
		}
		if _, ok := finding.Lookup(f.Rule); !ok {
			t.Errorf("unknown rule %q", f.Rule)
		}
	}
	return fs
}

func byRule(fs []finding.Finding) map[string][]finding.Finding {
	m := map[string][]finding.Finding{}
	for _, f := range fs {
		m[f.Rule] = append(m[f.Rule], f)
	}
	return m
}

func rules(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+"/"+f.Severity.String())
	}
	return out
}

// outputs are every printed string of a finding.
func outputs(f finding.Finding) map[string]string {
	m := map[string]string{"url": f.URL, "detail": f.Detail, "severity_reason": f.SeverityReason,
		"remediation": f.Remediation, "request": f.Evidence.Request, "response": f.Evidence.Response,
		"curl": f.Evidence.Curl, "snippet": f.Evidence.Snippet}
	for i, n := range f.Evidence.Notes {
		m[fmt.Sprintf("note %d", i)] = n
	}
	return m
}

// assertNoLeak fails when any output of any finding contains one of the raw values.
func assertNoLeak(t *testing.T, fs []finding.Finding, values ...string) {
	t.Helper()
	for _, f := range fs {
		for field, s := range outputs(f) {
			for _, v := range values {
				if strings.Contains(s, v) {
					t.Errorf("%s %s leaks %q:\n%s", f.Rule, field, v, s)
				}
			}
		}
	}
}

func anyOutputContains(fs []finding.Finding, v string) bool {
	for _, f := range fs {
		for _, s := range outputs(f) {
			if strings.Contains(s, v) {
				return true
			}
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// --- fixture values (made up; formats as the vendors publish them) ---

const (
	dbPassword  = "Sup3rS3cretPw9"
	dbURL       = "postgres://shop:" + dbPassword + "@db.internal:5432/shop"
	djangoKey   = "k8#v!2m@x$w9q&z1p*e7r(t-u_y=h+j3n)b5c^g6f4d0a%s"
	awsKeyID    = "AKIAQ3EGRXKZ7V5D2M4P"
	githubToken = "ghp_R7mK2pQ9xV4nB8sL3wE6tY1uI0oA5dF2gH7j"
	emailCarol  = "carol.jensen@northwind-mail.de"
	emailDave   = "dave.smith@acme-corp.io"
	cardNumber  = "4539148803436467"
	sessionVal  = "q8w7e6r5t4y3u2i1o0p9a8s7d6f5g4h3"
	csrfVal     = "Zx9Cv8Bn7Mm6Ll5Kk4Jj3Hh2Gg1Ff0Dd"
	bearerToken = "eyQ7Lk2Vm9Nx4Bz8Wc3Rt6Yu1Io5Pa0Sd"
	queryKey    = "Qk7Lm2Np9Rs4Tv8Wx3Yz6Ab1Cd5Ef0Gh"
)

// Django-like DEBUG = True pages, written from the facts in real-stack-notes.md and the
// anchors (section markers, the footer sentence), not copied from Django's templates.
const djangoTech404 = `<!DOCTYPE html>
<html lang="en"><head><title>Page not found at /crossgate</title></head>
<body><div id="summary"><h1>Page not found <span>(404)</span></h1>
<table class="meta"><tr><th>Request Method:</th><td>GET</td></tr></table></div>
<div id="info"><p>Using the URLconf defined in <code>shop.urls</code>,
Django tried these URL patterns, in this order:</p>
<ol><li>admin/</li><li>api/profile</li></ol>
<p>The current path, <code>crossgate</code>, didn’t match any of these.</p></div>
<div id="explanation"><p>You’re seeing this error because you have <code>DEBUG = True</code> in
your Django settings file. Change that to <code>False</code>, and Django will display a standard 404 page.</p></div>
</body></html>`

const disallowedValue = "Invalid HTTP_HOST header: 'crossgate-invalid.example'. You may need to add 'crossgate-invalid.example' to ALLOWED_HOSTS."

func djangoText500(exc, value, path string) string {
	return exc + ` at ` + path + `
` + value + `

Request Method: GET
Request URL: https://crossgate-invalid.example` + path + `
Django Version: 3.2.25
Python Executable: /usr/bin/python3
Python Version: 3.11.2
Installed Applications:
['django.contrib.admin', 'shop']
Installed Middleware:
['django.middleware.security.SecurityMiddleware']

Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/django/core/handlers/exception.py", line 47, in inner
    response = get_response(request)
  File "/srv/shop/shop/views.py", line 12, in profile
    host = request.get_host()

Exception Type: ` + exc + ` at ` + path + `
Exception Value: ` + value + `
Request information:
USER: [unable to retrieve the current user]

META:
HTTP_ACCEPT = 'application/json'
HTTP_HOST = 'crossgate-invalid.example'
wsgi.url_scheme = 'https'

Settings:
Using settings module shop.settings
DATABASE_URL = '` + dbURL + `'
SECRET_KEY = '********************'
DEBUG = True

You're seeing this error because you have DEBUG = True in your
Django settings file. Change that to False, and Django will
display a standard page generated by the handler for this status code.
`
}

func djangoHTML500(path string) string {
	return `<!DOCTYPE html><html><head><title>DisallowedHost at ` + path + `</title></head><body>
<div id="summary"><h1>DisallowedHost at ` + path + `</h1>
<pre class="exception_value">Invalid HTTP_HOST header: 'crossgate-invalid.example'.</pre>
<table class="meta"><tr><th>Request Method:</th><td>GET</td></tr>
<tr><th>Django Version:</th><td>3.2.25</td></tr>
<tr><th>Python Executable:</th><td>/usr/bin/python3</td></tr></table></div>
<div id="traceback"><h2>Traceback</h2><pre>File "/srv/shop/shop/views.py", line 12, in profile</pre></div>
<div id="requestinfo"><h3 id="meta-info">META</h3><table><tr><td>HTTP_HOST</td><td>'crossgate-invalid.example'</td></tr></table>
<h3 id="settings-info">Settings</h3><table><tr><td>SECRET_KEY</td><td>'********************'</td></tr></table></div>
<div id="explanation"><p>You’re seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p></div>
</body></html>`
}

// disallowedOnly renders Django's DisallowedHost page (HTML or plain text by Accept) for a
// foreign Host and a plain 404 otherwise: only the invalid-Host probe finds it.
func disallowedOnly(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Host, "127.0.0.1:") {
		djangoDebug(w, r)
		return
	}
	if r.URL.Path == "/api/profile" {
		writeJSON(w, map[string]any{"status": "active"})
		return
	}
	http.NotFound(w, r)
}

// djangoDebug answers like runserver with DEBUG = True: the profile view for the right
// host, DisallowedHost for any other, the technical 404 (HTML) or 500 (plain text, for
// non-HTML clients) for unknown paths.
func djangoDebug(w http.ResponseWriter, r *http.Request) {
	html := strings.Contains(r.Header.Get("Accept"), "text/html")
	if !strings.HasPrefix(r.Host, "127.0.0.1:") {
		if html {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, djangoHTML500(r.URL.Path))
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, djangoText500("DisallowedHost", disallowedValue, r.URL.Path))
		return
	}
	if r.URL.Path == "/api/profile" {
		writeJSON(w, map[string]any{"id": "4f1c2a9e-8d3b-4e7a-9c61-2b5d8f0e3a17", "status": "active"})
		return
	}
	if html {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, djangoTech404)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, djangoText500("Resolver404", "{'path': '"+strings.TrimPrefix(r.URL.Path, "/")+"'}", r.URL.Path))
}
