// Package finding holds the one Finding type every crossgate check returns, the severity
// scale, and the rule registry (ID, CWE, OWASP, base severity) that the JSON contract in
// docs/rules.md is built on. Each rule is declared next to the check that reports it and
// registered from there; reporters are views of these values.
package finding

import (
	"fmt"
	"sort"
	"strings"
)

// Severity is ordered: a larger value is worse.
type Severity int

const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity accepts the lower-case names used in the JSON contract (any case) and "none",
// which sorts above critical so that `--fail-on none` never fails.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	if strings.EqualFold(s, "none") {
		return Critical + 1, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want info, low, medium, high, critical or none)", s)
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Raise returns s moved up by n steps, capped at Critical; a negative n lowers it, floored at Info.
func (s Severity) Raise(n int) Severity {
	v := int(s) + n
	if v > int(Critical) {
		v = int(Critical)
	}
	if v < int(Info) {
		v = int(Info)
	}
	return Severity(v)
}

// Evidence is what proves a finding: what was sent and what came back (scan), or the
// offending source span (audit). Secrets in it are redacted before it is stored here.
type Evidence struct {
	Request  string   `json:"request,omitempty"`
	Response string   `json:"response,omitempty"`
	Curl     string   `json:"curl,omitempty"`
	Snippet  string   `json:"snippet,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

// Finding is one reported weakness. The JSON field names are the contract of rules.md.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	CWE      []string `json:"cwe"`
	OWASP    string   `json:"owasp,omitempty"`

	URL    string `json:"url,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Settings names the Django settings module an audit finding belongs to.
	Settings string `json:"settings_module,omitempty"`
	// Base is the directory File is relative to, as seen from the working directory of the
	// run (audit: the PATH given, or a file's folder). Not in JSON: File stays relative to
	// the PATH there; SARIF, whose consumers resolve paths from the repository root, joins
	// the two.
	Base string `json:"-"`

	// Detail says what was found, in a sentence or two, naming what leaks without printing it.
	Detail string `json:"detail,omitempty"`
	// BaseSeverity is the catalogue's severity; SeverityReason says why Severity differs
	// (or why it stands), in one sentence naming browser, credentials mode and data.
	BaseSeverity   Severity `json:"base_severity"`
	SeverityReason string   `json:"severity_reason,omitempty"`

	Evidence    Evidence `json:"evidence"`
	Remediation string   `json:"remediation"`
	// Proof is what a real browser could read, one entry per credentials mode tried
	// (scan --prove only).
	Proof []Proof `json:"proof,omitempty"`
	// Fingerprint is stable across runs for the same rule and location, for baselines.
	Fingerprint string `json:"fingerprint"`
}

// New starts a finding for rule id with the catalogue's title, CWE, OWASP and base severity.
// An unknown id is a programming error, caught by the registry tests.
func New(id string) Finding {
	r, ok := Lookup(id)
	if !ok {
		panic("finding: unknown rule " + id)
	}
	return Finding{
		Rule:         r.ID,
		Severity:     r.Severity,
		BaseSeverity: r.Severity,
		Title:        r.Title,
		CWE:          append([]string{}, r.CWE...), // [] not null in JSON, as rules.md wants an array
		OWASP:        r.OWASP,
	}
}

// SetSeverity changes the severity and records the one-sentence reason.
func (f *Finding) SetSeverity(s Severity, reason string) {
	f.Severity = s
	f.SeverityReason = reason
}

// Sort orders findings worst first, then by rule, location and fingerprint, so that
// reports are deterministic.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.URL != b.URL {
			return a.URL < b.URL
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Fingerprint < b.Fingerprint
	})
}

// Max returns the highest severity among fs, and false when fs is empty.
func Max(fs []Finding) (Severity, bool) {
	if len(fs) == 0 {
		return Info, false
	}
	m := Info
	for _, f := range fs {
		if f.Severity > m {
			m = f.Severity
		}
	}
	return m, true
}

// Counts returns the number of findings per severity name.
func Counts(fs []Finding) map[string]int {
	c := map[string]int{}
	for _, s := range severityNames {
		c[s] = 0
	}
	for _, f := range fs {
		c[f.Severity.String()]++
	}
	return c
}
