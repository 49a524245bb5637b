package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// The target URL is printed one way in every place of a report (issue 10, item 8): the
// target line and every finding located at the endpoint show the same masked string, in
// text as in JSON.
func TestTargetURLPrintedOneWay(t *testing.T) {
	f := newFixture(t)
	u := strings.Replace(f.url, "https://", "https://bob:Hunter2Secret@", 1) + "?access_token=QQtok3nVALUE999&page=2"
	_, out, _ := runCLI(t, "scan", "--cert", f.cert, "--key", f.key, "--cacert", f.serverCA, "--rate", "1000", "--format", "json", u)
	var rep struct {
		Targets  []struct{ URL string }               `json:"targets"`
		Findings []struct{ URL, Rule, Detail string } `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	want := rep.Targets[0].URL
	site := strings.Replace(f.url, "/api/profile", "/", 1)
	for _, fd := range rep.Findings {
		if fd.URL != want && fd.URL != site {
			t.Errorf("%s located at %q, the target is printed %q", fd.Rule, fd.URL, want)
		}
		if fd.Rule == "cleartext-credentials" {
			t.Errorf("credentials typed into an https URL reported: %s", fd.Detail)
		}
	}
	_, text, _ := runCLI(t, "scan", "--cert", f.cert, "--key", f.key, "--cacert", f.serverCA, "--rate", "1000", u)
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, "where:"); i >= 0 {
			if got := strings.TrimSpace(line[i+len("where:"):]); got != want && got != site {
				t.Errorf("text report locates a finding at %q, the target is printed %q", got, want)
			}
		}
	}
	t.Logf("target printed as %s", want)
}
