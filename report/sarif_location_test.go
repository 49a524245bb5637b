package report_test

import (
	"github.com/crossgate/crossgate/report"
	_ "github.com/crossgate/crossgate/rules"

	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const openAPIYAML = `openapi: 3.0.3
servers:
  - url: https://api.example.com/v1
paths:
  /users/{id}:
    get: {}
  /profile:
    get: {}
  /api/profile/export:
    get: {}
`

const openAPIJSON = `{
  "openapi": "3.1.0",
  "paths": {
    "/export": {"get": {}},
    "/api/profile": {"get": {}}
  }
}`

const targetsTxt = `# crossgate-targets.txt
https://api.example.com/v1/health
https://api.example.com:8443/v1/profile?token=x
https://other.example.com/v1/profile
`

func TestSourceFileLineOf(t *testing.T) {
	for _, c := range []struct {
		name, content, url string
		want               int
	}{
		{"targets: exact URL without query", targetsTxt, "https://api.example.com:8443/v1/profile?token=REDACTED", 3},
		{"targets: port changed", targetsTxt, "https://api.example.com:9443/v1/profile", 3},
		{"targets: other host is its own line", targetsTxt, "https://other.example.com/v1/profile", 4},
		{"targets: unlisted path goes to its host", targetsTxt, "https://api.example.com/v2/x", 2},
		{"openapi yaml: path under a server base path", openAPIYAML, "https://api.example.com/v1/profile", 7},
		{"openapi yaml: longest path first", openAPIYAML, "https://api.example.com/api/profile/export", 9},
		{"openapi json: quoted key", openAPIJSON, "https://127.0.0.1:8443/api/profile", 5},
		{"openapi: a path prefix is not a key", openAPIJSON, "https://127.0.0.1:8443/api", 1},
		{"site root: the server URL", openAPIYAML, "https://api.example.com/", 3},
		{"site root: first target on the host", targetsTxt, "https://api.example.com:8443/", 3},
		{"site root: any port", targetsTxt, "https://api.example.com:1/", 2},
		{"unknown host", targetsTxt, "https://elsewhere.example/", 1},
	} {
		s := &report.SourceFile{Path: "api/openapi.yaml", Content: []byte(c.content)}
		if got := s.LineOf(c.url); got != c.want {
			t.Errorf("%s: LineOf(%s) = %d, want %d", c.name, c.url, got, c.want)
		}
	}
}

// With a report.Location file, every scan result's first report.Location is that file at the endpoint's
// line (code scanning shows alerts at files), the URL stays as a second report.Location, and the
// log still validates.
func TestSARIFScanResultsAttachToTheLocationFile(t *testing.T) {
	r := sampleScan()
	var b bytes.Buffer
	loc := &report.SourceFile{Path: "deploy/crossgate targets.txt", Content: []byte("https://127.0.0.1:8443/api/profile\n")}
	if err := report.WriteSARIFWith(&b, r, report.SARIFOptions{Location: loc}); err != nil {
		t.Fatal(err)
	}
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
	if err := compileSARIFSchema(t).Validate(v); err != nil {
		t.Fatalf("invalid SARIF: %v", err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					Physical struct {
						Artifact struct{ URI, URIBaseID string } `json:"artifactLocation"`
						Region   *struct{ StartLine int }        `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	for _, res := range log.Runs[0].Results {
		if len(res.Locations) != 2 {
			t.Fatalf("locations %+v", res.Locations)
		}
		first := res.Locations[0].Physical
		if first.Artifact.URI != "deploy/crossgate%20targets.txt" || first.Artifact.URIBaseID != "%SRCROOT%" || first.Region == nil || first.Region.StartLine != 1 {
			t.Errorf("first location %+v", first)
		}
		if res.Locations[1].Physical.Artifact.URI != "https://127.0.0.1:8443/api/profile" {
			t.Errorf("URL location lost: %+v", res.Locations[1])
		}
	}
}
