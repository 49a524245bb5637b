package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With --openapi FILE and --format sarif, results point at the description that declares the
// endpoint without further flags, so code scanning can place them.
func TestSARIFScanResultsPointAtTheOpenAPIFile(t *testing.T) {
	f := newFixture(t)
	base := strings.TrimSuffix(f.url, "/api/profile")
	doc := filepath.Join(f.dir, "openapi.json")
	os.WriteFile(doc, []byte(`{"openapi":"3.1.0","info":{"title":"t","version":"1"},"servers":[{"url":"`+base+`"}],
"paths":{
"/api/profile":{"get":{"responses":{"200":{"description":"ok"}}}}}}`), 0o600)
	out := filepath.Join(f.dir, "out.sarif")
	code, _, stderr := runCLI(t, "scan", "--cert", f.cert, "--key", f.key, "--cacert", f.serverCA,
		"--openapi", doc, "--format", "sarif", "-o", out, "--rate", "1000")
	if code != exitFindings {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	if strings.Contains(stderr, "without --sarif-location") {
		t.Errorf("warned about a missing location although the description was given: %s", stderr)
	}
	b, _ := os.ReadFile(out)
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           *struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(b, &log); err != nil || len(log.Runs) == 0 || len(log.Runs[0].Results) == 0 {
		t.Fatalf("no SARIF results (%v): %s", err, b)
	}
	atPath := 0
	for _, r := range log.Runs[0].Results {
		l := r.Locations[0].PhysicalLocation
		if !strings.HasSuffix(l.ArtifactLocation.URI, "openapi.json") || l.Region == nil {
			t.Fatalf("result located at %s, want a line of the description", l.ArtifactLocation.URI)
		}
		if l.Region.StartLine == 3 {
			atPath++ // the endpoint's own findings, at its path; site-wide ones at the server line
		}
	}
	if atPath == 0 {
		t.Fatalf("no result at the /api/profile line of the description: %s", b)
	}
}
