package e2e

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan"
	"github.com/crossgate/crossgate/scan/endpoint"
	"github.com/crossgate/crossgate/scan/exposurecheck"
)

// The data-exposure detectors against what the real Django 3.2 and nginx send, not against
// fixtures written to look like it.

// expoHeaderText renders response headers the way the scan hands them to the detectors.
func expoHeaderText(h http.Header) string {
	var b strings.Builder
	_ = h.Write(&b)
	return b.String()
}

func expoDetectors(ms []exposure.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Detector)
	}
	sort.Strings(out)
	return out
}

func TestReviewRealDjangoErrorPages(t *testing.T) {
	s := shared(t, "debug")
	alice := s.Identity("alice")
	for _, c := range []struct {
		name, path, accept, host string
		status                   int
		kind, format, ctPrefix   string
	}{
		{"404-html", "/crossgate-missing-page", "text/html", "", 404, "technical-404", "html", "text/html"},
		// Django 3.2 renders the technical 404 as HTML whatever the client accepts.
		{"404-json", "/crossgate-missing-page", "application/json", "", 404, "technical-404", "html", "text/html"},
		{"disallowedhost-html", "/api/health", "text/html", "crossgate-invalid.example", 400, "disallowed-host", "html", "text/html"},
		{"disallowedhost-text", "/api/health", "application/json", "crossgate-invalid.example", 400, "disallowed-host", "text", "text/plain"},
		{"500-html", "/api/boom", "text/html", "", 500, "technical-500", "html", "text/html"},
		// The plain-text technical 500 that Django sends to API clients.
		{"500-text", "/api/boom", "application/json", "", 500, "technical-500", "text", "text/plain"},
	} {
		t.Run(c.name, func(t *testing.T) {
			kv := []string{"Accept", c.accept}
			if c.host != "" {
				kv = append(kv, "Host", c.host)
			}
			status, h, body := mustGet(t, s, alice, c.path, kv...)
			ct := h.Get("Content-Type")
			if status != c.status || !strings.HasPrefix(ct, c.ctPrefix) {
				t.Fatalf("got %d %q, want %d %s: %.200q", status, ct, c.status, c.ctPrefix, body)
			}
			pages := exposure.DetectErrorPages([]byte(body), ct)
			if len(pages) != 1 || pages[0].Framework != "django" || pages[0].Kind != c.kind || pages[0].Format != c.format ||
				pages[0].Type != exposure.DebugPage {
				t.Fatalf("DetectErrorPages = %+v, want one django %s (%s)", pages, c.kind, c.format)
			}
			if pages[0].Excerpt == "" || strings.Contains(pages[0].Excerpt, "<") {
				t.Errorf("excerpt %q: want the exception line as text", pages[0].Excerpt)
			}
			// A debug page lists settings, headers and paths: none of it is a secret or
			// personal data here (Django masks SECRET_KEY itself), so nothing may match.
			if ms := exposure.Scan([]byte(expoHeaderText(h) + "\n" + body)); len(ms) != 0 {
				t.Errorf("Scan on the real %s page: %v", c.name, expoMatchList(ms))
			}
		})
	}
}

func expoMatchList(ms []exposure.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Detector+" "+exposure.Mask(m.Value)+" key="+m.Key)
	}
	return out
}

// Normal responses of the real stack: the profile holds exactly an email address and a
// phone number, everything else (health, the identity-header echo with the client DN, nginx
// headers with ETags and dates, nginx's own error pages, a static page) holds nothing.
func TestReviewRealResponsesPrecision(t *testing.T) {
	s := shared(t, "debug")
	alice := s.Identity("alice")
	status, h, body := mustGet(t, s, alice, "/api/profile")
	if status != 200 {
		t.Fatalf("profile: %d %q", status, body)
	}
	if got := expoDetectors(exposure.Scan([]byte(expoHeaderText(h) + "\n" + body))); strings.Join(got, ",") != "email,phone" {
		t.Errorf("profile: detectors %v, want email and phone", got)
	}
	clean := func(name string, s *Stack, id *probe.Identity, path string, kv ...string) {
		t.Helper()
		status, h, body := mustGet(t, s, id, path, kv...)
		if status == 0 {
			t.Fatalf("%s: no response", name)
		}
		if ms := exposure.Scan([]byte(expoHeaderText(h) + "\n" + body)); len(ms) != 0 {
			t.Errorf("%s (%d): false positives %v in %.300q", name, status, expoMatchList(ms), body)
		}
		if pages := exposure.DetectErrorPages([]byte(body), h.Get("Content-Type")); len(pages) != 0 {
			t.Errorf("%s (%d): not a debug page, got %+v", name, status, pages)
		}
	}
	clean("health", s, alice, "/api/health")
	clean("whoami-headers", s, alice, "/api/whoami-headers")
	// nginx's own pages: no client certificate (400), and a request line it rejects.
	clean("nginx-400-no-cert", s, nil, "/api/health")
	d := shared(t, "dotfiles")
	clean("static-index", d, nil, "/index.html")
	clean("django-404-no-debug", d, nil, "/crossgate-missing-page", "Accept", "text/html")
	clean("nginx-dot-dir", d, nil, "/.git/HEAD")
}

// expoEnv builds the env the scan builds for one endpoint of a real stack: a probe client
// that trusts the stack's CA, the baseline GET, the redactor.
func expoEnv(t *testing.T, s *Stack, path string) *endpoint.Env {
	t.Helper()
	c, err := probe.New(probe.Config{RootCAs: s.ServerCA, Scope: []string{"127.0.0.1"}, Rate: -1, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	raw := s.URL(path)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	env := &endpoint.Env{Client: c, URL: u, User: probe.None, RedactBody: exposure.Redact}
	env.Facts.Auth = endpoint.AuthNotRequested
	env.Facts.Baseline = c.Do(context.Background(), probe.Request{Method: http.MethodGet, URL: raw, Identity: probe.None})
	if !env.Facts.Baseline.OK() {
		t.Fatalf("baseline GET %s: %v", raw, env.Facts.Baseline.Err)
	}
	return env
}

func expoRules(fs []finding.Finding) map[string]int {
	out := map[string]int{}
	for _, f := range fs {
		out[f.Rule]++
	}
	return out
}

func expoFindingText(f finding.Finding) string {
	e := f.Evidence
	return strings.Join(append([]string{f.Title, f.Detail, f.URL, e.Request, e.Response, e.Curl, e.Snippet}, e.Notes...), "\n")
}

// exposurecheck against real nginx serving the dotfiles folder: the .env and the debug.log
// are each reported once, with the values masked.
func TestReviewProbesDotfiles(t *testing.T) {
	s := shared(t, "dotfiles")
	env := expoEnv(t, s, "/api/health")
	fs := exposurecheck.Run(context.Background(), env)
	got := expoRules(fs)
	if got["exposed-env-file"] != 1 || got["exposed-log-file"] != 1 {
		t.Errorf("rules %v: want exposed-env-file and exposed-log-file once each", got)
	}
	for _, r := range []string{"exposed-vcs-metadata", "exposed-backup-file", "error-debug-page"} {
		if got[r] != 0 {
			t.Errorf("%s reported on a stack that has none: %v", r, got)
		}
	}
	if n := env.Client.Sent(); n > int64(exposurecheck.Budget())+1 {
		t.Errorf("sent %d requests, budget %d (+1 baseline)", n, exposurecheck.Budget())
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "public", ".env"))
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"AKIA4HQZ7RWXN2EMPL3K", "q8Vt3nLx0pZ7rB2mK9sW4yH6cJ1fD5gT8uE3iO0a", "hunter2-fixture"}
	for _, v := range secrets {
		if !strings.Contains(string(raw), v) {
			t.Fatalf("fixture .env changed: %q missing", v)
		}
	}
	for _, f := range fs {
		text := expoFindingText(f)
		for _, v := range secrets {
			if strings.Contains(text, v) {
				t.Errorf("%s shows %q unmasked", f.Rule, v)
			}
		}
		if f.Rule == "exposed-env-file" && !strings.Contains(text, "hmac:") {
			t.Errorf("exposed-env-file evidence shows no masked value: %s", text)
		}
	}
}

// A single-page app behind nginx answers every path with its index.html (try_files $uri
// /index.html): 200 for /.env, /.git/HEAD, /debug.log. None of it is a finding.
func TestReviewProbesSoft404SPA(t *testing.T) {
	root := t.TempDir()
	shell := `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>` +
		`<link href="/static/css/main.5f2c9a1b.css" rel="stylesheet"></head><body>` +
		`<noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>` +
		`<script src="/static/js/main.3f9a2c1b.js"></script></body></html>`
	if err := os.WriteFile(filepath.Join(root, "index.html"), []byte(shell), 0o644); err != nil {
		t.Fatal(err)
	}
	s := StartStack(t, StackConfig{Name: "review-spa", Settings: "cfg_plain", Headers: HeadersRemedy,
		ServerExtra: "        root " + root + ";\n" +
			"        location / {\n            try_files $uri /index.html;\n        }\n" +
			"        location /api/ {\n            proxy_pass " + PlaceholderUpstream + ";\n        }\n"})
	for _, p := range []string{"/.env", "/debug.log", "/.git/HEAD"} {
		status, _, body := mustGet(t, s, nil, p)
		if status != 200 || !strings.Contains(body, `<div id="root">`) {
			t.Fatalf("SPA fallback for %s: got %d %.100q", p, status, body)
		}
	}
	for _, path := range []string{"/", "/api/health"} {
		env := expoEnv(t, s, path)
		if fs := exposurecheck.Run(context.Background(), env); len(fs) != 0 {
			for _, f := range fs {
				t.Errorf("%s: SPA reported %s: %s", path, f.Rule, f.Detail)
			}
		}
	}
}

// Site-root files belong to the site, not to the endpoint: a scan of two endpoints of the same
// server must name the served .env as one finding. exposurecheck runs per endpoint, so it
// locates the finding at the file's own URL and both endpoints produce the same fingerprint;
// the scan reports each (URL, fingerprint) once, so the count itself must be one.
func TestReviewSiteFilesOncePerSite(t *testing.T) {
	s := shared(t, "dotfiles")
	cfg := scanConfig(t, s, scanCase{config: "dotfiles", origins: []string{appOrigin}})
	cfg.Targets = []string{s.URL("/api/profile"), s.URL("/api/health")}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := scan.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	prints := map[string]map[string]string{}
	count := map[string]int{}
	for _, f := range rep.Findings {
		count[f.Rule]++
		if prints[f.Rule] == nil {
			prints[f.Rule] = map[string]string{}
		}
		prints[f.Rule][f.Fingerprint] = f.URL
	}
	for rule, path := range map[string]string{"exposed-env-file": "/.env", "exposed-log-file": "/debug.log"} {
		if count[rule] != 1 {
			t.Errorf("two endpoints of one site: %s reported %d times, want once", rule, count[rule])
		}
		if len(prints[rule]) != 1 {
			t.Errorf("two endpoints of one site: %s has %d distinct fingerprints %v, want 1", rule, len(prints[rule]), prints[rule])
		}
		for _, u := range prints[rule] {
			if u != s.URL(path) {
				t.Errorf("%s located at %q, want the file's URL %q", rule, u, s.URL(path))
			}
		}
	}
}

// djangoTokens has the installed Django mint what it puts in every response of a real site:
// the CSRF cookie and the masked form token (in a form, a JSON body, a header), database and
// signed-cookie session ids, and the hashed static names of ManifestStaticFilesStorage-style
// URLs. Values change on every run.
const djangoTokens = `
import hashlib, uuid
from django.conf import settings
settings.configure(SECRET_KEY="crossgate-review-" + uuid.uuid4().hex, DEBUG=False, ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.sessions"],
    SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
import django
django.setup()
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.utils.crypto import get_random_string
for i in range(20):
    r = RequestFactory().get("/")
    t = get_token(r)
    print("Set-Cookie: csrftoken=%s; expires=Wed, 01 Dec 2027 02:46:16 GMT; Max-Age=31449600; Path=/; SameSite=Lax" % r.META["CSRF_COOKIE"])
    print('<input type="hidden" name="csrfmiddlewaretoken" value="%s">' % t)
    print('{"csrfToken": "%s", "csrfmiddlewaretoken": "%s"}' % (t, t))
    print("X-CSRFToken: %s" % t)
    print("csrfmiddlewaretoken=%s&username=alice" % t)
    print("Set-Cookie: sessionid=%s; HttpOnly; Path=/; SameSite=Lax" % get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"))
    s = SessionStore(); s["_auth_user_id"] = str(i); s["_auth_user_hash"] = hashlib.sha256(uuid.uuid4().bytes).hexdigest(); s.save()
    print("Set-Cookie: sessionid=%s; HttpOnly; Path=/" % s.session_key)
    print('{"session_key": "%s"}' % get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"))
    print('ETag: "%s"' % hashlib.md5(uuid.uuid4().bytes).hexdigest())
    print("X-Request-Id: %s" % uuid.uuid4())
    print('<link rel="stylesheet" href="/static/admin/css/base.%s.css">' % hashlib.md5(uuid.uuid4().bytes).hexdigest()[:12])
`

func TestReviewRealDjangoTokensClean(t *testing.T) {
	RequireStack(t)
	cmd := exec.Command(PythonBin, "-c", djangoTokens)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("django token script: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "csrftoken="); n != 20 {
		t.Fatalf("script printed %d CSRF cookies, want 20:\n%.500s", n, out)
	}
	if ms := exposure.Scan(out); len(ms) != 0 {
		t.Errorf("false positives on Django's own tokens: %v", expoMatchList(ms))
	}
}
