package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A target where nothing was reached exits 3 and says why (issue 10, item 1), unless a
// finding at or above --fail-on already makes the exit 1.
func TestNotTestedExits3(t *testing.T) {
	notFound := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "not found")
	}))
	defer notFound.Close()
	code, out, stderr := runCLI(t, "scan", "--insecure", "--rate", "1000", "--fail-on", "high", notFound.URL+"/api/profiel")
	if code != exitNoTarget {
		t.Fatalf("every answer 404: exit %d, want %d\nstderr %s\n%s", code, exitNoTarget, stderr, out)
	}
	if !strings.Contains(out, "not tested: every answer was HTTP 404") || !strings.Contains(stderr, "not tested") || !strings.Contains(out, "1 NOT TESTED") {
		t.Errorf("the report does not say the target was not tested:\nstderr %s\n%s", stderr, out)
	}
	// A finding at or above --fail-on wins: exit 1 (the 404 page is readable cross-origin, low).
	if code, out, _ := runCLI(t, "scan", "--insecure", "--rate", "1000", "--fail-on", "info", notFound.URL+"/api/profiel"); code != exitFindings {
		t.Errorf("finding at --fail-on info on a not-tested target: exit %d, want %d\n%s", code, exitFindings, out)
	}
}
