package probe

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// One mask form for every credential a report shows: the -H values, the password (or the
// token standing as user name) in the URL and token-like query values, in the request line,
// the curl command and the target URL alike; it stays a valid URL component, unescaped.
func TestOneMaskForm(t *testing.T) {
	raw := "https://bob:Hunter2Secret@api.test/x?access_token=abcdef123456&page=2"
	ex := &Exchange{Method: "GET", URL: raw, Identity: "user",
		RequestHeader: http.Header{"Authorization": {"Bearer SuperSecretToken123456789"}, "X-Api-Key": {"k3yk3yk3y"}}}
	r := ex.Redacted()
	shown := RedactURL(raw)
	if want := "https://bob:MASKED-13-CHARS@api.test/x?access_token=MASKED-12-CHARS&page=2"; shown != want {
		t.Errorf("RedactURL = %q, want %q", shown, want)
	}
	if _, err := url.Parse(shown); err != nil {
		t.Errorf("the redacted URL does not parse: %v", err)
	}
	req, curl := r.RequestText(), r.Curl(CurlOptions{})
	for _, want := range []string{"GET /x?access_token=MASKED-12-CHARS&page=2 HTTP/1.1", "Authorization: Bearer MASKED-25-CHARS", "X-Api-Key: MASKED-9-CHARS"} {
		if !strings.Contains(req, want) {
			t.Errorf("request line lacks %q:\n%s", want, req)
		}
	}
	for _, want := range []string{"'Authorization: Bearer MASKED-25-CHARS'", shown} {
		if !strings.Contains(curl, want) {
			t.Errorf("curl lacks %q:\n%s", want, curl)
		}
	}
	// A token standing alone as the user name is masked too.
	if got := RedactURL("https://ghp0123456789abcdef@git.test/r"); strings.Contains(got, "ghp0123456789abcdef") {
		t.Errorf("token user name shown: %s", got)
	}
	// Masking twice changes nothing (evidence may pass through more than one redactor).
	if again := RedactURL(shown); again != shown {
		t.Errorf("RedactURL is not idempotent: %q -> %q", shown, again)
	}
}
