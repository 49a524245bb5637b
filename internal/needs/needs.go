// Package needs lets a test that drives a real component (nginx, Debian's Django, openssl)
// skip on a developer machine without it, but fail in CI, where CROSSGATE_E2E=1 makes the
// real-component tests mandatory.
package needs

import (
	"fmt"
	"os"
	"testing"
)

// Mandatory reports whether real-component tests must run (CI sets CROSSGATE_E2E=1).
func Mandatory() bool { return os.Getenv("CROSSGATE_E2E") == "1" }

// Missing skips t with the message, or fails it when real-component tests are mandatory.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Mandatory() {
		t.Fatalf("%s (CROSSGATE_E2E=1: real-component tests are mandatory)", msg)
	}
	t.Skip(msg)
}
