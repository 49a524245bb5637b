package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that records Skip and Fatal instead of ending the test.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
}
func (r *recorder) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

// Without nginx the suite skips with the install command, and fails instead under
// CROSSGATE_E2E=1 (CI), so a broken CI image cannot pass by skipping everything.
func TestMissingStack(t *testing.T) {
	saved := NginxBin
	t.Cleanup(func() { NginxBin = saved })
	NginxBin = "/nonexistent/nginx"
	t.Setenv("PATH", t.TempDir())

	const want = "e2e: nginx not found; install with: apt-get install -y nginx python3-django python3-django-cors-headers"
	if got := Missing(); got != want {
		t.Fatalf("Missing() = %q, want %q", got, want)
	}
	t.Setenv("CROSSGATE_E2E", "")
	r := &recorder{TB: t}
	RequireStack(r)
	if r.skipped != want || r.failed != "" {
		t.Errorf("without CROSSGATE_E2E: skipped %q failed %q, want a skip with the hint", r.skipped, r.failed)
	}
	t.Setenv("CROSSGATE_E2E", "1")
	r = &recorder{TB: t}
	RequireStack(r)
	if r.skipped != "" || !strings.HasPrefix(r.failed, want) {
		t.Errorf("with CROSSGATE_E2E=1: skipped %q failed %q, want a failure with the hint", r.skipped, r.failed)
	}
}
