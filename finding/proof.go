package finding

// Proof is one attempt, in a real browser, to read an endpoint from an attacker page: the
// browser, the page's origin, the fetch() credentials mode, whether a custom header forced a
// preflight, and what the page could read. A finding that claims a cross-origin read carries
// one Proof per mode tried when the scan ran with --prove.
type Proof struct {
	Browser    string `json:"browser"`
	Version    string `json:"version"`
	PageOrigin string `json:"page_origin"`
	Mode       string `json:"mode"` // omit, same-origin or include
	Preflight  bool   `json:"preflight"`
	Read       bool   `json:"read"`
	Status     int    `json:"status"`
	Bytes      int    `json:"bytes"`
	// Excerpt is the start of what the page read, redacted like all evidence.
	Excerpt string `json:"excerpt,omitempty"`
	// CertPresented says how the client certificate reached the browser's TLS handshake:
	// "policy" (imported into the browser's store and auto-selected by policy) or "proxy"
	// (a loopback forward proxy presents it; the CORS decision is still the browser's).
	CertPresented string `json:"cert_presented"`
	// Error says why the attempt could not run or the read failed, as the page saw it.
	Error string `json:"error,omitempty"`
}
