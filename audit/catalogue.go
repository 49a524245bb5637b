package audit

import "github.com/crossgate/crossgate/finding"

// The source rules this package reports.
func init() {
	finding.Register(
		finding.Rule{ID: "secret-in-source", Family: "source", Severity: finding.High, CWE: []string{"CWE-540", "CWE-312"}, OWASP: "API8:2023", Title: "Secret committed in source", Summary: "secrets committed in source or config files (same catalogue as secret-in-response)."},
	)
}
