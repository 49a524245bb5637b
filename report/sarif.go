package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/), the subset GitHub code
// scanning reads: rules with help and tags, results with locations and fingerprints.

const sarifSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// InformationURI is where SARIF consumers send people who want to know about the tool.
const InformationURI = "https://github.com/crossgate/crossgate"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	Properties  *sarifRunProps    `json:"properties,omitempty"`
}

// sarifRunProps is the run's property bag: the scan's origins, as in the JSON report.
type sarifRunProps struct {
	Origins []Origin `json:"origins,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifRuleConf  `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags []string `json:"tags"`
	// SecuritySeverity is GitHub's 0.0-10.0 score, as a string as GitHub documents it.
	SecuritySeverity string `json:"security-severity"`
	Precision        string `json:"precision"`
	ProblemSeverity  string `json:"problem.severity"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	// BaselineState is "new" in a report made with --baseline, which holds new results only.
	BaselineState string           `json:"baselineState,omitempty"`
	Properties    sarifResultProps `json:"properties"`
}

type sarifResultProps struct {
	Severity       string   `json:"severity"`
	BaseSeverity   string   `json:"base_severity"`
	SeverityReason string   `json:"severity_reason,omitempty"`
	CWE            []string `json:"cwe,omitempty"`
	OWASP          string   `json:"owasp,omitempty"`
	Settings       string   `json:"settings_module,omitempty"`
	Evidence       []string `json:"evidence,omitempty"`
	Remediation    string   `json:"remediation,omitempty"`
}

type sarifLocation struct {
	Physical sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	Artifact sarifArtifact `json:"artifactLocation"`
	Region   *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int        `json:"startLine"`
	StartColumn int        `json:"startColumn,omitempty"`
	Snippet     *sarifText `json:"snippet,omitempty"`
}

// SARIFLevel maps a severity to a SARIF result level.
func SARIFLevel(s finding.Severity) string {
	switch {
	case s >= finding.High:
		return "error"
	case s == finding.Medium:
		return "warning"
	}
	return "note"
}

// SecuritySeverity is the score GitHub buckets into critical (>= 9.0), high (7.0-8.9),
// medium (4.0-6.9) and low (0.1-3.9).
func SecuritySeverity(s finding.Severity) string {
	switch s {
	case finding.Critical:
		return "9.5"
	case finding.High:
		return "8.0"
	case finding.Medium:
		return "5.5"
	case finding.Low:
		return "3.0"
	}
	return "0.0"
}

// cweTag turns "CWE-942" into GitHub's "external/cwe/cwe-942".
func cweTag(c string) string {
	return "external/cwe/" + strings.ToLower(c)
}

// ruleName turns "nginx-acao-wildcard" into "NginxAcaoWildcard", SARIF's conventional form.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// fileURI turns a slash-separated relative path into a URI reference (spaces and other
// reserved characters escaped).
func fileURI(p string) string {
	return (&url.URL{Path: strings.TrimPrefix(p, "./")}).EscapedPath()
}

// WriteSARIF writes r as a SARIF 2.1.0 log with one run.
func WriteSARIF(w io.Writer, r *Report) error { return WriteSARIFWith(w, r, SARIFOptions{}) }

// WriteSARIFWith is WriteSARIF with options (a file for the scan results to point at).
func WriteSARIFWith(w io.Writer, r *Report, opts SARIFOptions) error {
	run := sarifRun{
		Tool:    sarifTool{Driver: sarifDriver{Name: orDefault(r.Tool, "crossgate"), Version: r.Version, InformationURI: InformationURI, Rules: []sarifRule{}}},
		Results: []sarifResult{},
	}
	// One rule entry per rule that has results, in ID order; its help carries the remediation
	// of the first finding of that rule (findings are sorted worst first).
	index := map[string]int{}
	var ids []string
	first := map[string]finding.Finding{}
	for _, f := range r.Findings {
		if _, ok := first[f.Rule]; !ok {
			first[f.Rule] = f
			ids = append(ids, f.Rule)
		}
	}
	sort.Strings(ids)
	for i, id := range ids {
		index[id] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(id, first[id]))
	}
	for _, f := range r.Findings {
		res := sarifResultFor(f, index[f.Rule])
		if f.File == "" && opts.Location != nil {
			// Code scanning places an alert at the first location, which must be a file.
			loc := sarifLocation{Physical: sarifPhysical{
				Artifact: sarifArtifact{URI: fileURI(opts.Location.Path), URIBaseID: "%SRCROOT%"},
				Region:   &sarifRegion{StartLine: opts.Location.LineOf(f.URL)}}}
			res.Locations = append([]sarifLocation{loc}, res.Locations...)
		}
		if r.Baseline != nil {
			res.BaselineState = "new"
		}
		run.Results = append(run.Results, res)
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	untested := 0
	for _, t := range r.Targets {
		msg := t.Error
		if msg == "" && t.NotTested != "" {
			msg, untested = "not tested: "+t.NotTested, untested+1
		}
		if msg == "" {
			continue
		}
		n := sarifNotification{Level: "error", Message: sarifText{Text: msg}}
		switch {
		case t.URL != "":
			n.Locations = []sarifLocation{{Physical: sarifPhysical{Artifact: sarifArtifact{URI: t.URL}}}}
		case t.Path != "":
			n.Locations = []sarifLocation{{Physical: sarifPhysical{Artifact: sarifArtifact{URI: fileURI(t.Path), URIBaseID: "%SRCROOT%"}}}}
		}
		inv.Notifications = append(inv.Notifications, n)
	}
	failed := len(inv.Notifications)
	for _, t := range r.Targets {
		for _, n := range t.NotAudited {
			inv.Notifications = append(inv.Notifications, sarifNotification{
				Level:     "note",
				Message:   sarifText{Text: "not audited: " + n.Reason},
				Locations: []sarifLocation{{Physical: sarifPhysical{Artifact: sarifArtifact{URI: fileURI(path.Join(n.Base, n.Path)), URIBaseID: "%SRCROOT%"}}}},
			})
		}
	}
	// A target that was not tested is no clean result: the run did not do what was asked.
	if untested > 0 || (len(r.Targets) > 0 && failed == len(r.Targets)) {
		inv.ExecutionSuccessful = false
	}
	for _, t := range r.Targets {
		if t.Status == StatusNotStarted {
			inv.Notifications = append(inv.Notifications, sarifNotification{Level: "note", Message: sarifText{Text: "not started: " + t.URL},
				Locations: []sarifLocation{{Physical: sarifPhysical{Artifact: sarifArtifact{URI: t.URL}}}}})
		}
	}
	for _, n := range r.NotRun {
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "warning", Message: sarifText{Text: "not run: " + n}})
	}
	if len(r.Origins) > 0 {
		run.Properties = &sarifRunProps{Origins: r.Origins}
	}
	if r.Summary.Interrupted {
		inv.ExecutionSuccessful = false
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error",
			Message: sarifText{Text: "the run was interrupted before it finished: results cover only what was checked before"}})
	}
	run.Invocations = []sarifInvocation{inv}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}})
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func sarifRuleFor(id string, example finding.Finding) sarifRule {
	rule, ok := finding.Lookup(id)
	if !ok {
		rule = finding.Rule{ID: id, Title: example.Title, Severity: example.BaseSeverity, CWE: example.CWE, Summary: example.Title}
	}
	tags := []string{"security", rule.Family}
	for _, c := range rule.CWE {
		tags = append(tags, cweTag(c))
	}
	if rule.OWASP != "" {
		tags = append(tags, "owasp-api/"+strings.ToLower(rule.OWASP))
	}
	if tags[1] == "" {
		tags = append(tags[:1], tags[2:]...)
	}
	cwe := strings.Join(rule.CWE, ", ")
	if cwe == "" {
		cwe = "none"
	}
	helpText := fmt.Sprintf("%s\n\nCWE: %s\n\nRemediation:\n%s", rule.Summary, cwe, example.Remediation)
	helpMD := fmt.Sprintf("**%s**\n\n%s\n\nCWE: %s\n\n### Remediation\n\n```\n%s\n```\n", rule.Title, rule.Summary, cwe, strings.TrimRight(example.Remediation, "\n"))
	// GitHub rates an alert by its rule's security-severity, not the result's level: use the
	// worst correlated severity of this run's results (example is the worst), not the base.
	sev := example.Severity
	return sarifRule{
		ID:                   id,
		Name:                 ruleName(id),
		ShortDescription:     sarifText{Text: rule.Title},
		FullDescription:      sarifText{Text: rule.Summary},
		Help:                 sarifText{Text: helpText, Markdown: helpMD},
		DefaultConfiguration: sarifRuleConf{Level: SARIFLevel(sev)},
		Properties: sarifRuleProps{
			Tags:             tags,
			SecuritySeverity: SecuritySeverity(sev),
			Precision:        "high",
			ProblemSeverity:  problemSeverity(sev),
		},
	}
}

func problemSeverity(s finding.Severity) string {
	switch SARIFLevel(s) {
	case "error":
		return "error"
	case "warning":
		return "warning"
	}
	return "recommendation"
}

func sarifResultFor(f finding.Finding, ruleIndex int) sarifResult {
	msg := f.Title
	if f.Detail != "" {
		msg = f.Title + ": " + f.Detail
	}
	res := sarifResult{
		RuleID:    f.Rule,
		RuleIndex: ruleIndex,
		Level:     SARIFLevel(f.Severity),
		Message:   sarifText{Text: msg},
		Locations: []sarifLocation{},
		Properties: sarifResultProps{
			Severity:       f.Severity.String(),
			BaseSeverity:   f.BaseSeverity.String(),
			SeverityReason: f.SeverityReason,
			CWE:            f.CWE,
			OWASP:          f.OWASP,
			Settings:       f.Settings,
			Evidence:       f.Evidence.Notes,
			Remediation:    f.Remediation,
		},
	}
	if f.File != "" {
		loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: fileURI(path.Join(f.Base, f.File)), URIBaseID: "%SRCROOT%"}}}
		if f.Line > 0 {
			loc.Physical.Region = &sarifRegion{StartLine: f.Line}
			if f.Column > 0 {
				loc.Physical.Region.StartColumn = f.Column
			}
			if f.Evidence.Snippet != "" {
				loc.Physical.Region.Snippet = &sarifText{Text: f.Evidence.Snippet}
			}
		}
		res.Locations = append(res.Locations, loc)
	}
	if f.URL != "" {
		res.Locations = append(res.Locations, sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: f.URL}}})
	}
	if f.Fingerprint != "" {
		res.PartialFingerprints = map[string]string{"crossgate/v1": f.Fingerprint}
	}
	return res
}
