package scan

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
)

func endpointsOf(srv *vulnserver.Server, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s/api/items/%d", srv.URL, i))
	}
	return out
}

func runOn(t *testing.T, srv *vulnserver.Server, targets []string, mod func(*Config)) *report.Report {
	t.Helper()
	cfg := Config{Targets: targets, User: &probe.Identity{Name: "user", Certificate: &srv.Client.TLS},
		Origins: []string{"https://app.example.com"}, Probe: probe.Config{RootCAs: srv.CA.Pool(), Rate: -1}}
	if mod != nil {
		mod(&cfg)
	}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// rulesAt lists the rules reported at url, sorted.
func rulesAt(rep *report.Report, url string) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.URL == url {
			out = append(out, f.Rule)
		}
	}
	sort.Strings(out)
	return out
}

// Endpoints that answer like the first get the confirming set, stay within the budget, and
// every endpoint rule the first endpoint has is reported on each of them.
func TestOriginBudgetKeepsEveryRule(t *testing.T) {
	for _, kind := range []vulnserver.Kind{vulnserver.ReflectCredentials, vulnserver.Regex, vulnserver.Wildcard} {
		t.Run(kind.String(), func(t *testing.T) {
			srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.VerifyClientCertIfGiven,
				Policy: vulnserver.Policy{Kind: kind, Pattern: `^https://app\.example\.com`, Origins: []string{"https://app.example.com"}}})
			targets := endpointsOf(srv, 8)
			rep := runOn(t, srv, targets, nil)
			first := rep.Targets[0]
			// The full set, site facts included (27 well-known files, error pages, old TLS
			// versions): 81 requests here; issue 9's target of 60 is not met yet (BENCHMARKS.md).
			if first.ProbeSet != "full" || first.Requests > 85 || first.Requests == 0 {
				t.Errorf("first endpoint: %s set, %d requests (want full, at most 85)", first.ProbeSet, first.Requests)
			}
			want := rulesAt(rep, first.URL)
			if len(want) == 0 {
				t.Fatalf("no finding on the first endpoint: %+v", rep.Findings)
			}
			for _, tg := range rep.Targets[1:] {
				if tg.ProbeSet != "confirming" || tg.Template != first.URL {
					t.Errorf("%s: %s set (template %q), want confirming after %s", tg.URL, tg.ProbeSet, tg.Template, first.URL)
				}
				if tg.Requests > 15 {
					t.Errorf("%s: %d requests, want at most 15", tg.URL, tg.Requests)
				}
				if got := rulesAt(rep, tg.URL); !slices.Equal(got, want) {
					t.Errorf("%s: rules %v, want the first endpoint's %v", tg.URL, got, want)
				}
			}
			if len(rep.Origins) != 1 || rep.Origins[0].Endpoints != 8 || rep.Origins[0].Origin != probe.OriginOf(srv.URL) {
				t.Errorf("origins %+v", rep.Origins)
			}
		})
	}
}

// An endpoint whose CORS answers differ from every probed one gets the full set.
func TestOriginDifferentEndpointGetsFullSet(t *testing.T) {
	a := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.VerifyClientCertIfGiven, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	rep := runOn(t, a, []string{a.URL + "/x", a.URL + "/y"}, func(c *Config) { c.Origins = nil })
	if rep.Targets[1].ProbeSet != "confirming" {
		t.Fatalf("same answers: %s set", rep.Targets[1].ProbeSet)
	}
	// Two origins never share templates: the second origin's first endpoint is full.
	b := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.VerifyClientCertIfGiven, Policy: vulnserver.Policy{Kind: vulnserver.ReflectCredentials}})
	rep = runOn(t, a, []string{a.URL + "/x", b.URL + "/x", b.URL + "/y"}, func(c *Config) {
		c.Origins, c.User = nil, nil
		c.Probe.RootCAs, c.Probe.Insecure = nil, true // two servers, two CAs; loopback only
	})
	if got := []string{rep.Targets[0].ProbeSet, rep.Targets[1].ProbeSet, rep.Targets[2].ProbeSet}; !slices.Equal(got, []string{"full", "full", "confirming"}) {
		t.Errorf("probe sets %v", got)
	}
	if len(rep.Origins) != 2 {
		t.Errorf("%d origins, want 2", len(rep.Origins))
	}
}

func TestChecksAndSkip(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.VerifyClientCertIfGiven, Policy: vulnserver.Policy{Kind: vulnserver.ReflectCredentials}})
	rep := runOn(t, srv, []string{srv.URL + "/"}, func(c *Config) {
		c.Checks = map[string]bool{"cors": true}
		c.Skip = []string{"cors-missing-vary-origin"}
	})
	for _, f := range rep.Findings {
		if !strings.HasPrefix(f.Rule, "cors-") || f.Rule == "cors-missing-vary-origin" {
			t.Errorf("%s reported with --checks cors --skip cors-missing-vary-origin", f.Rule)
		}
	}
	if len(rep.Findings) == 0 {
		t.Error("no CORS finding on a reflect+credentials server")
	}
	joined := strings.Join(rep.NotRun, "; ")
	for _, w := range []string{"mtls", "exposure", "cors-missing-vary-origin"} {
		if !strings.Contains(joined, w) {
			t.Errorf("not_run %q does not name %s", joined, w)
		}
	}
	for _, bad := range []func(*Config){
		func(c *Config) { c.Checks = map[string]bool{"xss": true} },
		func(c *Config) { c.Skip = []string{"no-such-rule"} },
	} {
		cfg := Config{Targets: []string{srv.URL}}
		bad(&cfg)
		_, err := Run(context.Background(), cfg)
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("err = %v, want an InputError", err)
		}
	}
}

// An interrupted scan lists the endpoints it never reached as not started, not as failures.
func TestInterruptedListsNotStarted(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.VerifyClientCertIfGiven, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Run(ctx, Config{Targets: endpointsOf(srv, 3), Probe: probe.Config{RootCAs: srv.CA.Pool(), Rate: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Summary.Interrupted || rep.Summary.NotStarted != 3 || rep.Summary.Failed != 0 {
		t.Errorf("summary %+v, want interrupted with 3 not started and none failed", rep.Summary)
	}
	for _, tg := range rep.Targets {
		if tg.Status != report.StatusNotStarted {
			t.Errorf("%s: status %q", tg.URL, tg.Status)
		}
	}
	_ = finding.Info
}

// A description fetched from the network cannot widen where the client certificate goes: a
// server it names on a host the user did not name is listed as not probed, never contacted.
func TestOpenAPIFromURLDoesNotWidenScope(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.VerifyClientCertIfGiven, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	other := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) // same server, a host not named
	doc := `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"servers":[{"url":"` + srv.URL + `"},{"url":"` + other + `"}],` +
		`"paths":{"/api/profile":{"get":{"responses":{"200":{"description":"ok"}}}}}}`
	docs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, doc)
	}))
	t.Cleanup(docs.Close)
	cfg := Config{Targets: []string{srv.URL + "/api/profile"}, User: &probe.Identity{Name: "user", Certificate: &srv.Client.TLS},
		Probe: probe.Config{RootCAs: srv.CA.Pool(), Rate: -1}, OpenAPI: docs.URL + "/openapi.json"}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range rep.Targets {
		if strings.Contains(tg.URL, "localhost") {
			t.Fatalf("scanned %s, a host named only by a description fetched from the network", tg.URL)
		}
	}
	b, _ := json.Marshal(rep)
	if !strings.Contains(string(b), "not one you named") {
		t.Fatalf("the left-out server is not reported: %s", b)
	}
}
