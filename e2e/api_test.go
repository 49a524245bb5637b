package e2e

// The API fixture of issue 9 (scan by origin, budgets, API descriptions) on the real stack:
// Django settings xg/cfg_api.py (URLs in xg/api_urls.py, views in xg/api_views.py) behind
// nginx with ssl_verify_client optional. One origin serves item endpoints that require the
// certificate in the application and answer an exact allowlist (django-cors-headers), partner
// endpoints whose views echo any Origin with credentials, endpoints under /api/open/ where
// nginx adds Access-Control-Allow-Origin: * over the application's answer, an account
// endpoint that serves alice's account without a certificate, and the API's own OpenAPI 3.1
// description at /openapi.json. "api_noverify" is the same application behind nginx without
// ssl_verify_client: no CertificateRequest at all.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan"
	"github.com/crossgate/crossgate/scan/openapi"
)

func init() {
	register("api", func() StackConfig {
		return StackConfig{Verify: "optional", Settings: "cfg_api", ServerExtra: `
        location /api/open/ {
            add_header Access-Control-Allow-Origin "*" always;
            proxy_pass ` + PlaceholderUpstream + `;
        }`}
	})
	register("api_noverify", func() StackConfig { return StackConfig{Settings: "cfg_api"} })
}

// apiDescription is an OpenAPI 3.1 document for the fixture: the mutualTLS scheme on the item,
// partner and account operations, none on health; one path served by the stack without
// client authentication (a path-level server); a partner id with no example (guessed); two
// operations that are not GET.
func apiDescription(api, noverify *Stack) string {
	return fmt.Sprintf(`openapi: 3.1.0
info: {title: crossgate e2e API, version: "1"}
servers: [{url: %q}]
components:
  securitySchemes:
    clientCert: {type: mutualTLS}
security: [{clientCert: []}]
paths:
  /api/items/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer, example: 3}}]
    get: {operationId: getItem, responses: {"200": {description: an item}}}
    put: {operationId: putItem, responses: {"200": {description: stored}}}
  /api/partners/{partner}:
    get:
      operationId: getPartnerItem
      parameters: [{name: partner, in: path, required: true, schema: {type: integer}}]
      responses: {"200": {description: a partner item}}
  /api/account:
    get: {operationId: getAccount, responses: {"200": {description: the account}}}
  /api/health:
    get: {operationId: health, security: [], responses: {"200": {description: ok}}}
  /api/orders:
    post: {operationId: createOrder, responses: {"201": {description: created}}}
  /api/legacy/account:
    servers: [{url: %q}]
    get: {operationId: getLegacyAccount, responses: {"200": {description: the account}}}
  /api/legacy/health:
    servers: [{url: %q}]
    get: {operationId: legacyHealth, security: [], responses: {"200": {description: ok}}}
`, api.URL("/"), noverify.URL("/"), noverify.URL("/"))
}

func apiScanConfig(s *Stack, targets ...string) scan.Config {
	return scan.Config{
		Targets: targets, User: s.Identity("alice"), Origins: []string{appOrigin},
		Probe: probe.Config{RootCAs: s.ServerCA, Timeout: 15 * time.Second, Rate: -1},
	}
}

func runScan(t testing.TB, cfg scan.Config) *report.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := scan.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("scan.Run: %v", err)
	}
	return rep
}

// rulesAt returns the rules reported at each URL (a site-wide finding at the site's root).
func rulesAt(rep *report.Report) map[string][]string {
	out := map[string][]string{}
	for _, f := range rep.Findings {
		out[f.URL] = append(out[f.URL], f.Rule)
	}
	for u := range out {
		sort.Strings(out[u])
		out[u] = slices.Compact(out[u])
	}
	return out
}

func targetOf(t testing.TB, rep *report.Report, suffix string) report.Target {
	t.Helper()
	for _, tg := range rep.Targets {
		if strings.HasSuffix(tg.URL, suffix) {
			return tg
		}
	}
	t.Fatalf("no target ending in %s among %d", suffix, len(rep.Targets))
	return report.Target{}
}

// --openapi with a file: the GET operations are scanned, the others listed as not probed,
// the guessed parameter named, and an operation the document declares mTLS that answers
// without a certificate is reported without --expect-mtls, while an open one is not.
func TestOpenAPIDescriptionRealStack(t *testing.T) {
	api, noverify := shared(t, "api"), shared(t, "api_noverify")
	doc := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(doc, []byte(apiDescription(api, noverify)), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, err := openapi.ReadFile(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := apiScanConfig(api)
	cfg.Spec = spec
	// Two stacks, two server CAs.
	roots := api.ServerCA.Clone()
	if pem, err := os.ReadFile(noverify.ServerCAFile); err != nil || !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("server CA of %s: %v", noverify.Cfg.Name, err)
	}
	cfg.Probe.RootCAs = roots
	rep := runScan(t, cfg)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("report:\n%s", summarize(rep))
		}
	})
	if cfg.Options.ExpectMTLS {
		t.Fatal("the test must run without --expect-mtls")
	}
	// Six GET operations, two origins.
	want := []string{"/api/items/3", "/api/account", "/api/health", "/api/legacy/account", "/api/legacy/health"}
	if len(rep.Targets) != 6 || rep.Summary.Scanned != 6 {
		t.Fatalf("%d targets, %d scanned, want the 6 GET operations", len(rep.Targets), rep.Summary.Scanned)
	}
	for _, w := range want {
		targetOf(t, rep, w)
	}
	partner := targetOf(t, rep, "")
	for _, tg := range rep.Targets {
		if strings.Contains(tg.URL, "/api/partners/") {
			partner = tg
		}
	}
	if !slices.Equal(partner.GuessedParams, []string{"partner"}) {
		t.Errorf("partner operation %s: guessed %v, want [partner]", partner.URL, partner.GuessedParams)
	}
	if g := targetOf(t, rep, "/api/items/3").GuessedParams; len(g) != 0 {
		t.Errorf("items/3 took its id from the example, yet guessed %v", g)
	}
	var notProbed []string
	for _, o := range rep.Origins {
		notProbed = append(notProbed, o.NotProbed...)
	}
	for _, w := range []string{"PUT /api/items/{id}", "POST /api/orders"} {
		if !slices.ContainsFunc(notProbed, func(n string) bool { return strings.HasPrefix(n, w) }) {
			t.Errorf("%s not listed as not probed: %q", w, notProbed)
		}
	}
	at := rulesAt(rep)
	for _, c := range []struct {
		path, rule string
		want       bool
	}{
		{"/api/account", "mtls-optional-not-enforced", true}, // asks, does not require
		{"/api/legacy/account", "mtls-not-requested", true},  // never asks
		{"/api/legacy/health", "mtls-not-requested", false},  // declared open
		{"/api/health", "mtls-optional-not-enforced", true},  // asks, serves anyone: a fact of the origin
		{"/api/items/3", "mtls-optional-not-enforced", false},
	} {
		u := targetOf(t, rep, c.path).URL
		if got := slices.Contains(at[u], c.rule); got != c.want {
			t.Errorf("%s: %s reported %v, want %v (rules %v)", c.path, c.rule, got, c.want, at[u])
		}
	}
	if !targetOf(t, rep, "/api/legacy/account").ExpectMTLS || targetOf(t, rep, "/api/legacy/health").ExpectMTLS {
		t.Error("expect_mtls does not follow the document's security requirements")
	}
	// The text report says all of it.
	var txt bytes.Buffer
	if err := report.WriteText(&txt, rep, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"POST /api/orders", "partner"} {
		if !strings.Contains(txt.String(), w) {
			t.Errorf("text report lacks %q", w)
		}
	}
}

// --discover finds the description the application serves at /openapi.json, says so, and
// scans its GET operations; on a stack that serves none it says what it tried.
func TestDiscoverRealStack(t *testing.T) {
	api := shared(t, "api")
	cfg := apiScanConfig(api, api.URL("/api/health"))
	cfg.Discover = true
	rep := runScan(t, cfg)
	if len(rep.Origins) != 1 {
		t.Fatalf("%d origins, want 1", len(rep.Origins))
	}
	disc := strings.Join(rep.Origins[0].Discovery, "\n")
	if !strings.Contains(disc, "OpenAPI 3.1.0") || !strings.Contains(disc, api.URL("/openapi.json")) {
		t.Errorf("discovery does not name the description found: %q", disc)
	}
	for _, p := range []string{"/api/items/3", "/api/account", "/api/health"} {
		targetOf(t, rep, p)
	}
	if !slices.ContainsFunc(rep.Origins[0].NotProbed, func(n string) bool { return strings.HasPrefix(n, "PUT /api/items/{id}") }) {
		t.Errorf("PUT not listed as not probed: %q", rep.Origins[0].NotProbed)
	}
	if rep.Summary.Scanned != 3 {
		t.Errorf("%d scanned, want the named target and two discovered ones", rep.Summary.Scanned)
	}

	exact := shared(t, "exact")
	cfg = apiScanConfig(exact, exact.URL("/api/health"))
	cfg.Discover = true
	rep = runScan(t, cfg)
	if d := strings.Join(rep.Origins[0].Discovery, "\n"); !strings.Contains(d, "no API description") || !strings.Contains(d, "/api/schema/") {
		t.Errorf("a stack without a description: discovery says %q", d)
	}
}

// budgetTargets are 16 endpoints of the api stack's one origin: twelve alike, two whose
// views echo any origin, two where nginx adds a wildcard over the application's answer.
func budgetTargets(s *Stack) []string {
	var out []string
	for i := range 12 {
		out = append(out, s.URL(fmt.Sprintf("/api/items/%d", i)))
		switch i {
		case 4:
			out = append(out, s.URL("/api/partners/1"), s.URL("/api/open/1"))
		case 8:
			out = append(out, s.URL("/api/partners/2"), s.URL("/api/open/2"))
		}
	}
	return out
}

// Sixteen endpoints of one origin scanned together report, endpoint by endpoint, the rules
// that a full scan of each endpoint alone reports: the confirming set loses nothing, and an
// endpoint that answers differently gets the full set.
func TestOriginBudgetRealStack(t *testing.T) {
	s := shared(t, "api")
	targets := budgetTargets(s)
	rep := runScan(t, apiScanConfig(s, targets...))
	if rep.Summary.Scanned != 16 {
		t.Fatalf("%d scanned, want 16", rep.Summary.Scanned)
	}
	together := rulesAt(rep)
	alone := map[string][]string{}
	for _, u := range targets {
		for at, rules := range rulesAt(runScan(t, apiScanConfig(s, u))) {
			alone[at] = slices.Compact(slices.Sorted(slices.Values(append(alone[at], rules...))))
		}
	}
	for _, u := range append(targets, s.URL("/")) {
		if !slices.Equal(together[u], alone[u]) {
			t.Errorf("%s: scanned with its origin %v, alone %v", u, together[u], alone[u])
		}
	}
	// What each kind of endpoint must show, so that the comparison above is not of empties.
	for _, u := range targets {
		rules := together[u]
		want := []string{"pii-in-response", "mtls-http-only-enforcement"}
		switch {
		case strings.Contains(u, "/partners/"):
			want = append(want, "cors-reflect-origin-credentials")
		case strings.Contains(u, "/open/"):
			want = append(want, "cors-proxy-conflict")
		default:
			want = append(want, "cors-credentials-on-disallowed-origin")
		}
		for _, w := range want {
			if !slices.Contains(rules, w) {
				t.Errorf("%s: %s not reported (rules %v)", u, w, rules)
			}
		}
	}
	if site := together[s.URL("/")]; !slices.Contains(site, "mtls-ca-list-disclosure") {
		t.Errorf("site-wide rules %v lack mtls-ca-list-disclosure", site)
	}
	confirming := 0
	for _, tg := range rep.Targets {
		if tg.ProbeSet == "confirming" {
			confirming++
		}
	}
	for _, p := range []string{"/api/items/0", "/api/partners/1", "/api/open/1"} {
		if ps := targetOf(t, rep, p).ProbeSet; ps != "full" {
			t.Errorf("%s: probe set %q, want full (it answers unlike any endpoint before it)", p, ps)
		}
	}
	if confirming != 13 {
		t.Errorf("%d endpoints got the confirming set, want the 13 that answer like an earlier one", confirming)
	}
}
