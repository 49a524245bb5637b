package cors

import (
	"net/url"
	"testing"
)

func TestParseOrigin(t *testing.T) {
	tests := []struct {
		in, want string
		spec     string
	}{
		{"https://example.com", "https://example.com", "origin serialization"},
		{"https://Example.COM", "https://example.com", "domain to ASCII lower-cases"},
		{"HTTPS://example.com", "https://example.com", "scheme is lower-cased"},
		{"https://example.com:443", "https://example.com", "default port is null"},
		{"http://example.com:80", "http://example.com", "default port is null"},
		{"http://example.com:443", "http://example.com:443", "443 is not http's default"},
		{"https://example.com:8443", "https://example.com:8443", "port kept"},
		{"https://example.com:08443", "https://example.com:8443", "port parsed as a number"},
		{"https://example.com:0443", "https://example.com", "leading zeros, then default"},
		{"https://example.com:", "https://example.com", "empty port is no port"},
		{"wss://example.com:443", "wss://example.com", "wss default port"},
		{"ws://example.com:80", "ws://example.com", "ws default port"},
		{"https://example.com.", "https://example.com.", "trailing dot kept"},
		{"https://xn--bcher-kva.example", "https://xn--bcher-kva.example", "punycode host"},
		{"https://[::1]", "https://[::1]", "IPv6 bracketed"},
		{"https://[0:0:0:0:0:0:0:1]:8443", "https://[::1]:8443", "IPv6 compressed"},
		{"https://[2001:DB8::1]", "https://[2001:db8::1]", "IPv6 lower-case"},
		{"https://[2001:db8:0:0:1:0:0:1]", "https://[2001:db8::1:0:0:1]", "first longest zero run"},
		{"https://[1:0:1:0:1:0:1:0]", "https://[1:0:1:0:1:0:1:0]", "single zero pieces are not compressed"},
		{"https://[::ffff:1.2.3.4]", "https://[::ffff:102:304]", "IPv4 tail printed as hex"},
		{"https://[::]", "https://[::]", "all zero"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", "IPv4"},
		{"http://0x7f.1", "http://127.0.0.1", "IPv4 parser: hex and short form"},
		{"http://2130706433", "http://127.0.0.1", "IPv4 parser: single number"},
		{"http://0177.0.0.1", "http://127.0.0.1", "IPv4 parser: octal"},
		{"http://127.0.0.1.", "http://127.0.0.1", "IPv4 parser: trailing dot"},
		{"https://target.com_.evil.com", "https://target.com_.evil.com", "underscore is not a forbidden domain code point"},
		{"https://target.com`.evil.com", "https://target.com`.evil.com", "backtick is not a forbidden domain code point"},
		{"https://target.com!.evil.com", "https://target.com!.evil.com", "! is allowed"},
		{"chrome-extension://abcdef", "chrome-extension://abcdef", "non-special scheme"},
		{"null", "null", "opaque origin"},
	}
	for _, tt := range tests {
		o, err := ParseOrigin(tt.in)
		if err != nil {
			t.Errorf("[%s] ParseOrigin(%q): %v", tt.spec, tt.in, err)
			continue
		}
		if got := o.String(); got != tt.want {
			t.Errorf("[%s] ParseOrigin(%q).String() = %q, want %q", tt.spec, tt.in, got, tt.want)
		}
	}
	if o, _ := ParseOrigin("https://[::1]:8443"); o != (Origin{Scheme: "https", Host: "::1", Port: "8443"}) {
		t.Errorf("fields = %+v", o)
	}
	if o, _ := ParseOrigin("null"); o != (Origin{Opaque: true}) {
		t.Errorf("null fields = %+v", o)
	}
}

func TestParseOriginRejects(t *testing.T) {
	for _, in := range []string{
		"", "Null", "NULL", " null", "example.com", "//example.com", "https:/example.com",
		"https://", "https://:443", "https://example.com/", "https://example.com/path",
		"https://example.com?q", "https://example.com#f", "https://user@example.com",
		"https://user:pw@example.com", "https://exa mple.com", "https://example.com ",
		"https://ex%41mple.com", "https://bücher.example", "https://example.com:65536",
		"https://example.com:99999999999", "https://example.com:-1", "https://example.com:x",
		"https://[::1", "https://[::1]x", "https://[fe80::1%eth0]", "https://[1.2.3.4]",
		"https://[::1::2]", "https://::1", "http://256.0.0.1", "http://1.2.3.4.5",
		"http://a.1", "http://0x100.0.0.1", "1https://example.com", "ht tp://example.com",
		"https://exa\\mple.com", "https://exa^mple.com", "https://exa|mple.com", "https://a\x00b",
		"https://a\x7f", "https://<x>",
	} {
		if o, err := ParseOrigin(in); err == nil {
			t.Errorf("ParseOrigin(%q) = %q, want error", in, o.String())
		}
	}
}

func TestOriginString(t *testing.T) {
	tests := []struct {
		o    Origin
		want string
	}{
		{Origin{Scheme: "https", Host: "a.example", Port: "443"}, "https://a.example"},
		{Origin{Scheme: "https", Host: "a.example", Port: "80"}, "https://a.example:80"},
		{Origin{Scheme: "http", Host: "::1", Port: "8080"}, "http://[::1]:8080"},
		{Origin{Opaque: true, Scheme: "https", Host: "x"}, "null"},
	}
	for _, tt := range tests {
		if got := tt.o.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.o, got, tt.want)
		}
	}
}

func TestOriginOf(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://Example.com:443/path?q=1#f", "https://example.com"},
		{"http://user:pw@example.com:8080/", "http://example.com:8080"},
		{"http://[::1]:80/", "http://[::1]"},
		{"blob:https://app.example/0b7c-uuid", "https://app.example"},
		{"blob:ftp://app.example/x", "null"},
		{"file:///etc/passwd", "null"},
		{"data:text/plain,hi", "null"},
		{"about:blank", "null"},
		{"javascript:alert(1)", "null"},
		{"chrome-extension://abc/page.html", "null"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatalf("url.Parse(%q): %v", tt.in, err)
		}
		if got := OriginOf(u).String(); got != tt.want {
			t.Errorf("OriginOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if !OriginOf(nil).Opaque {
		t.Error("OriginOf(nil) is not opaque")
	}
}
