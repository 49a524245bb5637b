package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// A scan report groups targets under their origin, says what did not run, and lists the
// endpoints an interrupted run never reached; JSON and SARIF carry the same.
func TestOriginsInEveryFormat(t *testing.T) {
	r := &Report{Version: "test", Command: "scan",
		Origins: []Origin{{Origin: "https://a.test:443", Endpoints: 2, Requests: 90, NotProbed: []string{"DELETE /x: only GET operations are probed"}}},
		Targets: []Target{
			{URL: "https://a.test/one", Origin: "https://a.test:443", Status: "scanned", ProbeSet: "full", Requests: 77},
			{URL: "https://a.test/two", Origin: "https://a.test:443", Status: StatusNotStarted},
		},
		NotRun: []string{"the exposure checks (not chosen with --checks)"}}
	r.Finalize()
	var text bytes.Buffer
	if err := WriteText(&text, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{"not run: the exposure checks", "origin https://a.test:443: 2 endpoints, 90 requests",
		"not probed:  DELETE /x", "https://a.test/two\n  not started"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "origin https://a.test") > strings.Index(out, "https://a.test/one") {
		t.Error("the origin header does not come before its endpoints")
	}
	if r.Summary.NotStarted != 1 || r.Summary.Failed != 0 || r.SchemaVersion != SchemaVersion {
		t.Errorf("summary %+v, schema %d", r.Summary, r.SchemaVersion)
	}
	var sarif bytes.Buffer
	if err := WriteSARIF(&sarif, r); err != nil {
		t.Fatal(err)
	}
	var log map[string]any
	if err := json.Unmarshal(sarif.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	s := sarif.String()
	if !strings.Contains(s, `"origins"`) || !strings.Contains(s, "not started: https://a.test/two") || !strings.Contains(s, "not run: the exposure") {
		t.Errorf("SARIF lacks the origins, the not-started endpoint or what did not run:\n%s", s)
	}
}
