package nginx

import "github.com/crossgate/crossgate/finding"

// The nginx rules this package reports.
func init() {
	finding.Register(
		finding.Rule{ID: "nginx-verify-client-optional", Family: "nginx", Severity: finding.High, CWE: []string{"CWE-306"}, OWASP: "API8:2023", Title: "ssl_verify_client optional without a verify check", Summary: "ssl_verify_client optional while nothing checks $ssl_client_verify."},
		finding.Rule{ID: "nginx-verify-client-optional-no-ca", Family: "nginx", Severity: finding.Critical, CWE: []string{"CWE-295"}, OWASP: "API8:2023", Title: "ssl_verify_client optional_no_ca passes identity upstream", Summary: "ssl_verify_client optional_no_ca passing identity upstream."},
		finding.Rule{ID: "nginx-identity-headers-not-cleared", Family: "nginx", Severity: finding.Critical, CWE: []string{"CWE-290"}, OWASP: "API8:2023", Title: "Client identity headers not overwritten by nginx", Summary: "identity headers forwarded without overwriting the client's own (including the proxy_set_header inheritance trap in location blocks)."},
		finding.Rule{ID: "nginx-acao-wildcard", Family: "nginx", Severity: finding.High, CWE: []string{"CWE-942"}, OWASP: "API8:2023", Title: "nginx adds Access-Control-Allow-Origin *", Summary: "add_header Access-Control-Allow-Origin * (worse with always, or on an mTLS server)."},
		finding.Rule{ID: "nginx-acao-reflect-origin", Family: "nginx", Severity: finding.High, CWE: []string{"CWE-942", "CWE-346"}, OWASP: "API8:2023", Title: "nginx reflects $http_origin without an allowlist", Summary: "Access-Control-Allow-Origin $http_origin without an allowlist map."},
		finding.Rule{ID: "nginx-dotfiles-served", Family: "nginx", Severity: finding.Medium, CWE: []string{"CWE-538"}, OWASP: "API8:2023", Title: "nginx serves dotfiles from the application directory", Summary: "a root that serves the application directory with no deny for dotfiles."},
		finding.Rule{ID: "nginx-weak-tls", Family: "nginx", Severity: finding.Medium, CWE: []string{"CWE-326"}, OWASP: "API8:2023", Title: "nginx allows TLS 1.0 or 1.1", Summary: "ssl_protocols includes TLSv1 or TLSv1.1."},
	)
}
