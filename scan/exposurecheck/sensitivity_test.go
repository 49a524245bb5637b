package exposurecheck

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/crossgate/crossgate/finding"
)

func TestSensitivityNamesOnly(t *testing.T) {
	body := []byte(`{"email":"` + emailCarol + `","other":"` + emailDave + `","aws_access_key_id":"` + awsKeyID + `"}`)
	s := Sensitivity(body, "application/json")
	if len(s.PII) != 1 || s.PII[0] != "email addresses" {
		t.Errorf("PII = %q, want [email addresses]", s.PII)
	}
	if len(s.Secrets) != 1 || !strings.Contains(s.Secrets[0], "AWS access key") {
		t.Errorf("Secrets = %q", s.Secrets)
	}
	for _, n := range append(s.PII, s.Secrets...) {
		for _, v := range []string{emailCarol, emailDave, awsKeyID} {
			if strings.Contains(n, v) {
				t.Errorf("name %q carries a value", n)
			}
		}
	}
	if s := Sensitivity(body, "image/png"); s.Any() {
		t.Errorf("images are skipped, got %+v", s)
	}
	if s := Sensitivity([]byte(`{"id":"4f1c2a9e-8d3b-4e7a-9c61-2b5d8f0e3a17","created":"2026-12-01T10:15:30Z"}`), "application/json"); s.Any() {
		t.Errorf("clean body: %+v", s)
	}
}

// BenchmarkRunRequests reports the requests one endpoint costs (soft-404, error probes,
// files at two bases) against a server that serves nothing special.
func BenchmarkRunRequests(b *testing.B) {
	srv := startTLS(b, tls.NoClientCert, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/items" {
			writeJSON(w, map[string]string{"ok": "yes"})
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "not found")
	})
	var sent int64
	for b.Loop() {
		env := newEnv(b, srv.URL+"/api/items", envOpts{})
		Run(b.Context(), env)
		sent += env.Client.Sent()
	}
	b.ReportMetric(float64(sent)/float64(b.N), "requests/scan")
}

// A site that serves no file of the list costs the error probes and the file probes, and no
// soft-404 learning: that is only needed to judge a file that validates. One that serves a
// file gets the learning (four random paths, two per base).
func TestSoft404LearnedOnlyWhenAFileValidates(t *testing.T) {
	want := errorProbes + len(nestedFiles)
	for _, f := range wellKnownFiles {
		if companions[f.path] == "" { // asked for only where its companion was served
			want++
		}
	}
	for _, c := range []struct {
		name  string
		serve bool
		want  int
	}{{"nothing served", false, want}, {"a .env served", true, want + maxBases*soft404Probes}} {
		t.Run(c.name, func(t *testing.T) {
			srv := startTLS(t, tls.NoClientCert, func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/api/items":
					writeJSON(w, map[string]string{"ok": "yes"})
				case c.serve && r.URL.Path == "/.env":
					_, _ = io.WriteString(w, "APP_ENV=production\nDATABASE_URL=postgres://app:pw@db/app\nDEBUG=false\n")
				default:
					http.NotFound(w, r)
				}
			})
			env := newEnv(t, srv.URL+"/api/items", envOpts{})
			before := env.Client.Sent() // the baseline newEnv fetched
			fs := Run(t.Context(), env)
			if got := int(env.Client.Sent() - before); got != c.want {
				t.Errorf("sent %d requests, want %d", got, c.want)
			}
			if got := slices.ContainsFunc(fs, func(f finding.Finding) bool { return f.Rule == "exposed-env-file" }); got != c.serve {
				t.Errorf("exposed-env-file reported: %v, want %v (%v)", got, c.serve, rules(fs))
			}
		})
	}
}

// TestGitConfigOnlyWhereHEADIsServed: .git/config is asked for only in a directory that served
// .git/HEAD (every repository has both), and is then reported.
func TestGitConfigOnlyWhereHEADIsServed(t *testing.T) {
	for _, serve := range []bool{false, true} {
		t.Run(fmt.Sprintf("repository served %v", serve), func(t *testing.T) {
			var asked atomic.Bool
			srv := startTLS(t, tls.NoClientCert, func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/api/items":
					writeJSON(w, map[string]string{"ok": "yes"})
				case r.URL.Path == "/.git/config":
					asked.Store(true)
					if serve {
						_, _ = io.WriteString(w, "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = https://git.example/shop.git\n")
						return
					}
					http.NotFound(w, r)
				case serve && r.URL.Path == "/.git/HEAD":
					_, _ = io.WriteString(w, "ref: refs/heads/main\n")
				default:
					http.NotFound(w, r)
				}
			})
			fs := Run(t.Context(), newEnv(t, srv.URL+"/api/items", envOpts{}))
			if asked.Load() != serve {
				t.Errorf(".git/config asked for: %v, want %v", asked.Load(), serve)
			}
			config := slices.ContainsFunc(fs, func(f finding.Finding) bool {
				return f.Rule == "exposed-vcs-metadata" && strings.HasPrefix(f.Detail, "/.git/config is served")
			})
			if config != serve {
				t.Errorf(".git/config reported: %v, want %v (%v)", config, serve, rules(fs))
			}
		})
	}
}
