package guard

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// written is what an HTTP/1.1 server reads from a request written by write: the parsed
// request, or the write's or the parse's error.
func written(t testing.TB, r *http.Request, write func(*bufio.Writer, *http.Request) error) (*http.Request, string, error) {
	t.Helper()
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	if err := write(bw, r); err != nil {
		return nil, "", err
	}
	bw.Flush()
	got, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b.Bytes())))
	return got, b.String(), err
}

func viaWrite(bw *bufio.Writer, r *http.Request) error { return r.Write(bw) }

// sameOnTheWire fails unless writeRequest and (*http.Request).Write give a server the same
// request: method, request URI, Host and every field with its values, field order aside.
func sameOnTheWire(t testing.TB, r *http.Request) {
	t.Helper()
	r2 := r.Clone(r.Context())
	want, wantRaw, werr := written(t, r, viaWrite)
	got, gotRaw, gerr := written(t, r2, writeRequest)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("Write: %v; writeRequest: %v\nWrite wrote %q\nwriteRequest wrote %q", werr, gerr, wantRaw, gotRaw)
	}
	if werr != nil {
		return
	}
	if got.Method != want.Method || got.RequestURI != want.RequestURI || got.Host != want.Host ||
		!reflect.DeepEqual(got.Header, want.Header) || got.ContentLength != want.ContentLength {
		t.Fatalf("differs on the wire:\nWrite:        %q\nwriteRequest: %q", wantRaw, gotRaw)
	}
}

func TestWriteRequestAsNetHTTP(t *testing.T) {
	base := func(method, target string, h http.Header) *http.Request {
		u, err := url.Parse(target)
		if err != nil {
			t.Fatal(err)
		}
		r := &http.Request{Method: method, URL: u, Host: u.Host, Header: h, Body: http.NoBody, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
		return r
	}
	cases := map[string]*http.Request{
		"plain GET": base("GET", "http://app.example/api/profile?x=1&y=%20", http.Header{
			"Accept": {"application/json"}, "X-Forwarded-For": {"127.0.0.1"}, "User-Agent": {""}}),
		"HEAD, two values":                     base("HEAD", "http://app.example/", http.Header{"Accept": {"a", "b"}, "Cookie": {"a=1; b=2"}}),
		"user agent absent":                    base("GET", "http://app.example/", http.Header{}),
		"user agent kept, first only, trimmed": base("GET", "http://app.example/", http.Header{"User-Agent": {" curl/8 \t", "other"}}),
		"CR LF in values":                      base("GET", "http://app.example/", http.Header{"X-A": {"a\r\nInjected: 1"}, "User-Agent": {"u\nv"}}),
		"invalid field name":                   base("GET", "http://app.example/", http.Header{"Bad Name": {"x"}, "X-Ok": {"1"}}),
		"framing fields left":                  base("GET", "http://app.example/", http.Header{"Content-Length": {"5"}, "Transfer-Encoding": {"chunked"}, "Trailer": {"X"}, "Host": {"evil"}}),
		"unicode space kept":                   base("GET", "http://app.example/", http.Header{"X-A": {"v\u00a0"}}),
		"escaped path":                         base("GET", "http://app.example/a%2Fb/c%20d", nil),
		"IPv6 host with zone":                  base("GET", "http://[fe80::1%25eth0]:8000/", nil),
		"non-ASCII host":                       base("GET", "http://bücher.example/", nil),
		"invalid host":                         base("GET", "http://app.example/", nil),
		"control byte in path":                 base("GET", "http://app.example/", nil),
		"POST with a body":                     base("POST", "http://app.example/", http.Header{"Content-Type": {"text/plain"}}),
		"DELETE":                               base("DELETE", "http://app.example/", nil),
	}
	cases["invalid host"].Host = "a b\r\nX: y"
	cases["control byte in path"].URL.Path = "/a\x01b"
	cases["POST with a body"].Body = http.NoBody
	cases["POST with a body"].ContentLength = 0
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			if r.Header == nil {
				r.Header = http.Header{}
			}
			sameOnTheWire(t, r)
		})
	}
	// A body goes to Write: the answer must still be framed by it.
	r := base("PUT", "http://app.example/x", http.Header{})
	r.Body, r.ContentLength = io.NopCloser(strings.NewReader("hello")), 5
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	if err := writeRequest(bw, r); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	if !strings.Contains(b.String(), "Content-Length: 5\r\n") || !strings.HasSuffix(b.String(), "\r\n\r\nhello") {
		t.Fatalf("a request with a body is not framed by Write: %q", b.String())
	}
}

// FuzzWriteRequest: for any method, target, Host and field, writeRequest and Write give a
// server the same request (or both fail).
func FuzzWriteRequest(f *testing.F) {
	f.Add("GET", "/api/profile?x=1", "app.example:8443", "X-A", "v", "curl/8")
	f.Add("HEAD", "/a%2Fb", "[::1%25lo]:80", "Bad Name", "a\r\nb", "")
	f.Add("GET", "/", "bücher.example", "X-B", " v\u00a0 ", "u\nv")
	f.Fuzz(func(t *testing.T, method, target, host, name, value, ua string) {
		if method != "GET" && method != "HEAD" {
			method = "GET"
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		u.Scheme, u.Host = "http", "upstream.example"
		r := &http.Request{Method: method, URL: u, Host: host, Body: http.NoBody, Header: http.Header{name: {value}, "User-Agent": {ua}}}
		sameOnTheWire(t, r)
	})
}
