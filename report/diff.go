package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// DiffReport is the JSON form of crossgate diff.
type DiffReport struct {
	Tool         string            `json:"tool"`
	Old          string            `json:"old"`
	New          string            `json:"new"`
	Summary      DiffSummary       `json:"summary"`
	NewFindings  []finding.Finding `json:"new_findings"`
	Fixed        []finding.Finding `json:"fixed"`
	Unchanged    []finding.Finding `json:"unchanged"`
	NotRechecked []finding.Finding `json:"not_rechecked"`
}

// DiffSummary counts each group.
type DiffSummary struct {
	New          int `json:"new"`
	Fixed        int `json:"fixed"`
	Unchanged    int `json:"unchanged"`
	NotRechecked int `json:"not_rechecked"`
}

// WriteDiffJSON writes d as one indented JSON object; oldName and newName are the files
// compared.
func WriteDiffJSON(w io.Writer, d Diff, oldName, newName string) error {
	out := DiffReport{Tool: "crossgate", Old: oldName, New: newName,
		Summary:     DiffSummary{New: len(d.New), Fixed: len(d.Fixed), Unchanged: len(d.Unchanged), NotRechecked: len(d.NotRechecked)},
		NewFindings: orEmpty(d.New), Fixed: orEmpty(d.Fixed), Unchanged: orEmpty(d.Unchanged), NotRechecked: orEmpty(d.NotRechecked)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// WriteDiffText prints the groups, new first, one line per finding.
func WriteDiffText(w io.Writer, d Diff, oldName, newName string) error {
	tw := &errWriter{w: w}
	tw.printf("crossgate diff %s %s\n", EscapeLine(oldName), EscapeLine(newName))
	writeGroup(tw, "new", d.New)
	writeGroup(tw, "fixed", d.Fixed)
	writeGroup(tw, "unchanged", d.Unchanged)
	if len(d.NotRechecked) > 0 {
		writeGroup(tw, "not rechecked (the newer run did not cover their host or file)", d.NotRechecked)
	}
	tw.printf("\nsummary: %d new, %d fixed, %d unchanged", len(d.New), len(d.Fixed), len(d.Unchanged))
	if len(d.NotRechecked) > 0 {
		tw.printf(", %d not rechecked", len(d.NotRechecked))
	}
	tw.printf("\n")
	return tw.err
}

func writeGroup(tw *errWriter, name string, fs []finding.Finding) {
	tw.printf("\n%s (%d)\n", strings.ToUpper(name[:1])+name[1:], len(fs))
	for _, f := range fs {
		tw.printf("  %s\n", oneLine(f))
	}
}

// oneLine names a finding: severity, rule, location and fingerprint.
func oneLine(f finding.Finding) string {
	return fmt.Sprintf("[%s] %s  %s  (%s)", strings.ToUpper(f.Severity.String()), EscapeLine(f.Rule), EscapeLine(location(f)), EscapeLine(f.Fingerprint))
}

// location is where a finding is: file:line[:col] for an audit, the URL for a scan.
func location(f finding.Finding) string {
	if f.File == "" {
		return f.URL
	}
	loc := f.File
	if f.Line > 0 {
		loc += fmt.Sprintf(":%d", f.Line)
		if f.Column > 0 {
			loc += fmt.Sprintf(":%d", f.Column)
		}
	}
	return loc
}

// writeBaselineText is the text report's section for --baseline.
func writeBaselineText(tw *errWriter, b *Baseline) {
	tw.printf("\ncompared with %s: %d new (above), %d unchanged (not shown), %d fixed", EscapeLine(b.File), b.New, len(b.Unchanged), len(b.Fixed))
	if len(b.NotRechecked) > 0 {
		tw.printf(", %d not rechecked", len(b.NotRechecked))
	}
	tw.printf("\n")
	if len(b.Fixed) > 0 {
		tw.printf("fixed since then:\n")
		for _, f := range b.Fixed {
			tw.printf("  %s\n", oneLine(f))
		}
	}
	if len(b.NotRechecked) > 0 {
		tw.printf("not rechecked (this run did not cover their host or file):\n")
		for _, f := range b.NotRechecked {
			tw.printf("  %s\n", oneLine(f))
		}
	}
}
