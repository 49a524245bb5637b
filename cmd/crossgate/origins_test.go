package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --openapi FILE scans the description's GET operations; a relative server resolves against
// the URL given; progress on request goes to stderr, never stdout.
func TestScanOpenAPIFile(t *testing.T) {
	f := newFixture(t)
	doc := filepath.Join(f.dir, "api.yaml")
	os.WriteFile(doc, []byte(`openapi: 3.1.0
info: {title: Profiles, version: "1"}
servers: [{url: /api}]
components: {securitySchemes: {cert: {type: mutualTLS}}}
security: [{cert: []}]
paths:
  /profile: {get: {operationId: profile}}
  /users/{id}: {get: {parameters: [{name: id, in: path, required: true, schema: {type: integer}}]}, delete: {}}
`), 0o600)
	base := strings.TrimSuffix(f.url, "/api/profile") + "/"
	code, out, stderr := runCLI(t, "scan", "--cert", f.cert, "--key", f.key, "--cacert", f.serverCA, "--rate", "1000",
		"--openapi", doc, "--format", "json", "--fail-on", "none", "--progress", base)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Origins []struct {
			Endpoints int      `json:"endpoints"`
			NotProbed []string `json:"not_probed"`
		} `json:"origins"`
		Targets []struct {
			URL           string   `json:"url"`
			ProbeSet      string   `json:"probe_set"`
			GuessedParams []string `json:"guessed_params"`
			ExpectMTLS    bool     `json:"expect_mtls"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report (progress leaked?): %v\n%s", err, out)
	}
	if len(rep.Origins) != 1 || rep.Origins[0].Endpoints != 3 || len(rep.Origins[0].NotProbed) != 1 {
		t.Fatalf("origins %+v, want one with the URL and two operations, DELETE not probed", rep.Origins)
	}
	var guessed bool
	for _, tg := range rep.Targets {
		if strings.HasSuffix(tg.URL, "/api/users/1") && len(tg.GuessedParams) == 1 && tg.ExpectMTLS {
			guessed = true
		}
	}
	if !guessed {
		t.Errorf("no /api/users/1 target with its guessed id and expect_mtls: %+v", rep.Targets)
	}
	if !strings.Contains(stderr, "crossgate: origins 1/1, endpoints 3/3") {
		t.Errorf("--progress line missing from stderr: %q", stderr)
	}
}

func TestScanChoiceErrors(t *testing.T) {
	f := newFixture(t)
	rel := filepath.Join(f.dir, "rel.json")
	os.WriteFile(rel, []byte(`{"openapi": "3.0.0", "info": {"title": "x", "version": "1"}, "servers": [{"url": "/v1"}], "paths": {"/a": {"get": {}}}}`), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--checks", "cors,xss", f.url}, `unknown check family "xss"`},
		{[]string{"--skip", "no-such-rule", f.url}, `unknown rule "no-such-rule"`},
		{[]string{"--openapi", rel}, "give the API's base URL too"},
		{[]string{"--openapi", filepath.Join(f.dir, "missing.yaml"), f.url}, "cannot read"},
		{[]string{"--connections", "0", f.url}, "--connections must be"},
	} {
		code, _, stderr := runCLI(t, append([]string{"scan"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
