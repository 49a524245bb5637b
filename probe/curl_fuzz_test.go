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
// and a user header's value never survives RedactedRequest: the request text and the curl
// line are the same whatever the value, given its length (and its auth scheme word).
func FuzzEvidence(f *testing.F) {
	f.Add("GET", "https://h/p?token=abc&x=1", "X-Team", "secretvalue1", "OK", "body")
	f.Add("0", "0", "00000", "00000:", "0", "0")
	f.Add("GET", "https://h/", "Authorization", "Bearer masked", "OK", "")
	f.Add("GET", "https://h/", "X-Key", "MASKED-12-CHARS", "OK", "")
	f.Fuzz(func(t *testing.T, method, url, hk, hv, reason, body string) {
		hk = http.CanonicalHeaderKey(strings.TrimSpace(hk))
		if hk == "" || len(hv) < 6 {
			return
		}
		render := func(hv string) (string, string) {
			ex := &Exchange{Method: method, URL: url, RequestHeader: http.Header{hk: {hv}}, Status: 200, StatusText: reason,
				Proto: "HTTP/1.1", Header: http.Header{"X": {reason}}, Body: []byte(body), Alert: -1, userHeader: map[string]bool{strings.ToLower(hk): true}}
			r := ex.RedactedRequest()
			_ = r.ResponseText(512, nil)
			return r.RequestText(), r.Curl(CurlOptions{CACert: true})
		}
		// Another value of the same length and auth scheme.
		keep := 0
		if scheme, _, ok := strings.Cut(hv, " "); ok && (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "Basic") || strings.EqualFold(scheme, "Token")) {
			keep = len(scheme) + 1
		}
		if maskedForm.MatchString(hv[keep:]) {
			return // already in the masked form: nothing of a credential is left to hide
		}
		other := []byte(hv)
		for i := keep; i < len(other); i++ {
			if other[i] == 'Q' {
				other[i] = 'R'
			} else {
				other[i] = 'Q'
			}
		}
		req, curl := render(hv)
		req2, curl2 := render(string(other))
		if req != req2 {
			t.Fatalf("the request evidence depends on the user header's value:\n%s\n---\n%s", req, req2)
		}
		if curl != curl2 {
			t.Fatalf("the curl line depends on the user header's value:\n%s\n---\n%s", curl, curl2)
		}
	})
}
