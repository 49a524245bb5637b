package report

import (
	"cmp"
	"fmt"
	"io"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// TextOptions control the terminal report.
type TextOptions struct {
	Color bool // ANSI colour; the CLI turns it on only for a terminal
	// Verbose prints full request/response evidence, not only the first lines.
	Verbose bool
}

var sevColor = map[finding.Severity]string{
	finding.Critical: "\x1b[1;35m", finding.High: "\x1b[1;31m", finding.Medium: "\x1b[33m",
	finding.Low: "\x1b[36m", finding.Info: "\x1b[2m",
}

const reset = "\x1b[0m"

var authText = map[string]string{
	"not-requested": "no client certificate requested",
	"optional":      "client certificate optional (requested, not enforced)",
	"required-tls":  "client certificate required at TLS level",
	"required-http": "client certificate required at HTTP level (handshake completes, HTTP rejection)",
	"untestable":    "client authentication could not be tested",
	"unknown":       "client authentication unknown",
}

// WriteText renders the human report: targets, then findings grouped by severity, worst
// first, then a summary line.
func WriteText(w io.Writer, r *Report, o TextOptions) error {
	tw := &errWriter{w: w}
	paint := func(s finding.Severity, text string) string {
		if !o.Color {
			return text
		}
		return sevColor[s] + text + reset
	}
	bold := func(text string) string {
		if !o.Color {
			return text
		}
		return "\x1b[1m" + text + reset
	}
	tw.printf("%s\n", bold(EscapeLine(fmt.Sprintf("crossgate %s %s", r.Command, r.Version))))
	for _, n := range r.NotRun {
		tw.printf("not run: %s\n", EscapeLine(n))
	}
	for _, t := range groupedTargets(r) {
		if t.origin != nil {
			o := t.origin
			tw.printf("\n%s\n", bold(fmt.Sprintf("origin %s: %d %s, %d requests", EscapeLine(o.Origin), o.Endpoints, plural(o.Endpoints, "endpoint", "endpoints"), o.Requests)))
			for _, d := range o.Discovery {
				tw.printf("  discovery:   %s\n", EscapeLine(d))
			}
			for _, n := range o.NotProbed {
				tw.printf("  not probed:  %s\n", EscapeLine(n))
			}
			continue
		}
		t := t.target
		name := t.URL
		if name == "" {
			name = t.Path
		}
		tw.printf("\n%s\n", bold(EscapeLine(name)))
		if t.Status == StatusNotStarted {
			tw.printf("  not started (the scan was interrupted first)\n")
			continue
		}
		if t.ProbeSet == "confirming" {
			tw.printf("  probe set:   confirming (answers like %s)\n", EscapeLine(t.Template))
		}
		if t.Operation != "" {
			tw.printf("  operation:   %s\n", EscapeLine(t.Operation))
		}
		if len(t.GuessedParams) > 0 {
			tw.printf("  guessed:     %s (no example, default or enum in the description)\n", EscapeLine(strings.Join(t.GuessedParams, ", ")))
		}
		if t.ExpectMTLS {
			tw.printf("  expects:     a client certificate (the API description says so)\n")
		}
		if t.Error != "" {
			tw.printf("  error: %s\n", EscapeLine(t.Error))
			continue
		}
		if t.NotTested != "" {
			tw.printf("  %s %s\n", paint(finding.High, "not tested:"), EscapeLine(t.NotTested))
		}
		if t.Auth != "" {
			line := authText[t.Auth]
			if line == "" {
				line = t.Auth
			}
			if t.TLSVersion != "" {
				line += " (" + t.TLSVersion + ")"
			}
			tw.printf("  client auth: %s\n", EscapeLine(line))
			if t.AuthReason != "" {
				tw.printf("               %s\n", EscapeLine(t.AuthReason))
			}
		}
		if t.TLSCipher != "" {
			tw.printf("  tls:         %s\n", EscapeLine(t.TLSVersion+" "+t.TLSCipher))
		}
		for i, c := range t.ServerChain {
			label := "  server cert: "
			if i > 0 {
				label = "               "
			}
			tw.printf("%s%s\n", label, EscapeLine(c))
		}
		if len(t.ClientCAs) > 0 {
			tw.printf("  client CAs:  %s\n", EscapeLine(strings.Join(t.ClientCAs, "; ")))
		}
		if t.Stack != "" {
			tw.printf("  stack:       %s\n", EscapeLine(t.Stack))
		}
		if len(t.Settings) > 0 {
			tw.printf("  settings:    %s\n", EscapeLine(strings.Join(t.Settings, ", ")))
		}
		for _, s := range t.SettingsNotAudited {
			tw.printf("  not audited: %s: %s\n", EscapeLine(cmp.Or(s.Module, s.File)), EscapeLine(s.Reason))
		}
		if t.Requests > 0 {
			tw.printf("  requests:    %d\n", t.Requests)
		}
		if t.Files > 0 {
			tw.printf("  files:       %d\n", t.Files)
		}
		for _, n := range t.Notes {
			tw.printf("  note:        %s\n", EscapeLine(n))
		}
		if len(t.NotAudited) > 0 {
			tw.printf("  not audited: %s\n", EscapeLine(notAuditedSummary(t.NotAudited)))
		}
		for _, n := range t.Warnings {
			tw.printf("  %s     %s\n", paint(finding.High, "warning:"), EscapeLine(n))
		}
		tw.printf("  findings:    %d\n", t.Findings)
	}
	fixes := planFixes(r.Findings)
	for s := finding.Critical; s >= finding.Info; s-- {
		var group []int
		for i, f := range r.Findings {
			if f.Severity == s {
				group = append(group, i)
			}
		}
		if len(group) == 0 {
			continue
		}
		tw.printf("\n%s\n", paint(s, fmt.Sprintf("== %s (%d) ==", strings.ToUpper(s.String()), len(group))))
		for _, i := range group {
			writeFinding(tw, r.Findings[i], o, paint, fixes.own[i], fixes.ref[i])
		}
	}
	writeSharedFixes(tw, fixes, fixLimit(o), bold)
	if r.Baseline != nil {
		writeBaselineText(tw, r.Baseline)
	}
	tw.printf("\n%s\n", summaryLine(r))
	return tw.err
}

// writeFinding prints one finding; when shared is set, only the first own lines of its fix
// are printed here, followed by a pointer to the shared rest.
func writeFinding(tw *errWriter, f finding.Finding, o TextOptions, paint func(finding.Severity, string) string, own int, shared *sharedFix) {
	tw.printf("\n%s %s  %s\n", paint(f.Severity, fmt.Sprintf("[%s]", strings.ToUpper(f.Severity.String()))), EscapeLine(f.Rule), EscapeLine(f.Title))
	loc := f.URL
	if f.File != "" {
		loc = fmt.Sprintf("%s:%d", f.File, f.Line)
		if f.Column > 0 {
			loc += fmt.Sprintf(":%d", f.Column)
		}
	}
	tw.field("where", EscapeLine(loc))
	if f.Settings != "" {
		tw.field("settings", EscapeLine(f.Settings))
	}
	tw.field("cwe", strings.Join(f.CWE, " "))
	tw.field("owasp", f.OWASP)
	tw.field("what", f.Detail)
	if f.SeverityReason != "" {
		why := f.SeverityReason
		if f.Severity != f.BaseSeverity {
			why = fmt.Sprintf("%s -> %s: %s", f.BaseSeverity, f.Severity, why)
		}
		tw.field("severity", why)
	}
	writeProof(tw, f.Proof, o)
	ev := f.Evidence
	if ev.Snippet != "" {
		tw.block("source", ev.Snippet, 0)
	}
	limit := 6
	if o.Verbose {
		limit = 0
	}
	if ev.Request != "" {
		tw.block("request", ev.Request, limit)
	}
	if ev.Response != "" {
		tw.block("response", ev.Response, limit)
	}
	for _, n := range ev.Notes {
		tw.field("note", n)
	}
	if ev.Curl != "" {
		tw.field("reproduce", EscapeLine(ev.Curl))
	}
	switch {
	case shared != nil && own == 0:
		tw.field("fix", "see ["+shared.label+"] below")
	case shared != nil:
		lines := strings.Split(f.Remediation, "\n")[:own]
		tw.block("fix", strings.Join(append(lines, "see ["+shared.label+"] below"), "\n"), fixLimit(o))
	case f.Remediation != "":
		tw.block("fix", f.Remediation, fixLimit(o))
	}
}

// fixLimit is how many lines of a fix the text report shows (all with --verbose).
func fixLimit(o TextOptions) int {
	if o.Verbose {
		return 0
	}
	return 16
}

// certText says how the browser got the client certificate, as a proof line's suffix.
var certText = map[string]string{
	"policy": "certificate auto-selected by the browser",
	"proxy":  "certificate presented by crossgate's loopback proxy, the CORS decision the browser's",
	"none":   "no client certificate",
}

// writeProof prints the browser's verdict, then which attempts were read and which blocked.
func writeProof(tw *errWriter, ps []finding.Proof, o TextOptions) {
	line := finding.ProofLine(ps)
	if line == "" {
		return
	}
	if c := certText[ps[0].CertPresented]; c != "" {
		line += "; " + c
	}
	tw.field("proof", line)
	var read, blocked []string
	for _, p := range ps {
		switch {
		case p.Read:
			read = append(read, fmt.Sprintf("%s (HTTP %d, %d bytes)", p.Attempt(), p.Status, p.Bytes))
		case o.Verbose && p.Error != "":
			blocked = append(blocked, p.Attempt()+": "+p.Error)
		default:
			blocked = append(blocked, p.Attempt())
		}
	}
	if len(read) > 0 {
		tw.field("read in", strings.Join(read, ", "))
	}
	if len(blocked) > 0 {
		sep := ", "
		if o.Verbose {
			sep = "\n"
		}
		tw.field("blocked", strings.Join(blocked, sep))
	}
	if p := finding.Proven(ps); p != nil && p.Excerpt != "" && o.Verbose {
		tw.field("page read", p.Excerpt)
	}
}

func summaryLine(r *Report) string {
	c := r.Summary.BySeverity
	parts := []string{}
	for _, s := range []string{"critical", "high", "medium", "low", "info"} {
		parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
	}
	noun := "targets"
	if len(r.Targets) == 1 {
		noun = "target"
	}
	fnoun := "findings"
	if r.Summary.Total == 1 {
		fnoun = "finding"
	}
	if r.Baseline != nil {
		fnoun = "new " + fnoun
	}
	line := fmt.Sprintf("summary: %d %s (%s) across %d %s", r.Summary.Total, fnoun, strings.Join(parts, ", "), len(r.Targets), noun)
	if r.Summary.Failed > 0 {
		line += fmt.Sprintf(", %d failed", r.Summary.Failed)
	}
	if r.Summary.NotTested > 0 {
		line += fmt.Sprintf(", %d NOT TESTED", r.Summary.NotTested)
	}
	if r.Summary.Interrupted {
		line += ", INTERRUPTED before the end"
	}
	switch {
	case r.Summary.Requests == 1:
		line += "; 1 request"
	case r.Summary.Requests > 1:
		line += fmt.Sprintf("; %d requests", r.Summary.Requests)
	}
	return line
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}

func (e *errWriter) field(name, value string) {
	if value == "" {
		return
	}
	e.printf("  %-10s %s\n", name+":", strings.ReplaceAll(EscapeText(value), "\n", "\n             "))
}

// block prints a multi-line value indented under its label; limit > 0 keeps that many lines.
func (e *errWriter) block(name, value string, limit int) {
	lines := strings.Split(strings.TrimRight(EscapeText(value), "\n"), "\n")
	more := 0
	if limit > 0 && len(lines) > limit {
		more = len(lines) - limit
		lines = lines[:limit]
	}
	e.printf("  %s:\n", name)
	for _, l := range lines {
		e.printf("    | %s\n", l)
	}
	if more > 0 {
		noun := "lines"
		if more == 1 {
			noun = "line"
		}
		e.printf("    | … %d more %s (--verbose shows all)\n", more, noun)
	}
}

// textItem is an origin header or a target, in the order the text report prints them.
type textItem struct {
	origin *Origin
	target Target
}

// groupedTargets orders a scan's targets by origin, each origin's header first; targets
// without an origin (audit) come as they are.
func groupedTargets(r *Report) []textItem {
	var out []textItem
	for i := range r.Origins {
		o := &r.Origins[i]
		out = append(out, textItem{origin: o})
		for _, t := range r.Targets {
			if t.Origin == o.Origin {
				out = append(out, textItem{target: t})
			}
		}
	}
	for _, t := range r.Targets {
		if t.Origin == "" || len(r.Origins) == 0 {
			out = append(out, textItem{target: t})
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many

}

// notAuditedSummary counts the files not audited by reason; the JSON and SARIF reports
// list them.
func notAuditedSummary(ns []NotAudited) string {
	count := map[string]int{}
	var reasons []string
	for _, n := range ns {
		if count[n.Reason] == 0 {
			reasons = append(reasons, n.Reason)
		}
		count[n.Reason]++
	}
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%d %s", count[r], r)
	}
	noun := "files"
	if len(ns) == 1 {
		noun = "file"
	}
	return fmt.Sprintf("%d %s (%s); the JSON and SARIF reports list them", len(ns), noun, strings.Join(parts, ", "))
}
