package remedy

// Single nginx fixes, each a piece of MTLSNginx: the e2e suite proves them there, in the whole
// configuration, against the real nginx, and a test keeps every piece inside it.

// NginxVerifyGate refuses every request whose client certificate nginx did not verify. Put in
// the server block it covers every location; in a location, only that one.
func NginxVerifyGate() string {
	return "if ($ssl_client_verify != SUCCESS) {\n    return 403;\n}\n"
}

// NginxTLSProtocols offers only TLS 1.2 and 1.3: before TLS 1.3 the client certificate
// crosses the network unencrypted, and older versions are deprecated (RFC 8996).
func NginxTLSProtocols() string { return "ssl_protocols TLSv1.2 TLSv1.3;\n" }

// NginxNoUnderscoreHeaders drops request headers whose names hold underscores, so
// X_SSL_Client_S_DN cannot stand in for X-SSL-Client-S-DN (WSGI maps both to one key).
func NginxNoUnderscoreHeaders() string {
	return "underscores_in_headers off;\nignore_invalid_headers on;\n"
}
