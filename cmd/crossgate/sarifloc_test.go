package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A scan driven by a targets file, with that file as --sarif-location: each result points
// at the file and the line of its URL, as code scanning needs.
func TestScanSARIFLocation(t *testing.T) {
	urls, flags := seedServers(t, 1)
	dir := t.TempDir()
	targets := filepath.Join(dir, "crossgate-targets.txt")
	os.WriteFile(targets, []byte("# APIs behind mTLS\n\n"+urls[0]+"\n"), 0o644)
	t.Chdir(dir)
	code, out, stderr := runCLI(t, append([]string{"scan", "--format", "sarif", "-i", "crossgate-targets.txt", "--sarif-location", "crossgate-targets.txt"}, flags...)...)
	if code != exitFindings || strings.Contains(stderr, "warning: without --sarif-location") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					Physical struct {
						Artifact struct{ URI string }    `json:"artifactLocation"`
						Region   struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
		t.Fatalf("SARIF: %v\n%s", err, out)
	}
	for _, r := range log.Runs[0].Results {
		if p := r.Locations[0].Physical; p.Artifact.URI != "crossgate-targets.txt" || p.Region.StartLine != 3 {
			t.Errorf("result located at %s:%d, want crossgate-targets.txt:3", p.Artifact.URI, p.Region.StartLine)
		}
	}
	// Without the flag, a warning says why code scanning will not show the results.
	if _, _, stderr := runCLI(t, append(append([]string{"scan", "--format", "sarif"}, flags...), urls[0])...); !strings.Contains(stderr, "warning: without --sarif-location") {
		t.Errorf("no warning without --sarif-location:\n%s", stderr)
	}
	for _, c := range []struct {
		args      []string
		err, hint string
	}{
		{[]string{"--sarif-location", "crossgate-targets.txt"}, "error: --sarif-location applies to --format sarif", "hint: add --format sarif"},
		{[]string{"--format", "sarif", "--sarif-location", "openapi.yaml"}, "error: cannot read --sarif-location openapi.yaml: no such file or directory", "hint: name a file in your repository"},
		{[]string{"--format", "sarif", "--sarif-location", "."}, "error: --sarif-location . is a directory", "hint: name a file"},
	} {
		code, _, stderr := runCLI(t, append(append(append([]string{"scan"}, c.args...), flags...), urls[0])...)
		if code != exitUsage || !strings.Contains(stderr, c.err) || !strings.Contains(stderr, c.hint) {
			t.Errorf("%q: exit %d\n%s", c.args, code, stderr)
		}
	}
}
