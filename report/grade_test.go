package report_test

import (
	"github.com/crossgate/crossgate/report"
	_ "github.com/crossgate/crossgate/rules"

	"os"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
)

func withSeverities(ss ...finding.Severity) []finding.Finding {
	var fs []finding.Finding
	for _, s := range ss {
		f := finding.New("cors-wildcard")
		f.Severity = s
		fs = append(fs, f)
	}
	return fs
}

func TestGrade(t *testing.T) {
	const (
		I = finding.Info
		L = finding.Low
		M = finding.Medium
		H = finding.High
		C = finding.Critical
	)
	for _, c := range []struct {
		name string
		sevs []finding.Severity
		want string
	}{
		{"no finding", nil, "A"},
		{"info only", []finding.Severity{I, I, I, I}, "A"},
		{"one low", []finding.Severity{L}, "B"},
		{"many low stay B", []finding.Severity{L, L, L, L, L}, "B"},
		{"one medium", []finding.Severity{M, L}, "C"},
		{"two medium", []finding.Severity{M, M}, "C"},
		{"three medium combine to D", []finding.Severity{M, M, M}, "D"},
		{"one high", []finding.Severity{H, I}, "D"},
		{"two high", []finding.Severity{H, H, M}, "D"},
		{"three high combine to F", []finding.Severity{H, H, H}, "F"},
		{"one critical", []finding.Severity{C}, "F"},
		{"critical among low", []finding.Severity{L, C, L}, "F"},
	} {
		if got := report.Grade(withSeverities(c.sevs...)); got != c.want {
			t.Errorf("%s: Grade = %s, want %s", c.name, got, c.want)
		}
	}
}

// The README states the grading rule for users; it must say what report.Grade does.
func TestGradeRuleInREADME(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		"| F | a critical finding, or three or more high |",
		"| D | a high finding, or three or more medium |",
		"| C | a medium finding |",
		"| B | low findings only |",
		"| A | nothing above info |",
	} {
		if !strings.Contains(string(b), row) {
			t.Errorf("README lacks the grade row %q", row)
		}
	}
}
