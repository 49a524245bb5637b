package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCLIRealStack runs the crossgate binary, as a user would, with PEM files on disk:
// exit 1 and the finding in JSON for the seed's mistake, exit 0 for the fixed configuration.
func TestCLIRealStack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the crossgate binary")
	}
	RequireStack(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH; cannot build cmd/crossgate")
	}
	bin := filepath.Join(t.TempDir(), "crossgate")
	build := exec.Command(goBin, "build", "-o", bin, "github.com/crossgate/crossgate/cmd/crossgate")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/crossgate: %v\n%s", err, out)
	}
	scanCLI := func(s *Stack, path string, args ...string) (int, []byte, string) {
		t.Helper()
		full := append([]string{"scan", "--cert", s.CertFile["alice"], "--key", s.KeyFile["alice"],
			"--cacert", s.ServerCAFile, "--identity", "bob=" + s.CertFile["bob"] + "," + s.KeyFile["bob"],
			"--origin", appOrigin, "--rate", "1000", "--format", "json"}, args...)
		full = append(full, s.URL(path))
		cmd := exec.Command(bin, full...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return 0, out.Bytes(), errOut.String()
		case errors.As(err, &exit):
			return exit.ExitCode(), out.Bytes(), errOut.String()
		}
		t.Fatalf("run crossgate: %v", err)
		return 0, nil, ""
	}

	s := shared(t, "allow_all_creds")
	code, out, stderr := scanCLI(s, "/api/profile", "--fail-on", "high")
	if code != 1 {
		t.Fatalf("allow_all_creds: exit %d, want 1; stderr:\n%s", code, stderr)
	}
	var rep struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("JSON report: %v\n%s", err, out)
	}
	found := false
	for _, f := range rep.Findings {
		found = found || (f.Rule == "cors-reflect-origin-credentials" && f.Severity == "critical")
	}
	if !found {
		t.Errorf("no critical cors-reflect-origin-credentials in the CLI's JSON:\n%s", out)
	}

	s = shared(t, "fixed_nginx_cors")
	if code, out, stderr := scanCLI(s, "/api/health", "--fail-on", "low"); code != 0 {
		t.Errorf("fixed configuration: exit %d, want 0; stderr:\n%s\nreport:\n%s", code, stderr, out)
	}
}
