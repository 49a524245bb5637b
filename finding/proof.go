package finding

import (
	"fmt"
	"strings"
)

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

// Proven returns the first attempt in which the page read a successful response (status
// below 400), or nil. Reading an error page (nginx's 400 for a missing certificate) proves
// nothing about the protected content.
func Proven(ps []Proof) *Proof {
	for i := range ps {
		if ps[i].Read && ps[i].Status > 0 && ps[i].Status < 400 {
			return &ps[i]
		}
	}
	return nil
}

// Attempt names one proof attempt: its credentials mode, "+preflight" when a custom header
// forced a preflight.
func (p Proof) Attempt() string {
	if p.Preflight {
		return p.Mode + "+preflight"
	}
	return p.Mode
}

// BrowserName is "Chromium 156" for browser "chromium", version "156.0.8078.129".
func (p Proof) BrowserName() string {
	name := p.Browser
	if name == "chromium" {
		name = "Chromium"
	}
	major, _, _ := strings.Cut(p.Version, ".")
	if major == "" {
		return name
	}
	return name + " " + major
}

// ProofLine is the one-line verdict every report prints for a finding with proofs:
// "proven in Chromium 156: a page on https://x read 108 bytes", or why it was not.
func ProofLine(ps []Proof) string {
	if len(ps) == 0 {
		return ""
	}
	if p := Proven(ps); p != nil {
		return fmt.Sprintf("proven in %s: a page on %s read %d bytes (HTTP %d, credentials mode %s)", p.BrowserName(), p.PageOrigin, p.Bytes, p.Status, p.Attempt())
	}
	p := ps[0]
	for _, q := range ps {
		if q.Read {
			return fmt.Sprintf("not proven in %s: a page on %s read only an HTTP %d error response", q.BrowserName(), q.PageOrigin, q.Status)
		}
	}
	return fmt.Sprintf("not proven in %s: a page on %s could not read the response in any of %d attempts", p.BrowserName(), p.PageOrigin, len(ps))
}
