package scan

import (
	"errors"
	"strings"
	"testing"
)

// A target the user types may carry their credentials (a password before the "@", a token
// in the query); an error about the target never repeats them.
func TestTargetErrorsHideCredentials(t *testing.T) {
	for _, raw := range []string{
		"https://alice:Hunter2secret@api.example.com:9x9/x",
		"ftp://alice:Hunter2secret@api.example.com/x",
		"alice:Hunter2secret@api.example.com/x",
		"https://api.example.com:bad/x?token=Hunter2secret",
		"https://alice:Hunt/er2secret@api.example.com:1:2/",
		"https://[::1/?access_token=Hunter2secret",
	} {
		_, err := ParseTarget(raw)
		if err == nil {
			t.Errorf("%s: no error", raw)
			continue
		}
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Fatalf("%s: not an InputError: %v", raw, err)
		}
		if msg := ie.Msg + ie.Hint; strings.Contains(msg, "secret") {
			t.Errorf("%s: the message repeats the credential: %s", raw, msg)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"https://api.example.com/v1", "api.example.com", "http://[::1]:8443", "https://u:p@h/?token=x#f", "https://%zz", "javascript:alert(1)", "https://h:99999"} {
		f.Add(s, "S3CRETVALUE")
	}
	f.Fuzz(func(t *testing.T, raw, secret string) {
		u, err := ParseTarget(raw)
		if err == nil {
			if u.Scheme != "https" && u.Scheme != "http" || u.Hostname() == "" || u.Fragment != "" || u.Path == "" {
				t.Fatalf("accepted %q as %#v", raw, u)
			}
			return
		}
		var ie *InputError
		if !errors.As(err, &ie) || ie.Msg == "" {
			t.Fatalf("%q: not an InputError with a message: %v", raw, err)
		}
		// The same URL with a password and a token planted: neither appears in the error.
		if len(secret) < 6 || strings.ContainsAny(secret, ":/@?#&=% \t\r\n") || strings.Contains(raw, secret) {
			return
		}
		scheme, rest, ok := strings.Cut(raw, "://")
		if !ok {
			return
		}
		planted := scheme + "://alice:" + secret + "@" + rest
		if !strings.Contains(planted, "?") {
			planted += "?token=" + secret
		}
		if _, err := ParseTarget(planted); err != nil {
			errors.As(err, &ie)
			if strings.Contains(ie.Msg+ie.Hint, secret) {
				t.Fatalf("error for %q repeats the credential: %s / %s", planted, ie.Msg, ie.Hint)
			}
		}
	})
}

func FuzzCheckOrigin(f *testing.F) {
	for _, s := range []string{"https://app.example.com", "null", "http://127.0.0.1:3000", "https://a/b", "https://a?x", "*", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, o string) {
		err := checkOrigin(o)
		var ie *InputError
		if err != nil && (!errors.As(err, &ie) || ie.Msg == "") {
			t.Fatalf("%q: not an InputError with a message: %v", o, err)
		}
	})
}
