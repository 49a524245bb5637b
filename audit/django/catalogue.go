package django

import "github.com/crossgate/crossgate/finding"

// The django rules this package reports.
func init() {
	finding.Register(
		finding.Rule{ID: "django-cors-allow-all", Family: "django", Severity: finding.High, CWE: []string{"CWE-942"}, OWASP: "API8:2023", Title: "django-cors-headers allows every origin", Summary: "CORS_ALLOW_ALL_ORIGINS (or the old CORS_ORIGIN_ALLOW_ALL) is true."},
		finding.Rule{ID: "django-cors-allow-all-credentials", Family: "django", Severity: finding.Critical, CWE: []string{"CWE-942", "CWE-346"}, OWASP: "API8:2023", Title: "django-cors-headers allows every origin with credentials", Summary: "allow-all together with CORS_ALLOW_CREDENTIALS = True (reflects every origin)."},
		finding.Rule{ID: "django-cors-regex-unsafe", Family: "django", Severity: finding.High, CWE: []string{"CWE-346"}, OWASP: "API8:2023", Title: "Unsafe CORS_ALLOWED_ORIGIN_REGEXES entry", Summary: "CORS_ALLOWED_ORIGIN_REGEXES entry without $, with an unescaped dot, or with .* before the domain."},
		finding.Rule{ID: "django-cors-null-origin", Family: "django", Severity: finding.High, CWE: []string{"CWE-346"}, OWASP: "API8:2023", Title: "\"null\" in the CORS allowlist", Summary: "\"null\" in the allowlist."},
		finding.Rule{ID: "django-cors-http-origin", Family: "django", Severity: finding.Medium, CWE: []string{"CWE-319"}, OWASP: "API8:2023", Title: "http:// origin in the CORS allowlist", Summary: "http:// origins in the allowlist."},
		finding.Rule{ID: "django-cors-middleware-order", Family: "django", Severity: finding.Low, CWE: []string{"CWE-942"}, OWASP: "API8:2023", Title: "CorsMiddleware missing or placed too late", Summary: "CorsMiddleware missing from, or placed after, middleware that can return responses (CommonMiddleware, auth/mTLS middleware)."},
		finding.Rule{ID: "django-cors-broad-preflight", Family: "django", Severity: finding.Medium, CWE: []string{"CWE-942"}, OWASP: "API8:2023", Title: "Very broad CORS preflight settings", Summary: "very broad CORS_ALLOW_METHODS / CORS_ALLOW_HEADERS / max-age."},
		finding.Rule{ID: "django-mtls-dn-substring", Family: "django", Severity: finding.High, CWE: []string{"CWE-287"}, OWASP: "API2:2023", Title: "Client subject DN matched by substring", Summary: "subject DN checked with in, startswith, find or an unanchored regex."},
		finding.Rule{ID: "django-mtls-header-unverified", Family: "django", Severity: finding.Critical, CWE: []string{"CWE-290"}, OWASP: "API2:2023", Title: "Identity header trusted without checking the verify result", Summary: "identity taken from HTTP_X_SSL_CLIENT_* / XFCC without checking the verify result."},
		finding.Rule{ID: "django-debug-enabled", Family: "django", Severity: finding.Medium, CWE: []string{"CWE-215"}, OWASP: "API8:2023", Title: "DEBUG enabled", Summary: "DEBUG = True reachable in production settings."},
		finding.Rule{ID: "django-secret-key-hardcoded", Family: "django", Severity: finding.High, CWE: []string{"CWE-540", "CWE-798"}, OWASP: "API8:2023", Title: "Hard-coded SECRET_KEY", Summary: "a literal SECRET_KEY."},
		finding.Rule{ID: "django-allowed-hosts-wildcard", Family: "django", Severity: finding.Medium, CWE: []string{"CWE-20"}, OWASP: "API8:2023", Title: "ALLOWED_HOSTS contains *", Summary: "ALLOWED_HOSTS contains *."},
		finding.Rule{ID: "django-insecure-cookies", Family: "django", Severity: finding.Medium, CWE: []string{"CWE-614"}, OWASP: "API8:2023", Title: "Session or CSRF cookie not marked Secure", Summary: "SESSION_COOKIE_SECURE / CSRF_COOKIE_SECURE false or unset."},
		finding.Rule{ID: "django-ssl-redirect-off", Family: "django", Severity: finding.Low, CWE: []string{"CWE-319"}, OWASP: "API8:2023", Title: "SECURE_SSL_REDIRECT off", Summary: "SECURE_SSL_REDIRECT false or unset with no proxy doing it."},
		finding.Rule{ID: "django-logging-sensitive", Family: "django", Severity: finding.Medium, CWE: []string{"CWE-532"}, OWASP: "API8:2023", Title: "Logging writes sensitive request data", Summary: "logging configuration or code that writes request headers/bodies, certificates or tokens."},
	)
}
