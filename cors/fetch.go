package cors

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Step identifiers. A Verdict's Step is one of these; the text before the
// colon names the Fetch algorithm whose step decided.
const (
	// fetch() itself throws a TypeError before any request (Request
	// constructor, Headers "append", "normalize a method").
	StepInvalidOrigin      = "request: invalid origin"
	StepInvalidCredentials = "request: invalid credentials mode"
	StepInvalidMethod      = "request: invalid method"
	StepInvalidHeader      = "request: invalid header"

	// CORS check, run on the actual response ("HTTP fetch" step 4.4) and,
	// with the actual request's credentials mode, on the preflight response.
	StepACAOMissing       = "cors-check: ACAO missing"                   // CORS check step 2
	StepACAOWildcard      = "cors-check: ACAO wildcard"                  // step 3, success
	StepACAOWildcardCreds = "cors-check: ACAO wildcard with credentials" // step 3 skipped, step 4 fails
	StepACAOMultiple      = "cors-check: ACAO multiple headers"          // step 1 combines, step 4 fails
	StepACAOMismatch      = "cors-check: ACAO mismatch"                  // step 4
	StepOriginMatched     = "cors-check: origin matched"                 // step 5, success
	StepACACTrue          = "cors-check: ACAC true"                      // step 7, success
	StepACACMissing       = "cors-check: ACAC missing"                   // step 8
	StepACACNotTrue       = "cors-check: ACAC not true"                  // step 8
	StepRedirect          = "http-fetch: redirect followed"              // "HTTP fetch" step 6: followed, never exposed
	StepNoResponse        = "http-fetch: no response"                    // network error before any response

	// CORS-preflight fetch, step 7. The CORS check on the preflight
	// response reports "cors-preflight: " plus the CORS check's wording.
	StepPreflightNoResponse        = "cors-preflight: no response"
	StepPreflightACAOMissing       = "cors-preflight: ACAO missing"
	StepPreflightACAOWildcardCreds = "cors-preflight: ACAO wildcard with credentials"
	StepPreflightACAOMultiple      = "cors-preflight: ACAO multiple headers"
	StepPreflightACAOMismatch      = "cors-preflight: ACAO mismatch"
	StepPreflightACACMissing       = "cors-preflight: ACAC missing"
	StepPreflightACACNotTrue       = "cors-preflight: ACAC not true"
	StepPreflightStatus            = "cors-preflight: status not ok"                  // step 7, ok status
	StepPreflightACAMInvalid       = "cors-preflight: ACAM unparsable"                // step 7.3
	StepPreflightACAHInvalid       = "cors-preflight: ACAH unparsable"                // step 7.3
	StepPreflightMethod            = "cors-preflight: method not allowed"             // step 7.5
	StepPreflightMethodWildcard    = "cors-preflight: ACAM wildcard with credentials" // step 7.5
	StepPreflightAuthorization     = "cors-preflight: authorization not listed"       // step 7.6
	StepPreflightHeader            = "cors-preflight: header not allowed"             // step 7.7
	StepPreflightHeaderWildcard    = "cors-preflight: ACAH wildcard with credentials" // step 7.7
	StepPreflightOK                = "cors-preflight: ok"
)

// normalized is a Request after fetch()'s own normalisation.
type normalized struct {
	origin  string
	method  string
	include bool
	headers []header
}

type header struct{ name, value string } // name lower-case

// normalize applies what fetch() does before any network traffic, returning
// a verdict when fetch() would throw instead.
func normalize(req Request) (normalized, *Verdict) {
	var n normalized
	o, err := ParseOrigin(req.Origin)
	if err != nil {
		return n, &Verdict{Step: StepInvalidOrigin, Reason: "A browser cannot serialize this origin: " + err.Error() + "."}
	}
	n.origin = o.String()
	switch req.Credentials {
	case "", SameOrigin, Omit:
	case Include:
		n.include = true
	default:
		return n, &Verdict{Step: StepInvalidCredentials, Reason: "fetch() throws a TypeError for credentials mode " + quote(string(req.Credentials)) + "."}
	}
	m, ok := normalizeMethod(req.Method)
	if !ok {
		return n, &Verdict{Step: StepInvalidMethod, Reason: "fetch() throws a TypeError for method " + quote(req.Method) + " (not a token, or CONNECT/TRACE/TRACK)."}
	}
	n.method = m
	for _, name := range sortedKeys(req.Headers) {
		if !isToken(name) {
			return n, &Verdict{Step: StepInvalidHeader, Reason: "fetch() throws a TypeError for header name " + quote(name) + "."}
		}
		for _, v := range req.Headers[name] {
			v = trimHTTPWhitespace(v)
			if strings.ContainsAny(v, "\x00\r\n") {
				return n, &Verdict{Step: StepInvalidHeader, Reason: "fetch() throws a TypeError for a " + name + " value containing NUL, CR or LF."}
			}
		}
	}
	n.headers = authorHeaders(req.Headers)
	return n, nil
}

// normalizeMethod is Fetch "normalize a method" plus the Request
// constructor's validity checks.
func normalizeMethod(m string) (string, bool) {
	if m == "" {
		return "GET", true
	}
	if !isToken(m) {
		return "", false
	}
	up := strings.ToUpper(m)
	switch up {
	case "CONNECT", "TRACE", "TRACK":
		return "", false
	case "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT":
		return up, true
	}
	return m, true
}

func isSafelistedMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "POST" }

func (n normalized) needsPreflight() bool {
	return !isSafelistedMethod(n.method) || len(unsafeNames(n.headers)) > 0
}

// authorHeaders turns h into a header list the way a Headers object with
// guard "request" builds it: values trimmed, forbidden request-headers
// dropped, names lower-cased. Values that fetch() would reject are kept so
// that UnsafeHeaderNames still classifies them (as unsafe).
func authorHeaders(h http.Header) []header {
	var out []header
	for _, name := range sortedKeys(h) {
		lname := strings.ToLower(name)
		for _, v := range h[name] {
			v = trimHTTPWhitespace(v)
			if isForbiddenRequestHeader(lname, v) {
				continue
			}
			out = append(out, header{lname, v})
		}
	}
	return out
}

func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var forbiddenRequestHeaders = map[string]bool{
	"accept-charset": true, "accept-encoding": true, "access-control-request-headers": true,
	"access-control-request-method": true, "connection": true, "content-length": true,
	"cookie": true, "cookie2": true, "date": true, "dnt": true, "expect": true, "host": true,
	"keep-alive": true, "origin": true, "referer": true, "set-cookie": true, "te": true,
	"trailer": true, "transfer-encoding": true, "upgrade": true, "via": true,
}

// isForbiddenRequestHeader is Fetch "forbidden request-header".
func isForbiddenRequestHeader(lname, value string) bool {
	if forbiddenRequestHeaders[lname] || strings.HasPrefix(lname, "proxy-") || strings.HasPrefix(lname, "sec-") {
		return true
	}
	switch lname {
	case "x-http-method", "x-http-method-override", "x-method-override":
		for _, m := range strings.Split(value, ",") {
			switch strings.ToUpper(trimHTTPWhitespace(m)) {
			case "CONNECT", "TRACE", "TRACK":
				return true
			}
		}
	}
	return false
}

// unsafeNames is Fetch "CORS-unsafe request-header names".
func unsafeNames(list []header) []string {
	var unsafe, potentially []string
	size := 0
	for _, h := range list {
		if !isSafelistedRequestHeader(h.name, h.value) {
			unsafe = append(unsafe, h.name)
		} else {
			potentially = append(potentially, h.name)
			size += len(h.value)
		}
	}
	if size > 1024 {
		unsafe = append(unsafe, potentially...)
	}
	return sortedSet(unsafe)
}

func sortedSet(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	out := names[:1]
	for _, s := range names[1:] {
		if s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	return out
}

// isUnsafeRequestByte is Fetch "CORS-unsafe request-header byte".
func isUnsafeRequestByte(c byte) bool {
	if c < 0x20 {
		return c != 0x09
	}
	switch c {
	case '"', '(', ')', ':', '<', '>', '?', '@', '[', '\\', ']', '{', '}', 0x7f:
		return true
	}
	return false
}

func hasUnsafeRequestByte(v string) bool {
	for i := 0; i < len(v); i++ {
		if isUnsafeRequestByte(v[i]) {
			return true
		}
	}
	return false
}

// isSafelistedRequestHeader is Fetch "CORS-safelisted request-header".
func isSafelistedRequestHeader(lname, value string) bool {
	if len(value) > 128 {
		return false
	}
	switch lname {
	case "accept":
		return !hasUnsafeRequestByte(value)
	case "accept-language", "content-language":
		for i := 0; i < len(value); i++ {
			c := value[i]
			if !isDigit(c) && !isASCIIAlpha(c) && strings.IndexByte(" *,-.;=", c) < 0 {
				return false
			}
		}
		return true
	case "content-type":
		if hasUnsafeRequestByte(value) {
			return false
		}
		switch mimeEssence(value) {
		case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
			return true
		}
		return false
	case "range":
		return simpleRange(value)
	}
	return false
}

// mimeEssence is the MIME Sniffing standard's "parse a MIME type" reduced to
// its essence (type/subtype, lower-case); "" on failure. Parameters never
// make the parse fail, so they are not examined.
func mimeEssence(v string) string {
	v = trimHTTPWhitespace(v)
	typ, rest, ok := strings.Cut(v, "/")
	if !ok || typ == "" || !isToken(typ) {
		return ""
	}
	sub, _, _ := strings.Cut(rest, ";")
	sub = strings.TrimRight(sub, " \t\r\n")
	if sub == "" || !isToken(sub) {
		return ""
	}
	return strings.ToLower(typ + "/" + sub)
}

// simpleRange is Fetch's Range safelisting: "parse a single range header
// value" with allowWhitespace false must succeed and have a start.
func simpleRange(v string) bool {
	// "bytes" is matched case-sensitively ("starts with"), unlike the HTTP
	// range unit.
	if len(v) < 6 || v[:5] != "bytes" || v[5] != '=' {
		return false
	}
	v = v[6:]
	i := 0
	for i < len(v) && isDigit(v[i]) {
		i++
	}
	// No start: suffix ranges are not safelisted. The numbers have no length limit (the
	// header's 128-byte cap bounds them); numLess compares them as decimal strings.
	if i == 0 {
		return false
	}
	start := v[:i]
	if i >= len(v) || v[i] != '-' {
		return false
	}
	end := v[i+1:]
	if end == "" {
		return true
	}
	if strings.Trim(end, "0123456789") != "" {
		return false
	}
	return !numLess(end, start)
}

// numLess compares two decimal strings as numbers without overflow.
func numLess(a, b string) bool {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func trimHTTPWhitespace(s string) string { return strings.Trim(s, " \t\r\n") }

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) || isASCIIAlpha(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return "\"" + strings.ToValidUTF8(s, "?") + "\""
}

// HeaderValue is Fetch "get" on a header list: nil when no header has the
// name, otherwise the values of every line with that name (matched
// case-insensitively) joined with ", ", each trimmed of the leading and
// trailing whitespace an HTTP parser strips. So two
// Access-Control-Allow-Origin lines become one "a, b" value.
func HeaderValue(h http.Header, name string) (value string, present bool) {
	vals, lines := headerLines(h, name)
	if lines == 0 {
		return "", false
	}
	return strings.Join(vals, ", "), true
}

// headerLines returns the trimmed values of every line called name. It reads
// the canonical key first, then any non-canonical spelling in sorted order, so
// hand-built maps are read the way a parsed response would be.
func headerLines(h http.Header, name string) ([]string, int) {
	canon := http.CanonicalHeaderKey(name)
	var vals []string
	for _, v := range h[canon] {
		vals = append(vals, trimHTTPWhitespace(v))
	}
	if len(h) > 1 || len(vals) == 0 {
		var others []string
		for k := range h {
			if k != canon && strings.EqualFold(k, name) {
				others = append(others, k)
			}
		}
		sort.Strings(others)
		for _, k := range others {
			for _, v := range h[k] {
				vals = append(vals, trimHTTPWhitespace(v))
			}
		}
	}
	return vals, len(vals)
}

// extractList is Fetch "extract header list values" for a #token header
// (Access-Control-Allow-Methods, -Allow-Headers, -Expose-Headers): present
// false when absent, ok false on a parse failure. Empty list elements and
// whitespace around commas are allowed, as the HTTP list rule requires
// recipients to accept.
func extractList(h http.Header, name string) (items []string, present, ok bool) {
	vals, lines := headerLines(h, name)
	if lines == 0 {
		return nil, false, true
	}
	for _, v := range vals {
		for _, item := range strings.Split(v, ",") {
			item = strings.Trim(item, " \t")
			if item == "" {
				continue
			}
			if !isToken(item) {
				return nil, true, false
			}
			items = append(items, item)
		}
	}
	return items, true, true
}

// corsCheck is the Fetch "CORS check". kind is one of the "cors-check: ..."
// step suffixes, so the preflight can report it under its own prefix.
func (n normalized) corsCheck(resp http.Header) (ok bool, kind, reason string) {
	vals, lines := headerLines(resp, "Access-Control-Allow-Origin")
	if lines == 0 {
		return false, "ACAO missing", "The response has no Access-Control-Allow-Origin header."
	}
	acao := strings.Join(vals, ", ")
	if !n.include && acao == "*" {
		return true, "ACAO wildcard", "Access-Control-Allow-Origin is * and the request carries no credentials."
	}
	if acao != n.origin {
		switch {
		case lines > 1:
			return false, "ACAO multiple headers", "Several Access-Control-Allow-Origin headers combine into " + quote(acao) + ", which never equals an origin."
		case acao == "*":
			return false, "ACAO wildcard with credentials", "Access-Control-Allow-Origin * does not allow a request whose credentials mode is include."
		}
		return false, "ACAO mismatch", "Access-Control-Allow-Origin " + quote(acao) + " is not byte-for-byte the request origin " + quote(n.origin) + "."
	}
	if !n.include {
		return true, "origin matched", "Access-Control-Allow-Origin equals the request origin and the request carries no credentials."
	}
	acac, present := HeaderValue(resp, "Access-Control-Allow-Credentials")
	if !present {
		return false, "ACAC missing", "The request includes credentials but Access-Control-Allow-Credentials is missing."
	}
	if acac != "true" {
		return false, "ACAC not true", "The request includes credentials but Access-Control-Allow-Credentials is " + quote(acac) + ", not exactly true."
	}
	return true, "ACAC true", "Access-Control-Allow-Origin equals the request origin and Access-Control-Allow-Credentials is true."
}

func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

func (n normalized) check(status int, resp http.Header) Verdict {
	if status == 0 && resp == nil {
		return Verdict{Step: StepNoResponse, Reason: "No HTTP response arrived, so fetch() rejects with a network error."}
	}
	ok, kind, reason := n.corsCheck(resp)
	v := Verdict{Allowed: ok, Step: "cors-check: " + kind, Reason: reason}
	if !ok {
		v.Reason += " fetch() rejects with a network error."
		return v
	}
	if isRedirect(status) {
		if _, has := HeaderValue(resp, "Location"); has {
			return Verdict{Step: StepRedirect, Reason: "The redirect passes the CORS check, but fetch() follows it, so this response is not exposed; evaluate the target (the request origin becomes \"null\" after a cross-origin hop)."}
		}
	}
	return v
}

func (n normalized) checkPreflight(status int, resp http.Header) Verdict {
	fail := func(step, reason string) Verdict {
		return Verdict{Step: step, Reason: reason}
	}
	if status == 0 && resp == nil {
		return fail(StepPreflightNoResponse, "The OPTIONS preflight got no HTTP response (for instance the TLS handshake failed because a preflight carries no client certificate).")
	}
	if ok, kind, reason := n.corsCheck(resp); !ok {
		return fail("cors-preflight: "+kind, reason)
	}
	if status < 200 || status > 299 {
		return fail(StepPreflightStatus, "The preflight status is "+itoa(status)+", not an ok status (200-299).")
	}
	methods, _, ok := extractList(resp, "Access-Control-Allow-Methods")
	if !ok {
		return fail(StepPreflightACAMInvalid, "Access-Control-Allow-Methods does not parse as a comma-separated list of tokens.")
	}
	names, _, ok := extractList(resp, "Access-Control-Allow-Headers")
	if !ok {
		return fail(StepPreflightACAHInvalid, "Access-Control-Allow-Headers does not parse as a comma-separated list of tokens.")
	}
	if !contains(methods, n.method) && !isSafelistedMethod(n.method) {
		if n.include && contains(methods, "*") {
			return fail(StepPreflightMethodWildcard, "Access-Control-Allow-Methods * does not cover "+n.method+" when the request includes credentials.")
		}
		if n.include || !contains(methods, "*") {
			return fail(StepPreflightMethod, "Access-Control-Allow-Methods does not list "+quote(n.method)+" (method names match case-sensitively).")
		}
	}
	for _, h := range n.headers {
		if h.name == "authorization" && !containsFold(names, "authorization") {
			return fail(StepPreflightAuthorization, "Authorization must be listed by name in Access-Control-Allow-Headers; * does not cover it.")
		}
	}
	wildcard := contains(names, "*")
	for _, u := range unsafeNames(n.headers) {
		if containsFold(names, u) {
			continue
		}
		if n.include && wildcard {
			return fail(StepPreflightHeaderWildcard, "Access-Control-Allow-Headers * does not cover "+u+" when the request includes credentials.")
		}
		if n.include || !wildcard {
			return fail(StepPreflightHeader, "Access-Control-Allow-Headers does not list the request header "+quote(u)+".")
		}
	}
	return Verdict{Allowed: true, Step: StepPreflightOK, Reason: "The preflight passes the CORS check with status " + itoa(status) + " and allows the method and headers."}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }

// safelistedResponseHeaders are Fetch's CORS-safelisted response-header names.
var safelistedResponseHeaders = map[string]bool{
	"cache-control": true, "content-language": true, "content-length": true,
	"content-type": true, "expires": true, "last-modified": true, "pragma": true,
}

// exposed follows "main fetch" step 14 (CORS-exposed header-name list) and
// the CORS filtered response.
func (n normalized) exposed(resp http.Header) []string {
	listed, _, ok := extractList(resp, "Access-Control-Expose-Headers")
	if !ok {
		listed = nil
	}
	all := !n.include && contains(listed, "*")
	var out []string
	for k := range resp {
		lk := strings.ToLower(k)
		if lk == "set-cookie" || lk == "set-cookie2" {
			continue
		}
		if safelistedResponseHeaders[lk] || all || containsFold(listed, lk) {
			out = append(out, lk)
		}
	}
	return sortedSet(out)
}
