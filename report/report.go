// Package report renders one Report value as text, JSON or SARIF. Every format is a view of
// the same findings; golden files pin them (go test ./report -update rewrites them).
package report

import (
	"github.com/crossgate/crossgate/finding"
)

// Report is the whole result of a scan or an audit.
type Report struct {
	Tool    string `json:"tool"`
	Version string `json:"version"`
	// SchemaVersion is the version of this JSON layout (SchemaVersion below); absent in the
	// reports of crossgate before origins, which had no origins array.
	SchemaVersion int    `json:"schema_version"`
	Command       string `json:"command"` // "scan" or "audit"
	// Origins group a scan's targets by scheme, host and port: the site facts learned once.
	Origins  []Origin          `json:"origins,omitempty"`
	Targets  []Target          `json:"targets"`
	Findings []finding.Finding `json:"findings"`
	// NotRun names the check families that did not run (--checks) and the rules left out
	// (--skip), so a short report is not mistaken for a clean one.
	NotRun  []string `json:"not_run,omitempty"`
	Summary Summary  `json:"summary"`
	// Baseline is set when the run was compared with an earlier report (--baseline).
	Baseline *Baseline `json:"baseline,omitempty"`
}

// SchemaVersion 2 added origins, not_run, schema_version and the target fields origin,
// status, probe_set, template, operation, guessed_params, expect_mtls; version 1 had none.
const SchemaVersion = 2

// Origin is one scheme://host:port of a scan and what was learned about it once.
type Origin struct {
	Origin string `json:"origin"`
	// Endpoints counts the targets of this origin; their entries in targets carry the same
	// origin value.
	Endpoints int `json:"endpoints"`
	// Requests counts every request sent to the origin (all of its endpoints).
	Requests int `json:"requests"`
	// Discovery says what --discover and --openapi found for this origin.
	Discovery []string `json:"discovery,omitempty"`
	// NotProbed lists the operations of the API description that were not sent.
	NotProbed []string `json:"not_probed,omitempty"`
}

// Target is one scanned URL or audited path, with what was learned about it.
type Target struct {
	URL  string `json:"url,omitempty"`
	Path string `json:"path,omitempty"`
	// Origin is the scheme://host:port the target belongs to (scan).
	Origin string `json:"origin,omitempty"`
	// Status is "scanned", "failed", or "not started" (an interrupted run never got to it).
	Status string `json:"status,omitempty"`
	// ProbeSet is "full" or "confirming": a confirming set re-sends only the probes that
	// proved the findings of Template, an endpoint of the same origin that answered alike.
	ProbeSet string `json:"probe_set,omitempty"`
	Template string `json:"template,omitempty"`
	// Operation, GuessedParams and ExpectMTLS come from an API description (--openapi,
	// --discover): the operation id, the parameters filled with a placeholder, and whether
	// the description requires a client certificate.
	Operation     string   `json:"operation,omitempty"`
	GuessedParams []string `json:"guessed_params,omitempty"`
	ExpectMTLS    bool     `json:"expect_mtls,omitempty"`
	// Auth is the client-authentication mode learned (scan), e.g. "required-tls".
	Auth       string `json:"auth,omitempty"`
	AuthReason string `json:"auth_reason,omitempty"`
	TLSVersion string `json:"tls_version,omitempty"`
	TLSCipher  string `json:"tls_cipher,omitempty"`
	// ServerChain summarises the server's certificates, leaf first: subject, issuer, expiry.
	ServerChain []string `json:"server_chain,omitempty"`
	// ClientCAs are the acceptable CA names of the server's CertificateRequest, and
	// ClientSignatureSchemes the signature algorithms it accepts for client certificates.
	ClientCAs              []string `json:"client_cas,omitempty"`
	ClientSignatureSchemes []string `json:"client_signature_schemes,omitempty"`
	Stack                  string   `json:"stack,omitempty"`
	// Settings lists the Django settings modules audited (audit), and SettingsNotAudited the
	// ones found but not audited on their own, with why.
	Settings           []string        `json:"settings_modules,omitempty"`
	SettingsNotAudited []SkippedModule `json:"settings_not_audited,omitempty"`
	Requests           int             `json:"requests,omitempty"`
	Files              int             `json:"files,omitempty"`
	Error              string          `json:"error,omitempty"`
	// NotTested says why nothing protected was reached although the target answered (every
	// answer a 404, plain http:// to an HTTPS port, the user's certificate refused): such a
	// target is not a clean one, and it fails a CI gate like a target that did not answer.
	NotTested string `json:"not_tested,omitempty"`
	// Notes say what could not be tested and why (e.g. spoofing behind a TLS-level check).
	Notes []string `json:"notes,omitempty"`
	// Warnings say the scan of this target is incomplete in a way the user can fix
	// (no client certificate for an endpoint that needs one, probes that timed out).
	Warnings []string `json:"warnings,omitempty"`
	// NotAudited lists the files of an audited tree that were not read, or not analysed, in
	// full, each with the reason (too large, binary, a device or FIFO, a link out of the tree).
	NotAudited []NotAudited `json:"not_audited,omitempty"`
	Findings   int          `json:"findings"`
	// Grade rates the target from all its findings (see Grade); none when it failed.
	Grade string `json:"grade,omitempty"`
}

// SkippedModule is a Django settings module found but not audited on its own.
type SkippedModule struct {
	Module string `json:"module,omitempty"`
	File   string `json:"file,omitempty"` // under the audited path
	Reason string `json:"reason"`
}

// NotAudited is one file an audit did not read or analyse in full.
type NotAudited struct {
	Path   string `json:"path"` // under the audited path
	Reason string `json:"reason"`
	// Base is the audited path as SARIF locates files (see finding.Finding's Base).
	Base string `json:"-"`
}

// Summary counts findings per severity.
type Summary struct {
	Total      int            `json:"total"`
	BySeverity map[string]int `json:"by_severity"`
	Requests   int            `json:"requests,omitempty"`
	Scanned    int            `json:"scanned"`
	Failed     int            `json:"failed"`
	NotTested  int            `json:"not_tested,omitempty"`
	NotStarted int            `json:"not_started,omitempty"`
	// Interrupted is set when the run was stopped (Ctrl-C) before it finished.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Finalize sorts findings and computes the summary; call it before rendering.
func (r *Report) Finalize() {
	if r.Tool == "" {
		r.Tool = "crossgate"
	}
	r.SchemaVersion = SchemaVersion
	if r.Findings == nil {
		r.Findings = []finding.Finding{}
	}
	if r.Targets == nil {
		r.Targets = []Target{}
	}
	finding.Sort(r.Findings)
	r.Summary.Total = len(r.Findings)
	r.Summary.BySeverity = finding.Counts(r.Findings)
	r.Summary.Scanned, r.Summary.Failed, r.Summary.NotTested, r.Summary.Requests, r.Summary.NotStarted = 0, 0, 0, 0, 0
	for i, t := range r.Targets {
		switch {
		case t.Status == StatusNotStarted:
			r.Targets[i].Grade = ""
			r.Summary.NotStarted++
		case t.Error != "":
			r.Targets[i].Grade = "" // a target that could not be checked earns no grade
			r.Summary.Failed++
		case t.NotTested != "":
			r.Targets[i].Grade = "" // nothing protected was reached: no grade either
			r.Summary.NotTested++
		default:
			r.Summary.Scanned++
		}
		r.Summary.Requests += t.Requests
	}
}

// StatusNotStarted marks a target an interrupted scan never reached: not a failure.
const StatusNotStarted = "not started"
