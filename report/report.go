// Package report renders one Report value as text, JSON or SARIF. Every format is a view of
// the same findings; golden files pin them (go test ./report -update rewrites them).
package report

import (
	"github.com/crossgate/crossgate/finding"
)

// Report is the whole result of a scan or an audit.
type Report struct {
	Tool     string            `json:"tool"`
	Version  string            `json:"version"`
	Command  string            `json:"command"` // "scan" or "audit"
	Targets  []Target          `json:"targets"`
	Findings []finding.Finding `json:"findings"`
	Summary  Summary           `json:"summary"`
	// Baseline is set when the run was compared with an earlier report (--baseline).
	Baseline *Baseline `json:"baseline,omitempty"`
}

// Target is one scanned URL or audited path, with what was learned about it.
type Target struct {
	URL  string `json:"url,omitempty"`
	Path string `json:"path,omitempty"`
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
	// Settings lists the Django settings modules found (audit).
	Settings []string `json:"settings_modules,omitempty"`
	Requests int      `json:"requests,omitempty"`
	Files    int      `json:"files,omitempty"`
	Error    string   `json:"error,omitempty"`
	// NotTested says why nothing protected was reached although the target answered (every
	// answer a 404, plain http:// to an HTTPS port, the user's certificate refused): such a
	// target is not a clean one, and it fails a CI gate like a target that did not answer.
	NotTested string `json:"not_tested,omitempty"`
	// Notes say what could not be tested and why (e.g. spoofing behind a TLS-level check).
	Notes []string `json:"notes,omitempty"`
	// Warnings say the scan of this target is incomplete in a way the user can fix
	// (no client certificate for an endpoint that needs one, probes that timed out).
	Warnings []string `json:"warnings,omitempty"`
	Findings int      `json:"findings"`
	// Grade rates the target from all its findings (see Grade); none when it failed.
	Grade string `json:"grade,omitempty"`
}

// Summary counts findings per severity.
type Summary struct {
	Total      int            `json:"total"`
	BySeverity map[string]int `json:"by_severity"`
	Requests   int            `json:"requests,omitempty"`
	Scanned    int            `json:"scanned"`
	Failed     int            `json:"failed"`
	NotTested  int            `json:"not_tested,omitempty"`
	// Interrupted is set when the run was stopped (Ctrl-C) before it finished.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Finalize sorts findings and computes the summary; call it before rendering.
func (r *Report) Finalize() {
	if r.Tool == "" {
		r.Tool = "crossgate"
	}
	if r.Findings == nil {
		r.Findings = []finding.Finding{}
	}
	if r.Targets == nil {
		r.Targets = []Target{}
	}
	finding.Sort(r.Findings)
	r.Summary.Total = len(r.Findings)
	r.Summary.BySeverity = finding.Counts(r.Findings)
	r.Summary.Scanned, r.Summary.Failed, r.Summary.NotTested, r.Summary.Requests = 0, 0, 0, 0
	for i, t := range r.Targets {
		switch {
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
