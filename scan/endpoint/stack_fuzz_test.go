package endpoint

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
)

// FuzzDetectStack: whatever headers and body a server sends, the guess is made of the
// stacks remediation has text for, or nothing; an exchange that failed changes nothing.
func FuzzDetectStack(f *testing.F) {
	f.Add("Server: nginx/1.22\nSet-Cookie: csrftoken=x", []byte(""), 200)
	f.Add("X-Frame-Options: DENY\nX-Content-Type-Options: nosniff\nReferrer-Policy: same-origin", []byte("{}"), 200)
	f.Add("Vary: Origin, Cookie", []byte("Django DEBUG = True"), 500)
	f.Add("Server: \x1b]0;x\x07nginx", []byte{0xff}, 0)
	f.Fuzz(func(t *testing.T, head string, body []byte, status int) {
		h := http.Header{}
		for line := range strings.Lines(head) {
			if k, v, ok := strings.Cut(strings.TrimRight(line, "\n"), ":"); ok {
				h.Add(k, strings.TrimSpace(v))
			}
		}
		ex := &probe.Exchange{Status: status, Header: h, Body: body}
		got := DetectStack(ex)
		if got.App != "" && got.App != remedy.Django || got.CORS != "" && got.CORS != remedy.DjangoCORSHeaders || got.Proxy != "" && got.Proxy != remedy.Nginx {
			t.Fatalf("stack %+v", got)
		}
		failed := &probe.Exchange{Status: 200, Header: http.Header{"Server": {"nginx"}}, Err: errors.New("reset")}
		if again := DetectStack(nil, failed, ex); again != got {
			t.Fatalf("a failed exchange changed the guess: %+v, then %+v", got, again)
		}
	})
}
