package e2e

// A target where nothing protected was reached must say so (issue 10, item 1): plain http://
// to nginx's HTTPS port, a mistyped path, and the user's own certificate refused (expired, or
// from a CA nginx does not trust) are "not tested" with the reason, never a clean report.

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan"
)

func TestNotTested(t *testing.T) {
	s := shared(t, "exact")
	now := time.Now()
	expiredLeaf := s.ClientCA.Issue(pki.Options{Subject: aliceSubject, NotBefore: now.Add(-40 * 24 * time.Hour), NotAfter: now.Add(-10 * 24 * time.Hour)})
	expired := &probe.Identity{Name: "alice", Certificate: &expiredLeaf.TLS}
	strangerLeaf := pki.NewCA("Stranger Root CA").Issue(pki.Options{Subject: aliceSubject})
	stranger := &probe.Identity{Name: "alice", Certificate: &strangerLeaf.TLS}

	cases := []struct {
		name, url string
		user      *probe.Identity
		want      []string // substrings of the not-tested reason; none: must be tested
	}{
		{"control", s.URL("/api/profile"), s.Identity("alice"), nil},
		{"plain_http_to_https_port", strings.Replace(s.URL("/api/profile"), "https://", "http://", 1), s.Identity("alice"), []string{"plain HTTP", "https://"}},
		{"mistyped_path", s.URL("/api/profiel"), s.Identity("alice"), []string{"404", "path"}},
		{"mistyped_path_no_cert_needed_anon", s.URL("/api/nothing-here"), s.Identity("alice"), []string{"404"}},
		{"expired_own_cert", s.URL("/api/profile"), expired, []string{"expired", expiredLeaf.Cert.NotAfter.UTC().Format("2006-01-02 15:04:05")}},
		{"own_cert_from_untrusted_ca", s.URL("/api/profile"), stranger, []string{"Stranger Root CA", "does not trust"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			rep, err := scan.Run(ctx, scan.Config{Targets: []string{tc.url}, User: tc.user, Origins: []string{appOrigin},
				Probe: probe.Config{RootCAs: s.ServerCA, Timeout: 15 * time.Second, Rate: -1}, Concurrency: 1})
			if err != nil {
				t.Fatalf("scan.Run: %v", err)
			}
			tg := rep.Targets[0]
			if tc.want == nil {
				if tg.NotTested != "" || tg.Error != "" {
					t.Fatalf("control target reported not tested: %q %q", tg.NotTested, tg.Error)
				}
				if rep.Summary.NotTested != 0 {
					t.Errorf("summary counts %d not tested", rep.Summary.NotTested)
				}
				return
			}
			if tg.NotTested == "" {
				t.Fatalf("%s: not reported as not tested (error %q, auth %s, %d findings, warnings %q)", tc.url, tg.Error, tg.Auth, tg.Findings, tg.Warnings)
			}
			for _, w := range tc.want {
				if !strings.Contains(tg.NotTested, w) {
					t.Errorf("reason %q does not say %q", tg.NotTested, w)
				}
			}
			if rep.Summary.NotTested != 1 {
				t.Errorf("summary counts %d not tested, want 1", rep.Summary.NotTested)
			}
			var text, js, sarif bytes.Buffer
			if err := report.WriteText(&text, rep, report.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), "not tested: "+tg.NotTested) {
				t.Errorf("text report does not show the reason:\n%s", text.String())
			}
			if err := report.WriteJSON(&js, rep); err != nil {
				t.Fatal(err)
			}
			var parsed struct {
				Targets []struct {
					NotTested string `json:"not_tested"`
				} `json:"targets"`
			}
			if err := json.Unmarshal(js.Bytes(), &parsed); err != nil || parsed.Targets[0].NotTested != tg.NotTested {
				t.Errorf("JSON report lacks not_tested (%v):\n%s", err, js.String())
			}
			if err := report.WriteSARIF(&sarif, rep); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(sarif.String(), `"executionSuccessful": false`) || !strings.Contains(sarif.String(), "not tested") {
				t.Errorf("SARIF does not mark the run as not tested:\n%s", sarif.String())
			}
		})
	}
}
