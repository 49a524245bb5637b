package nginx

// MTLSServerLines are the server-block directives that make nginx demand and verify a client
// certificate from the CA in ssl_client_certificate.
func MTLSServerLines() string {
	return `# server { ... }: demand a client certificate signed by your CA, at the TLS layer.
ssl_verify_client on;
ssl_client_certificate /etc/nginx/client-ca.pem;  # the CA that issues your client certificates
ssl_verify_depth 2;
`
}

// MTLSProxyHeaders are the proxy_set_header lines every proxying location needs: nginx's
// verified values for the headers the application reads, and "" (which removes a header) for
// every other identity header a client could send.
func MTLSProxyHeaders() string {
	return `proxy_set_header X-SSL-Client-Verify $ssl_client_verify;
proxy_set_header X-SSL-Client-S-DN $ssl_client_s_dn;
proxy_set_header X-SSL-Client-Cert "";
proxy_set_header X-Client-Cert "";
proxy_set_header X-Forwarded-Client-Cert "";
proxy_set_header Client-Cert "";
`
}

// MTLSRemediation is the fix for the nginx mTLS rules: verify at the TLS layer, and set (or
// clear) the identity headers in every location that proxies, because a location with any
// proxy_set_header of its own inherits none from the server block.
func MTLSRemediation() string {
	return MTLSServerLines() + `
# In EVERY location that proxy_passes (repeat them where a location sets its own
# proxy_set_header): setting a header replaces what the client sent, "" removes it.
` + MTLSProxyHeaders() + `
# Keep underscores_in_headers off (the default) so X_SSL_Client_S_DN is dropped, and have the
# application trust X-SSL-Client-S-DN only when X-SSL-Client-Verify is SUCCESS.
`
}
