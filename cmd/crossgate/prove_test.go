package main

import (
	"os"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/scan/prove"
)

// --prove without Chromium is an input error found before any request, with a hint.
func TestProveWithoutChromium(t *testing.T) {
	f := newFixture(t)
	t.Setenv("PATH", t.TempDir())
	code, _, stderr := runCLI(t, "scan", "--cert", f.cert, "--key", f.key, "--cacert", f.serverCA, "--prove", f.url)
	if code != exitUsage || !strings.Contains(stderr, "error: --prove: Chromium not found") || !strings.Contains(stderr, "hint: install it (Debian/Ubuntu: apt-get install chromium libnss3-tools)") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
}

func TestProveHelp(t *testing.T) {
	_, out, _ := runCLI(t, "scan", "--help")
	if !strings.Contains(out, "--prove") || !strings.Contains(out, "headless Chromium") {
		t.Errorf("scan --help does not teach --prove:\n%s", out)
	}
}

// The CLI end to end: the seed's mistake is proven in Chromium and the text report says so.
func TestProveCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	if _, err := prove.FindBrowser(""); err != nil {
		if os.Getenv("CROSSGATE_E2E") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	f := newFixture(t)
	code, out, stderr := runCLI(t, "scan", "--cert", f.cert, "--key", f.key, "--cacert", f.serverCA, "--rate", "1000", "--prove", f.url)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFindings, stderr)
	}
	for _, want := range []string{"proof:     proven in Chromium ", ": a page on https://" + prove.AttackerHost + ":", "(HTTP 200, credentials mode omit); certificate auto-selected by the browser",
		// The fixture answers OPTIONS without Access-Control-Allow-Headers: preflights fail.
		"read in:   omit (HTTP 200, ", "blocked:   omit+preflight, same-origin+preflight, include, include+preflight"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "alice.liddell@acme-health.net") {
		t.Errorf("the report shows the raw e-mail address")
	}
}
