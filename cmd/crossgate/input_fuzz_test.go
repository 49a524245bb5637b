package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/scan"
)

// FuzzTargetList: any bytes given with -i are a list of targets the scan accepts, or one
// message; a line the scan would refuse never slips through.
func FuzzTargetList(f *testing.F) {
	f.Add([]byte("https://ok.test/a\n# c\nhttps://ok.test/b #x\n"))
	f.Add([]byte("ftp://bad.test/\nnot a url\n"))
	f.Add([]byte("https://a.test/\x00\n"))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := parseTargetList("list", strings.NewReader(string(data)))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty message")
			}
			return
		}
		for _, u := range got {
			if _, err := scan.ParseTarget(u); err != nil {
				t.Fatalf("accepted %q, which the scan refuses: %v", u, err)
			}
		}
	})
}

// FuzzHeaders: every -H value is a header with a valid name and a value without line
// breaks, or a message that does not repeat the value (usually a credential).
func FuzzHeaders(f *testing.F) {
	f.Add("Authorization: Bearer abcdefghijklmnop")
	f.Add("NoColonButALongSecretValue")
	f.Add("Bad Name: secret-value-here")
	f.Add("X-Api-Key: a\nb")
	f.Fuzz(func(t *testing.T, h string) {
		header, msg := parseHeaders([]string{"X-Ok: 1", h})
		if msg != "" {
			_, value, ok := strings.Cut(h, ":")
			if !ok {
				value = h
			}
			value = strings.TrimSpace(value)
			if len(value) >= 12 && strings.Contains(msg, value) && !strings.Contains(msg[:strings.Index(msg, ":")+1], value) {
				t.Fatalf("message repeats the value: %q", msg)
			}
			return
		}
		for name, vs := range header {
			if !validHeaderName(name) {
				t.Fatalf("header name %q accepted", name)
			}
			for _, v := range vs {
				if strings.ContainsAny(v, "\r\n\x00") {
					t.Fatalf("value with a line break accepted: %q", v)
				}
			}
		}
		if len(header) == 0 {
			t.Fatal("no header and no message")
		}
	})
}

// FuzzIdentitySpec: an --identity spec is a name and a certificate file, or an InputError.
func FuzzIdentitySpec(f *testing.F) {
	f.Add("bob=bob.crt,bob.key")
	f.Add("user=a.pem")
	f.Add("=x")
	f.Add("bob=,key")
	f.Fuzz(func(t *testing.T, spec string) {
		name, cert, _, err := splitIdentity(spec)
		if err != nil {
			var ie *scan.InputError
			if !errors.As(err, &ie) || ie.Msg == "" || ie.Hint == "" {
				t.Fatalf("not an InputError with a message and a hint: %v", err)
			}
			return
		}
		if name == "" || cert == "" || name == "user" || name == "none" || strings.Contains(name, "=") {
			t.Fatalf("%q split into name %q, cert %q", spec, name, cert)
		}
	})
}
