package exposurecheck

import "github.com/crossgate/crossgate/finding"

// The exposure rules this package reports.
func init() {
	finding.Register(
		finding.Rule{ID: "pii-in-response", Family: "exposure", Severity: finding.High, CWE: []string{"CWE-359"}, OWASP: "API3:2023", Title: "Personal data in response", Summary: "emails, phone numbers, context-confirmed SSNs, Luhn-valid card numbers, IBANs in a response."},
		finding.Rule{ID: "secret-in-response", Family: "exposure", Severity: finding.High, CWE: []string{"CWE-200", "CWE-522"}, OWASP: "API3:2023", Title: "Secret in response", Summary: "API keys, private keys, tokens, DB URLs with passwords, password hashes in a response."},
		finding.Rule{ID: "error-debug-page", Family: "exposure", Severity: finding.Medium, CWE: []string{"CWE-215", "CWE-209"}, OWASP: "API8:2023", Title: "Framework debug page exposed", Summary: "a framework debug page (Django technical 500/404, Werkzeug, ...), in HTML or plain text."},
		finding.Rule{ID: "error-stack-trace", Family: "exposure", Severity: finding.Medium, CWE: []string{"CWE-209"}, OWASP: "API8:2023", Title: "Stack trace or internal path in error response", Summary: "a stack trace or internal path in an error response."},
		finding.Rule{ID: "exposed-env-file", Family: "exposure", Severity: finding.High, CWE: []string{"CWE-538", "CWE-540"}, OWASP: "API8:2023", Title: "Environment file served", Summary: ".env-style files served, content-verified."},
		finding.Rule{ID: "exposed-log-file", Family: "exposure", Severity: finding.Medium, CWE: []string{"CWE-532"}, OWASP: "API8:2023", Title: "Log file served", Summary: "log files served, content-verified."},
		finding.Rule{ID: "exposed-vcs-metadata", Family: "exposure", Severity: finding.High, CWE: []string{"CWE-538"}, OWASP: "API8:2023", Title: "Version-control metadata served", Summary: ".git/ (or .svn, .hg) metadata served."},
		finding.Rule{ID: "exposed-backup-file", Family: "exposure", Severity: finding.High, CWE: []string{"CWE-538"}, OWASP: "API8:2023", Title: "Backup or database file served", Summary: "backups, dumps, db.sqlite3, settings.py.bak and friends served."},
		finding.Rule{ID: "cookie-insecure", Family: "exposure", Severity: finding.Medium, CWE: []string{"CWE-614", "CWE-1004"}, OWASP: "API8:2023", Title: "Session or CSRF cookie without secure attributes", Summary: "session/CSRF cookies without Secure, HttpOnly or with SameSite=None."},
		finding.Rule{ID: "cleartext-credentials", Family: "exposure", Severity: finding.Critical, CWE: []string{"CWE-522", "CWE-319"}, OWASP: "API2:2023", Title: "Credentials accepted over cleartext", Summary: "Basic/Digest auth or credentials accepted over plain HTTP, or credentials in URLs."},
	)
}
