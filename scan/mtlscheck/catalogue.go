package mtlscheck

import "github.com/crossgate/crossgate/finding"

// The mtls rules this package reports.
func init() {
	finding.Register(
		finding.Rule{ID: "mtls-not-requested", Family: "mtls", Severity: finding.High, CWE: []string{"CWE-306"}, OWASP: "API2:2023", Title: "Server never requests a client certificate", Summary: "the user said the endpoint should require a client certificate, but the server never asks for one."},
		finding.Rule{ID: "mtls-optional-not-enforced", Family: "mtls", Severity: finding.Critical, CWE: []string{"CWE-306", "CWE-287"}, OWASP: "API2:2023", Title: "Protected content served without a client certificate", Summary: "the protected content comes back without any client certificate."},
		finding.Rule{ID: "mtls-any-cert-accepted", Family: "mtls", Severity: finding.Critical, CWE: []string{"CWE-295"}, OWASP: "API2:2023", Title: "Client certificate from an unknown CA accepted", Summary: "a certificate from an unknown CA (crossgate mints one) is accepted."},
		finding.Rule{ID: "mtls-expired-cert-accepted", Family: "mtls", Severity: finding.High, CWE: []string{"CWE-295"}, OWASP: "API2:2023", Title: "Expired client certificate accepted", Summary: "an expired certificate is accepted."},
		finding.Rule{ID: "mtls-header-spoofing", Family: "mtls", Severity: finding.Critical, CWE: []string{"CWE-290"}, OWASP: "API2:2023", Title: "Client identity spoofable through request headers", Summary: "sending identity headers (X-SSL-Client-S-DN, X-SSL-Client-Verify, XFCC, X-Client-Cert, RFC 9440 Client-Cert, underscore variants...) without a valid certificate changes who the app thinks you are."},
		finding.Rule{ID: "mtls-identity-confusion", Family: "mtls", Severity: finding.High, CWE: []string{"CWE-287", "CWE-639"}, OWASP: "API2:2023", Title: "Different client identities receive the same user's data", Summary: "two different client identities get the same user's data (subject matched by substring, or by CN only)."},
		finding.Rule{ID: "mtls-ca-list-disclosure", Family: "mtls", Severity: finding.Info, CWE: []string{"CWE-200"}, OWASP: "API8:2023", Title: "CertificateRequest discloses internal CA names", Summary: "the CertificateRequest advertises internal CA names."},
		finding.Rule{ID: "mtls-http-only-enforcement", Family: "mtls", Severity: finding.Info, CWE: []string{}, OWASP: "API8:2023", Title: "Client certificate enforced only at HTTP level", Summary: "client certificate is demanded only at HTTP level (nginx answers 400), so preflights and non-credentialed requests are rejected after the handshake: a fact for the report, not a weakness."},
		finding.Rule{ID: "tls-weak-protocol", Family: "mtls", Severity: finding.Medium, CWE: []string{"CWE-326"}, OWASP: "API8:2023", Title: "TLS 1.0 or 1.1 accepted", Summary: "TLS 1.0/1.1 accepted (and in TLS <= 1.2 the client certificate travels in clear)."},
	)
}
