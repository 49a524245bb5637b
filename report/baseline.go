package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// Baseline is what a report made with --baseline adds: the comparison with an earlier JSON
// report. The report's own findings are then the new ones only.
type Baseline struct {
	// File is the earlier report as the user named it.
	File string `json:"file"`
	New  int    `json:"new"`
	// Unchanged were in the earlier report and are found again; they are kept here (not in
	// findings) so that this report can itself serve as the next baseline.
	Unchanged []finding.Finding `json:"unchanged"`
	// Fixed were in the earlier report, and this run covered their place and did not find them.
	Fixed []finding.Finding `json:"fixed"`
	// NotRechecked were in the earlier report at a place this run did not cover (a host not
	// scanned, a target that failed, an interrupted run): neither fixed nor found again.
	NotRechecked []finding.Finding `json:"not_rechecked,omitempty"`
}

// Diff sorts the findings of two reports of one command by fingerprint.
type Diff struct {
	New, Fixed, Unchanged, NotRechecked []finding.Finding
}

// Compare matches the findings of cur against those of old by fingerprint. Matching counts
// occurrences, so two findings that share a fingerprint (one path on two ports of a host)
// stay two. An old finding cur does not repeat is fixed only where cur looked for it.
func Compare(old, cur *Report) Diff {
	left := map[string]int{}
	for _, f := range AllFindings(old) {
		left[key(f)]++
	}
	var d Diff
	found := cur.Findings
	if cur.Baseline != nil {
		// cur was itself made with --baseline: what it found again is present as well.
		found = append(append([]finding.Finding{}, found...), cur.Baseline.Unchanged...)
	}
	for _, f := range found {
		if k := key(f); left[k] > 0 {
			left[k]--
			d.Unchanged = append(d.Unchanged, f)
		} else {
			d.New = append(d.New, f)
		}
	}
	for _, f := range AllFindings(old) {
		k := key(f)
		if left[k] == 0 {
			continue
		}
		left[k]--
		if covered(cur, f) {
			d.Fixed = append(d.Fixed, f)
		} else {
			d.NotRechecked = append(d.NotRechecked, f)
		}
	}
	for _, fs := range [][]finding.Finding{d.New, d.Fixed, d.Unchanged, d.NotRechecked} {
		finding.Sort(fs)
	}
	return d
}

// ApplyBaseline keeps in r only the findings old does not have and records the comparison;
// the summary (and so the exit code) then counts new findings only.
func ApplyBaseline(r *Report, old *Report, file string) {
	d := Compare(old, r)
	r.Findings = d.New
	r.Baseline = &Baseline{File: file, New: len(d.New), Unchanged: orEmpty(d.Unchanged), Fixed: orEmpty(d.Fixed), NotRechecked: d.NotRechecked}
	r.Finalize()
}

func orEmpty(fs []finding.Finding) []finding.Finding {
	if fs == nil {
		return []finding.Finding{}
	}
	return fs
}

// AllFindings is every finding a report knows to be present: its findings and, for a
// report made with --baseline, the earlier ones found again or not rechecked.
func AllFindings(r *Report) []finding.Finding {
	out := append([]finding.Finding{}, r.Findings...)
	if r.Baseline != nil {
		out = append(out, r.Baseline.Unchanged...)
		out = append(out, r.Baseline.NotRechecked...)
	}
	return out
}

// key is the fingerprint; a finding without one (hand-written, or from a tool that left it
// out) is matched by rule and location.
func key(f finding.Finding) string {
	if f.Fingerprint != "" {
		return f.Fingerprint
	}
	return finding.Fingerprint(f.Rule, f.URL, f.File, f.Line, "")
}

// covered reports whether cur looked where f was found: a scan covered a host when it
// scanned a target there without error (the port may differ, as fingerprints allow); an
// audit covered its findings when every target was audited. An interrupted run covers
// nothing it did not find.
func covered(cur *Report, f finding.Finding) bool {
	if cur.Summary.Interrupted {
		return false
	}
	if cur.Command == "audit" || f.URL == "" {
		for _, t := range cur.Targets {
			if t.Error != "" {
				return false
			}
		}
		return len(cur.Targets) > 0
	}
	host := hostOf(f.URL)
	for _, t := range cur.Targets {
		if t.Error == "" && t.URL != "" && hostOf(t.URL) == host {
			return true
		}
	}
	return false
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
}

// maxReportBytes bounds what ReadJSON reads: a report of a very large audit is megabytes.
const maxReportBytes = 256 << 20

// ReadJSON reads a report written by WriteJSON (crossgate scan or audit --format json).
func ReadJSON(r io.Reader) (*Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxReportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxReportBytes {
		return nil, fmt.Errorf("larger than %d MiB", maxReportBytes>>20)
	}
	var probe struct {
		Tool    string          `json:"tool"`
		Runs    json.RawMessage `json:"runs"`
		Version string          `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("not a JSON report: %v", err)
	}
	if probe.Runs != nil {
		return nil, errors.New("a SARIF log, not a crossgate JSON report")
	}
	if probe.Tool != "crossgate" {
		return nil, errors.New("not a crossgate JSON report (no \"tool\": \"crossgate\")")
	}
	var rep Report
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("not a crossgate JSON report: %v", err)
	}
	if rep.Command != "scan" && rep.Command != "audit" && rep.Command != "demo" {
		return nil, fmt.Errorf("unknown command %q in the report", rep.Command)
	}
	return &rep, nil
}

// SameKind returns an error when two reports cannot be compared: an audit's findings are in
// files, a scan's at URLs, and none would ever match.
func SameKind(old, cur *Report) error {
	kind := func(c string) string {
		if c == "demo" {
			return "scan"
		}
		return c
	}
	if kind(old.Command) != kind(cur.Command) {
		return fmt.Errorf("the earlier report is from crossgate %s and this one from crossgate %s", old.Command, cur.Command)
	}
	return nil
}
