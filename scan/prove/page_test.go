package prove

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/internal/pki"
)

// The job travels inside a script element: a target URL holding "</script>" must not end
// it, and the page must carry the job unchanged.
func TestPageHTMLEmbedsJobSafely(t *testing.T) {
	target := `https://api.example.com/v1/x?q=</script><script>alert(1)</script>&a=1`
	page, err := pageHTML(newPageJob(target, false, 5000, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if strings.Contains(s, "<script>alert(1)") {
		t.Fatalf("the target URL broke out of the job's script element:\n%s", s)
	}
	m := regexp.MustCompile(`(?s)<script id="crossgate-job" type="application/json">(.*?)</script>`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no job element in the page:\n%s", s)
	}
	var j pageJob
	if err := json.Unmarshal([]byte(m[1]), &j); err != nil {
		t.Fatalf("job is not JSON: %v\n%s", err, m[1])
	}
	if j.Target != target || j.TimeoutMS != 5000 || j.MaxBytes != 1<<20 || j.Null || j.Header != PreflightHeader {
		t.Errorf("job changed on the way: %+v", j)
	}
	if !strings.Contains(s, "crossgateRun") || !strings.Contains(s, "credentials: a.mode") {
		t.Errorf("page lacks the runner")
	}
}

// Every mode, with and without the preflight header, in a fixed order.
func TestPageJobAttempts(t *testing.T) {
	j := newPageJob("https://a/", true, 1, 1)
	var got []string
	for _, a := range j.Attempts {
		s := a.Mode
		if a.Preflight {
			s += "+preflight"
		}
		got = append(got, s)
	}
	want := "omit omit+preflight same-origin same-origin+preflight include include+preflight"
	if strings.Join(got, " ") != want || !j.Null {
		t.Errorf("attempts %v null %v, want %s", got, j.Null, want)
	}
}

func TestParseAttempt(t *testing.T) {
	omit := attempt{"omit", false}
	for _, tc := range []struct {
		name, raw string
		want      attempt
		read      bool
		status    int
		errPart   string // in the returned error; "" for none
		whyPart   string // in the result's Error
		excerpt   string
	}{
		{name: "read", raw: `{"mode":"omit","preflight":false,"read":true,"status":200,"bytes":12,"excerpt":"{\"a\":1}","type":"cors"}`,
			want: omit, read: true, status: 200, excerpt: `{"a":1}`},
		{name: "blocked", raw: `{"mode":"include","preflight":true,"read":false,"status":0,"bytes":0,"type":"","error":"Failed to fetch"}`,
			want: attempt{"include", true}, whyPart: "Failed to fetch"},
		// The browser, not the page's script, decides what is readable: only "cors" counts.
		{name: "opaque is not a read", raw: `{"mode":"omit","preflight":false,"read":true,"status":0,"bytes":0,"type":"opaque"}`,
			want: omit, whyPart: "opaque"},
		{name: "other attempt", raw: `{"mode":"include","preflight":false}`, want: omit, errPart: "answered for mode"},
		{name: "not JSON", raw: `undefined`, want: omit, errPart: "no result"},
		{name: "bad status", raw: `{"mode":"omit","preflight":false,"status":-1}`, want: omit, errPart: "status -1"},
		// The excerpt stays whole for redaction; cleanText runs after it.
		{name: "excerpt kept for redaction", raw: `{"mode":"omit","preflight":false,"read":true,"status":200,"bytes":5,"excerpt":"a\u001b[31mb\nc","type":"cors"}`,
			want: omit, read: true, status: 200, excerpt: "a\x1b[31mb\nc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := parseAttempt([]byte(tc.raw), tc.want)
			if tc.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errPart) {
					t.Fatalf("error %v, want one containing %q", err, tc.errPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Read != tc.read || r.Status != tc.status || r.Excerpt != tc.excerpt || !strings.Contains(r.Error, tc.whyPart) {
				t.Errorf("got %+v", r)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	if s := cleanText(strings.Repeat("é", 10), 5); s != "éé…" { // 2 bytes each: cut on a rune boundary
		t.Errorf("got %q", s)
	}
	// Terminal control characters (C0, and C1 such as the one-byte CSI) in what a server sent
	// are neutralised; line breaks become spaces.
	if s := cleanText("a\x1b[31mb\nc\u009b2Jd\xff", 100); s != "a.[31mb c.2Jd\uFFFD" {
		t.Errorf("got %q", s)
	}
}

func TestExplainPrefersTheBrowsersReason(t *testing.T) {
	console := []string{
		"Access to fetch at 'https://api/' from origin 'https://evil' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
		"Failed to load resource: net::ERR_FAILED",
	}
	if got := explain("Failed to fetch", console); got != "blocked by CORS: No 'Access-Control-Allow-Origin' header is present on the requested resource." {
		t.Errorf("got %q", got)
	}
	if got := explain("Failed to fetch", []string{"Failed to load resource: net::ERR_BAD_SSL_CLIENT_AUTH_CERT"}); got != "network error ERR_BAD_SSL_CLIENT_AUTH_CERT" {
		t.Errorf("got %q", got)
	}
	if got := explain("timeout", nil); !strings.Contains(got, "client-certificate selection") {
		t.Errorf("got %q", got)
	}
	if got := explain("Failed to fetch", nil); got != "Failed to fetch" {
		t.Errorf("got %q", got)
	}
}

// The policy is a list of JSON strings, one per target host:port, filtered by issuer CN.
func TestPolicyJSON(t *testing.T) {
	ca := pki.NewCA("Example Corp Internal Client CA")
	leaf := ca.Client("alice")
	claims := []Claim{
		{URL: mustURL(t, "https://127.0.0.1:8443/api/profile")},
		{URL: mustURL(t, "https://127.0.0.1:8443/api/other"), Origin: "null"},
		{URL: mustURL(t, "https://api.example.com/v1")},
		{URL: mustURL(t, "http://plain.example.com/")},
	}
	body, err := policyJSON(claims, &leaf.TLS)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string][]string
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	entries := doc["AutoSelectCertificateForUrls"]
	if len(entries) != 2 {
		t.Fatalf("want one entry per https host:port, got %q", entries)
	}
	var e struct {
		Pattern string                       `json:"pattern"`
		Filter  map[string]map[string]string `json:"filter"`
	}
	if err := json.Unmarshal([]byte(entries[1]), &e); err != nil {
		t.Fatal(err)
	}
	if e.Pattern != "https://api.example.com:443" || e.Filter["ISSUER"]["CN"] != "Example Corp Internal Client CA" {
		t.Errorf("entry %+v", e)
	}
}

// plan puts each claim's page on the origin its finding names, or refuses clearly.
func TestPlanPageOrigins(t *testing.T) {
	target := mustURL(t, "https://api.example.com:8443/v1")
	claims := []Claim{
		{URL: target},
		{URL: target, Origin: "null"},
		{URL: target, Origin: "https://api.example.com.evil.test"},
		{URL: target, Origin: "http://app.example.com"},
		{URL: target, Origin: "https://10.0.0.1"},
		{URL: target, Origin: "http://localhost:3000"},
		{URL: target, Origin: "https://api.example.com:8443"},
	}
	s, err := newPageServer(context.Background(), claims, Options{Timeout: time.Second, MaxBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	for i, want := range []string{s.defaultOrigin, "null", "https://api.example.com.evil.test", "http://app.example.com"} {
		if j := s.jobs[i]; j.err != nil || j.pageOrigin != want {
			t.Errorf("claim %d: origin %q err %v, want %q", i, j.pageOrigin, j.err, want)
		}
	}
	for i := 4; i < len(claims); i++ {
		if s.jobs[i].err == nil {
			t.Errorf("claim %d (%s): served, want a clear refusal", i, claims[i].Origin)
		}
	}
	rules := s.resolverRules()
	for _, want := range []string{
		"MAP " + AttackerHost + ":",
		"MAP api.example.com.evil.test:443 " + s.https.Addr().String(),
		"MAP app.example.com:80 " + s.plain.Addr().String(),
	} {
		if !strings.Contains(rules, want) {
			t.Errorf("resolver rules %q lack %q", rules, want)
		}
	}
	// The target itself is never remapped.
	if strings.Contains(rules, "api.example.com:8443") {
		t.Errorf("resolver rules remap the target: %q", rules)
	}
}

func TestMajor(t *testing.T) {
	for in, want := range map[string]string{"156.0.8078.129": "156", "": "", "dev": "dev"} {
		if got := Major(in); got != want {
			t.Errorf("Major(%q) = %q, want %q", in, got, want)
		}
	}
	if got := productVersion("HeadlessChrome/156.0.8078.129"); got != "156.0.8078.129" {
		t.Errorf("productVersion: %q", got)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
