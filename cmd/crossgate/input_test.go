package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A target list with several bad lines names every one of them, with its line number, so the
// user fixes the file in one pass.
func TestTargetListReportsEveryBadLine(t *testing.T) {
	list := filepath.Join(t.TempDir(), "targets.txt")
	os.WriteFile(list, []byte("https://ok.test/a\nftp://bad.test/\n# comment\nhttps://ok.test/b\nnot a url at all\nhttps:///nohost\n"), 0o600)
	code, _, stderr := runCLI(t, "scan", "-i", list)
	if code != exitUsage {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitUsage, stderr)
	}
	for _, want := range []string{"targets.txt:2:", "targets.txt:5:", "targets.txt:6:", "3 bad lines"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "targets.txt:1:") || strings.Contains(stderr, "targets.txt:4:") {
		t.Errorf("a good line was reported:\n%s", stderr)
	}
}

// --timeout follows curl: a bare number is seconds; Go durations work too.
func TestTimeoutTakesSecondsOrDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"5": 5 * time.Second, "0.5": 500 * time.Millisecond, "1500ms": 1500 * time.Millisecond, "2m": 2 * time.Minute} {
		var d secondsOrDuration
		if err := d.Set(in); err != nil || time.Duration(d) != want {
			t.Errorf("--timeout %s = %v (%v), want %v", in, time.Duration(d), err, want)
		}
	}
	for _, bad := range []string{"", "five", "-1", "0", "1e400"} {
		var d secondsOrDuration
		if err := d.Set(bad); err == nil {
			t.Errorf("--timeout %q accepted as %v", bad, time.Duration(d))
		}
	}
	code, _, stderr := runCLI(t, "scan", "--timeout", "soon", "https://127.0.0.1:1/")
	if code != exitUsage || !strings.Contains(stderr, "--timeout") {
		t.Fatalf("bad --timeout: exit %d, stderr %s", code, stderr)
	}
}

// A URL typed without a scheme gets a suggestion, not only a refusal.
func TestTargetWithoutSchemeSuggestsHTTPS(t *testing.T) {
	for _, in := range []string{"api.example.com/v1/profile", "127.0.0.1:8443/api", "localhost:8443"} {
		code, _, stderr := runCLI(t, "scan", in)
		if code != exitUsage || !strings.Contains(stderr, "did you mean https://"+in) {
			t.Errorf("%s: exit %d, stderr %s", in, code, stderr)
		}
	}
}

// Every command answers --help, version included.
func TestVersionHelp(t *testing.T) {
	for _, args := range [][]string{{"version", "--help"}, {"version", "-h"}} {
		code, stdout, _ := runCLI(t, args...)
		if code != exitOK || !strings.Contains(stdout, "Usage:") || !strings.Contains(stdout, "crossgate version") {
			t.Errorf("%v: exit %d, stdout %q", args, code, stdout)
		}
	}
}
