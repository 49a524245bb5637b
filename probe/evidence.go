package probe

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// RequestText renders the request line and headers as sent, for evidence.
func (e *Exchange) RequestText() string {
	var b strings.Builder
	u, err := url.Parse(e.URL)
	path, host := e.URL, ""
	if err == nil {
		path = u.RequestURI()
		host = u.Host
	}
	if e.Host != "" {
		host = e.Host
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\nHost: %s\n", e.Method, path, host)
	writeHeaders(&b, e.RequestHeader, "User-Agent")
	switch {
	case e.IdentitySubject == "":
		fmt.Fprintf(&b, "(client certificate: %s)", e.Identity)
	case e.Identity == "user" || e.Identity == "":
		fmt.Fprintf(&b, "(client certificate: %s)", e.IdentitySubject)
	default:
		fmt.Fprintf(&b, "(client certificate: %s, subject %s)", e.Identity, e.IdentitySubject)
	}
	return b.String()
}

// ResponseText renders the status line, headers and the first bodyBytes of the body. redact,
// when non-nil, is applied to the body excerpt (secrets and PII never reach a report whole).
func (e *Exchange) ResponseText(bodyBytes int, redact func([]byte) []byte) string {
	if e.Err != nil {
		s := fmt.Sprintf("(no HTTP response: %s: %v)", e.ErrKind, e.Err)
		if e.Alert >= 0 {
			s = fmt.Sprintf("(no HTTP response: TLS alert %d %s)", e.Alert, AlertName(e.Alert))
		}
		return s
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %s\n", e.Proto, e.Status, e.StatusText)
	writeHeaders(&b, e.Header, "Date")
	if bodyBytes > 0 && len(e.Body) > 0 {
		body := e.Body
		if len(body) > bodyBytes {
			body = body[:bodyBytes]
		}
		if redact != nil {
			body = redact(body)
		}
		b.WriteString("\n")
		b.WriteString(printable(body))
		if len(e.Body) > bodyBytes || e.BodyTruncated {
			b.WriteString("…")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func writeHeaders(b *strings.Builder, h map[string][]string, skip string) {
	keys := make([]string, 0, len(h))
	for k := range h {
		if !strings.EqualFold(k, skip) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s: %s\n", k, v)
		}
	}
}

func printable(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r >= 0x20 && r != 0x7f {
			return r
		}
		return '.'
	}, s)
}

// CurlOptions say how the reproduction command refers to the user's files.
type CurlOptions struct {
	CACert   bool // the scan used --cacert
	Insecure bool
}

// Curl returns a one-line curl command that reproduces the exchange, with the client
// certificate as placeholders (never the user's real paths or keys).
func (e *Exchange) Curl(o CurlOptions) string {
	parts := []string{"curl", "-sS", "-i"}
	switch e.Method {
	case "HEAD":
		parts = append(parts, "-I")
	case "GET":
	default:
		parts = append(parts, "-X", e.Method)
	}
	if e.Identity != None.Name {
		cert, key := certPlaceholders(e.Identity)
		parts = append(parts, "--cert", cert, "--key", key)
	}
	if o.CACert {
		parts = append(parts, "--cacert", "SERVER_CA.pem")
	}
	if o.Insecure {
		parts = append(parts, "-k")
	}
	keys := make([]string, 0, len(e.RequestHeader))
	for k := range e.RequestHeader {
		if !strings.EqualFold(k, "User-Agent") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range e.RequestHeader[k] {
			parts = append(parts, "-H", shellQuote(k+": "+v))
		}
	}
	if e.Host != "" {
		parts = append(parts, "-H", shellQuote("Host: "+e.Host))
	}
	parts = append(parts, shellQuote(e.URL))
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// certPlaceholders names the files a reader substitutes: the --cert/--key pair for the user's
// identity, NAME_CERT.pem for an --identity, and MINTED_CERT.pem for a certificate crossgate
// minted itself (the finding's notes say how it was made).
func certPlaceholders(identity string) (cert, key string) {
	switch {
	case identity == "user" || identity == "":
		return "CLIENT_CERT.pem", "CLIENT_KEY.pem"
	case strings.HasPrefix(identity, "minted-"):
		return "MINTED_CERT.pem", "MINTED_KEY.pem"
	}
	n := strings.ToUpper(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, identity))
	return n + "_CERT.pem", n + "_KEY.pem"
}

// sensitiveRequestHeaders carry credentials; evidence shows only their length.
var sensitiveRequestHeaders = map[string]bool{
	"authorization": true, "proxy-authorization": true, "cookie": true, "x-api-key": true,
	"api-key": true, "x-auth-token": true, "x-access-token": true, "x-csrftoken": true,
	"x-xsrf-token": true, "x-amz-security-token": true,
}

var sensitiveQuery = []string{"token", "key", "secret", "password", "passwd", "pwd", "auth", "session", "signature", "sig", "credential", "jwt", "code", "ticket", "assertion"}

// credentialWords in a header name mark it as carrying a credential (Private-Token,
// X-Vault-Token, X-Goog-Api-Key, Ocp-Apim-Subscription-Key, X-Auth...).
var credentialWords = []string{"token", "key", "auth", "secret", "session", "password", "passwd", "signature", "credential", "cookie", "jwt"}

// masked is the one form a credential takes in a report, in a header as in a URL: upper case
// like the curl placeholders (CLIENT_CERT.pem) a reader substitutes, and made of characters
// that stay as they are in a user name, a password and a query value.
func masked(v string) string {
	if maskedForm.MatchString(v) {
		return v // already masked (evidence may pass through more than one redactor)
	}
	return fmt.Sprintf("MASKED-%d-CHARS", len(v))
}

var maskedForm = regexp.MustCompile(`^MASKED-\d+-CHARS$`)

func credentialHeader(name string) bool {
	n := strings.ToLower(name)
	if sensitiveRequestHeaders[n] {
		return true
	}
	for _, w := range credentialWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// RedactURL masks a password in the userinfo and the values of token-like query parameters.
func RedactURL(raw string) string { return redactURL(raw) }

// Redacted returns a copy of the exchange fit for a report: credential request headers,
// Set-Cookie values, a password in the URL and token-like query values are masked. The
// body is left alone (ResponseText takes a body redactor).
func (e *Exchange) Redacted() *Exchange {
	cp := e.RedactedRequest()
	if e.Header != nil {
		cp.Header = e.Header.Clone()
		for i, c := range cp.Header.Values("Set-Cookie") {
			name, rest, _ := strings.Cut(c, "=")
			val, attrs, hasAttrs := strings.Cut(rest, ";")
			out := name + "=" + masked(val)
			if hasAttrs {
				out += ";" + attrs
			}
			cp.Header["Set-Cookie"][i] = out
		}
	}
	return cp
}

// RedactedRequest masks only what the user sent: credential request headers (every -H value
// among them), a password in the URL and token-like query values. These are the user's own
// credentials, masked even under --show-secrets, which unmasks only what servers returned.
func (e *Exchange) RedactedRequest() *Exchange {
	cp := *e
	cp.URL = redactURL(e.URL)
	cp.RequestHeader = e.RequestHeader.Clone()
	for k, vs := range cp.RequestHeader {
		if credentialHeader(k) || e.userHeader[strings.ToLower(k)] {
			for i, v := range vs {
				scheme, rest, ok := strings.Cut(v, " ")
				if ok && strings.ToLower(k) != "cookie" && (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "Basic") || strings.EqualFold(scheme, "Token")) {
					vs[i] = scheme + " " + masked(rest) // masked leaves an already masked value alone
				} else {
					vs[i] = masked(v)
				}
			}
		}
	}
	return &cp
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	changed := false
	for k, vs := range q {
		lk := strings.ToLower(k)
		for _, s := range sensitiveQuery {
			if strings.Contains(lk, s) {
				for i, v := range vs {
					if v != "" {
						vs[i] = masked(v)
					}
				}
				changed = true
				break
			}
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	if u.User != nil {
		// A user name alone is often the token itself (https://TOKEN@host).
		if p, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), masked(p))
		} else if name := u.User.Username(); name != "" {
			u.User = url.User(masked(name))
		}
	}
	return u.String()
}
