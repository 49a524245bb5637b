package probe

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzShellQuote: a quoted value is one shell word that reads back as the value (checked by
// unquoting single-quote words the way sh does).
func FuzzShellQuote(f *testing.F) {
	for _, s := range []string{"", "plain", "it's", "a b", "$(id)", "`x`", "'; rm -rf / #", "\x1b[2J"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := shellQuote(s)
		if got, ok := unquoteSh(q); !ok || got != s {
			t.Fatalf("shellQuote(%q) = %q reads back as %q", s, q, got)
		}
	})
}

// unquoteSh reads one word of plain characters and '...' runs, and \' between them.
func unquoteSh(w string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(w); {
		switch {
		case w[i] == '\'':
			j := strings.IndexByte(w[i+1:], '\'')
			if j < 0 {
				return "", false
			}
			b.WriteString(w[i+1 : i+1+j])
			i += j + 2
		case w[i] == '\\' && i+1 < len(w):
			b.WriteByte(w[i+1])
			i += 2
		case strings.IndexByte(" \t\n;&|<>()$`\"*?[#~", w[i]) >= 0:
			return "", false // would be interpreted by the shell
		default:
			b.WriteByte(w[i])
			i++
		}
	}
	return b.String(), true
}

// FuzzEvidence: any exchange renders to request, response and curl text without panicking,
// and a user header's value never survives RedactedRequest.
func FuzzEvidence(f *testing.F) {
	f.Add("GET", "https://h/p?token=abc&x=1", "X-Team", "secretvalue1", "OK", "body")
	f.Fuzz(func(t *testing.T, method, url, hk, hv, reason, body string) {
		hk = http.CanonicalHeaderKey(strings.TrimSpace(hk))
		if hk == "" || len(hv) < 6 {
			return
		}
		ex := &Exchange{Method: method, URL: url, RequestHeader: http.Header{hk: {hv}}, Status: 200, StatusText: reason,
			Proto: "HTTP/1.1", Header: http.Header{"X": {reason}}, Body: []byte(body), Alert: -1, userHeader: map[string]bool{strings.ToLower(hk): true}}
		r := ex.RedactedRequest()
		req := r.RequestText()
		_ = r.ResponseText(512, nil)
		curl := r.Curl(CurlOptions{CACert: true})
		if strings.Contains(req, hv) && !strings.Contains(method+url+hk, hv) {
			t.Fatalf("user header value %q in request evidence:\n%s", hv, req)
		}
		if strings.Contains(curl, hv) && !strings.Contains(method+url+hk, hv) {
			t.Fatalf("user header value %q in curl: %s", hv, curl)
		}
	})
}
