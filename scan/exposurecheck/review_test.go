package exposurecheck

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// A fingerprint is for baselines: it must not change from one run to the
// next (the mask key does) nor when a token in the URL is rotated.
func TestFingerprintIgnoresMaskedValues(t *testing.T) {
	fp := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		r := &sweep{env: &endpoint.Env{URL: u}}
		f := finding.New("secret-in-response")
		r.stamp(&f, "body")
		if strings.Contains(f.URL, "tok-one") || strings.Contains(f.URL, "tok-two") || f.URL != r.env.ReportURL() {
			t.Errorf("URL not shown as the target line shows it (%q): %q", r.env.ReportURL(), f.URL)
		}
		return f.Fingerprint
	}
	a := fp("https://h.test/api?access_token=tok-one&page=2")
	b := fp("https://h.test/api?access_token=tok-two-longer&page=2")
	if a == "" || a != b {
		t.Errorf("fingerprints differ with the masked token: %q vs %q", a, b)
	}
	if c := fp("https://h.test/other?access_token=tok-one"); c == a {
		t.Error("a different path must give a different fingerprint")
	}
}

// A file at the site root is one finding whichever endpoint of the site found it: located
// at the file's URL, with one fingerprint, so the scan can collapse the repeats.
func TestSiteFileLocatedAtFile(t *testing.T) {
	srv := startTLS(t, tls.VerifyClientCertIfGiven, func(w http.ResponseWriter, r *http.Request) {
		if f, ok := servedFiles[r.URL.Path]; ok && r.URL.Path == "/.env" {
			w.Header().Set("Content-Type", f.ct)
			_, _ = io.WriteString(w, f.body)
			return
		}
		if r.URL.Path == "/api/profile" || r.URL.Path == "/api/orders" {
			writeJSON(w, map[string]string{"status": "ok"})
			return
		}
		http.NotFound(w, r)
	})
	var prints []string
	for _, p := range []string{"/api/profile", "/api/orders"} {
		fs := byRule(runChecks(t, newEnv(t, srv.URL+p, envOpts{})))["exposed-env-file"]
		if len(fs) != 1 {
			t.Fatalf("%s: %d exposed-env-file findings, want 1", p, len(fs))
		}
		if fs[0].URL != srv.URL+"/.env" {
			t.Errorf("%s: finding located at %q, want %q", p, fs[0].URL, srv.URL+"/.env")
		}
		prints = append(prints, fs[0].Fingerprint)
	}
	if prints[0] != prints[1] {
		t.Errorf("fingerprints differ by endpoint: %q", prints)
	}
}
