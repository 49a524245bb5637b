package cors

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// hdr builds a header list; repeated names become separate header lines, as
// they arrive from the network.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

const evil = "https://evil.example"

var (
	getOmit    = Request{Origin: evil}
	getInclude = Request{Origin: evil, Credentials: Include}
	putOmit    = Request{Origin: evil, Method: "PUT"}
	putInclude = Request{Origin: evil, Method: "PUT", Credentials: Include}
)

// Rows cite the step of WHATWG Fetch (review draft 2026-06, whatwg/fetch
// review-drafts/2026-06.bs) they exercise.
type row struct {
	name  string
	spec  string
	fn    string // "check", "preflight" or "evaluate"
	req   Request
	pst   int         // preflight status (evaluate)
	pre   http.Header // preflight headers (evaluate)
	st    int
	resp  http.Header
	allow bool
	step  string
}

var checkRows = []row{
	// CORS check on the actual response.
	{"acao missing", "CORS check 1-2", "check", getOmit, 0, nil, 200, hdr(), false, StepACAOMissing},
	{"acao missing other headers", "CORS check 2 (null is not `null`)", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Credentials", "true"), false, StepACAOMissing},
	{"wildcard omit", "CORS check 3", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*"), true, StepACAOWildcard},
	{"wildcard default credentials", "CORS check 3; credentials mode same-origin is not include", "check", Request{Origin: evil, Credentials: SameOrigin}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*"), true, StepACAOWildcard},
	{"wildcard empty credentials means same-origin", "Request credentials default same-origin", "check", Request{Origin: evil, Credentials: ""}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*"), true, StepACAOWildcard},
	{"wildcard include", "CORS check 3 skipped, 4 fails", "check", getInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*"), false, StepACAOWildcardCreds},
	{"wildcard include acac true", "CORS protocol and credentials table: include + * + true", "check", getInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Credentials", "true"), false, StepACAOWildcardCreds},
	{"wildcard omit acac true ignored", "CORS protocol and credentials table: omit + * + true", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Credentials", "true"), true, StepACAOWildcard},
	{"exact match omit", "CORS check 4-5", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil), true, StepOriginMatched},
	{"exact match include no acac", "CORS check 6-8", "check", getInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil), false, StepACACMissing},
	{"exact match include acac true", "CORS check 7", "check", getInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true"), true, StepACACTrue},
	{"acac True", "CORS check 7 (byte case-sensitive); ABNF %s\"true\"", "check", getInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "True"), false, StepACACNotTrue},
	{"acac TRUE", "CORS check 7", "check", getInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "TRUE"), false, StepACACNotTrue},
	{"acac trailing space stripped by HTTP parser", "header value: no leading or trailing HTTP tab or space; CORS check 7", "check", getInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true "), true, StepACACTrue},
	{"acac quoted", "CORS check 7", "check", getInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", `"true"`), false, StepACACNotTrue},
	{"acac 1", "CORS check 7", "check", getInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "1"), false, StepACACNotTrue},
	{"acac two lines", "header list get combines with \", \"; CORS check 7", "check", getInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Credentials", "true"), false, StepACACNotTrue},
	{"acac empty", "CORS check 7", "check", getInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", ""), false, StepACACNotTrue},
	{"acao case differs", "CORS check 4 (byte equality, no case folding)", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "https://EVIL.example"), false, StepACAOMismatch},
	{"acao scheme case differs", "CORS check 4", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "HTTPS://evil.example"), false, StepACAOMismatch},
	{"request origin normalised", "byte-serializing a request origin (URL origin serialization)", "check", Request{Origin: "HTTPS://Evil.Example:443"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil), true, StepOriginMatched},
	{"acao trailing slash", "CORS protocol and credentials table: serialized origin has no trailing slash", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil+"/"), false, StepACAOMismatch},
	{"acao other port", "CORS check 4 (port is part of the origin)", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil+":8443"), false, StepACAOMismatch},
	{"origin with port matched", "CORS check 4", "check", Request{Origin: evil + ":8443"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil+":8443"), true, StepOriginMatched},
	{"origin with port, acao without", "CORS check 4", "check", Request{Origin: evil + ":8443"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil), false, StepACAOMismatch},
	{"acao spells default port", "CORS check 4; serialization omits default port", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil+":443"), false, StepACAOMismatch},
	{"acao http for https origin", "CORS check 4 (scheme)", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "http://evil.example"), false, StepACAOMismatch},
	{"acao two identical lines", "header list get; CORS check 4", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Origin", evil), false, StepACAOMultiple},
	{"acao two wildcard lines", "header list get gives \"*, *\"; CORS check 3-4", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Origin", "*"), false, StepACAOMultiple},
	{"acao list in one line", "ABNF origin-or-null / wildcard; CORS check 4", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil+", https://app.example"), false, StepACAOMismatch},
	{"acao wildcard subdomain pattern", "CORS check 4", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "https://*.example"), false, StepACAOMismatch},
	{"acao empty value present", "CORS check 2 (present) then 4", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", ""), false, StepACAOMismatch},
	{"acao padded", "header value has no leading/trailing whitespace; CORS check 4", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "  "+evil+"\t"), true, StepOriginMatched},
	{"acao non-canonical map key", "header names are byte-case-insensitive", "check", getOmit, 0, nil, 200, http.Header{"access-control-allow-origin": {"*"}}, true, StepACAOWildcard},
	{"null origin matches literal null", "serialize a request origin: opaque -> null; CORS check 4", "check", Request{Origin: "null"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "null"), true, StepOriginMatched},
	{"null origin include acac", "CORS check 4-7", "check", Request{Origin: "null", Credentials: Include}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "null", "Access-Control-Allow-Credentials", "true"), true, StepACACTrue},
	{"null origin wildcard", "CORS check 3", "check", Request{Origin: "null"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*"), true, StepACAOWildcard},
	{"tuple origin vs acao null", "CORS check 4", "check", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "null"), false, StepACAOMismatch},
	{"null origin vs acao Null", "CORS check 4 (byte equality)", "check", Request{Origin: "null"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "Null"), false, StepACAOMismatch},
	{"ipv6 origin", "URL IPv6 serializer; CORS check 4", "check", Request{Origin: "https://[0:0:0:0:0:0:0:1]:8443"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "https://[::1]:8443"), true, StepOriginMatched},
	{"error status still readable", "CORS protocol: a shared response can use any status", "check", getOmit, 0, nil, 500, hdr("Access-Control-Allow-Origin", "*"), true, StepACAOWildcard},
	{"403 readable", "CORS protocol: status can be anything, including 403", "check", getInclude, 0, nil, 403, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true"), true, StepACACTrue},
	{"redirect followed", "HTTP fetch 4.4 then 6 (redirect mode follow)", "check", getOmit, 0, nil, 302, hdr("Access-Control-Allow-Origin", "*", "Location", "https://api.example/next"), false, StepRedirect},
	{"redirect failing cors check", "HTTP fetch 4.4 before 6", "check", getOmit, 0, nil, 301, hdr("Location", "https://api.example/next"), false, StepACAOMissing},
	{"3xx without location is exposed", "HTTP-redirect fetch 4 (location URL null)", "check", getOmit, 0, nil, 302, hdr("Access-Control-Allow-Origin", "*"), true, StepACAOWildcard},
	{"no response", "network error", "check", getOmit, 0, nil, 0, nil, false, StepNoResponse},
	{"invalid origin trailing slash", "Request constructor (origin is a serialized origin)", "check", Request{Origin: evil + "/"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil+"/"), false, StepInvalidOrigin},
	{"invalid credentials mode", "RequestCredentials enum", "check", Request{Origin: evil, Credentials: "INCLUDE"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*"), false, StepInvalidCredentials},
	{"forbidden method", "Request constructor: forbidden method", "check", Request{Origin: evil, Method: "TRACE"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*"), false, StepInvalidMethod},
	{"method not a token", "Request constructor: method is not a method", "check", Request{Origin: evil, Method: "GE T"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*"), false, StepInvalidMethod},
	{"header value with newline", "Headers append: value is not a header value", "check", Request{Origin: evil, Headers: hdr("X-A", "a\nb")}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*"), false, StepInvalidHeader},

	// CORS-preflight fetch step 7 on the preflight response alone.
	{"preflight wildcard put", "CORS-preflight fetch 7, 7.5 (* without credentials)", "preflight", putOmit, 0, nil, 204, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "*"), true, StepPreflightOK},
	{"preflight lists put", "CORS-preflight fetch 7.5", "preflight", putOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "GET, PUT"), true, StepPreflightOK},
	{"preflight method case", "CORS-preflight fetch 7.5 (method is in methods: byte equality)", "preflight", putOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "put"), false, StepPreflightMethod},
	{"preflight patch not normalised", "normalize a method leaves patch; 7.5", "preflight", Request{Origin: evil, Method: "patch"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PATCH"), false, StepPreflightMethod},
	{"preflight delete normalised", "normalize a method uppercases delete; 7.5", "preflight", Request{Origin: evil, Method: "delete"}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "DELETE"), true, StepPreflightOK},
	{"preflight acam missing", "CORS-preflight fetch 7.4-7.5 (methods null, flag unset)", "preflight", putOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*"), false, StepPreflightMethod},
	{"preflight acam wildcard include", "CORS-preflight fetch 7.5 (* only without credentials)", "preflight", putInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Methods", "*"), false, StepPreflightMethodWildcard},
	{"preflight include lists put", "CORS-preflight fetch 7 (CORS check with request's credentials mode), 7.5", "preflight", putInclude, 0, nil, 204, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Methods", "PUT"), true, StepPreflightOK},
	{"preflight acam empty elements", "extract header list values; #method list rule", "preflight", putOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "GET,,PUT,"), true, StepPreflightOK},
	{"preflight acam two lines", "extract header list values over every line", "preflight", putOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "GET", "Access-Control-Allow-Methods", "PUT"), true, StepPreflightOK},
	{"preflight acam unparsable", "CORS-preflight fetch 7.3", "preflight", putOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT POST"), false, StepPreflightACAMInvalid},
	{"preflight acah unparsable", "CORS-preflight fetch 7.3", "preflight", Request{Origin: evil, Headers: hdr("X-CSRFToken", "t")}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "x-csrftoken; x-b"), false, StepPreflightACAHInvalid},
	{"preflight acah unparsable even for simple method", "CORS-preflight fetch 7.3 precedes 7.5", "preflight", Request{Origin: evil, Headers: hdr("X-CSRFToken", "t")}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "G\"ET", "Access-Control-Allow-Headers", "x-csrftoken"), false, StepPreflightACAMInvalid},
	{"preflight simple method needs no acam", "CORS-preflight fetch 7.5 (CORS-safelisted method)", "preflight", Request{Origin: evil, Headers: hdr("X-CSRFToken", "t")}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "X-CSRFToken"), true, StepPreflightOK},
	{"preflight acah case-insensitive", "CORS-preflight fetch 7.7 (byte-case-insensitive)", "preflight", Request{Origin: evil, Method: "POST", Headers: hdr("Content-Type", "application/json")}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "CONTENT-TYPE"), true, StepPreflightOK},
	{"preflight acah missing header", "CORS-preflight fetch 7.7", "preflight", Request{Origin: evil, Headers: hdr("X-CSRFToken", "t", "X-Other", "o")}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "X-CSRFToken"), false, StepPreflightHeader},
	{"preflight acah wildcard omit", "CORS-preflight fetch 7.7 (* without credentials)", "preflight", Request{Origin: evil, Headers: hdr("X-CSRFToken", "t")}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "*"), true, StepPreflightOK},
	{"preflight acah wildcard include", "CORS-preflight fetch 7.7 (* only without credentials)", "preflight", Request{Origin: evil, Credentials: Include, Headers: hdr("X-CSRFToken", "t")}, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Headers", "*"), false, StepPreflightHeaderWildcard},
	{"preflight wildcard never covers authorization", "CORS-preflight fetch 7.6; CORS non-wildcard request-header name", "preflight", Request{Origin: evil, Headers: hdr("Authorization", "Bearer x")}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "*"), false, StepPreflightAuthorization},
	{"preflight authorization listed with wildcard", "CORS-preflight fetch 7.6-7.7", "preflight", Request{Origin: evil, Headers: hdr("Authorization", "Bearer x", "X-CSRFToken", "t")}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "*, authorization"), true, StepPreflightOK},
	{"preflight authorization listed include", "CORS-preflight fetch 7.6-7.7", "preflight", Request{Origin: evil, Credentials: Include, Headers: hdr("Authorization", "Bearer x")}, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Headers", "Authorization"), true, StepPreflightOK},
	{"preflight status 400", "CORS-preflight fetch 7 (ok status)", "preflight", putOmit, 0, nil, 400, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT"), false, StepPreflightStatus},
	{"preflight status 401", "CORS-preflight fetch 7 (ok status)", "preflight", putOmit, 0, nil, 401, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT"), false, StepPreflightStatus},
	{"preflight status 301", "CORS-preflight fetch 7 (ok status; preflights never follow redirects)", "preflight", putOmit, 0, nil, 301, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT", "Location", "/x"), false, StepPreflightStatus},
	{"preflight status 299", "ok status is 200-299", "preflight", putOmit, 0, nil, 299, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT"), true, StepPreflightOK},
	{"preflight status 300", "ok status is 200-299", "preflight", putOmit, 0, nil, 300, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT"), false, StepPreflightStatus},
	{"preflight acao mismatch", "CORS-preflight fetch 7 (CORS check 4)", "preflight", putOmit, 0, nil, 204, hdr("Access-Control-Allow-Origin", "https://app.example", "Access-Control-Allow-Methods", "PUT"), false, StepPreflightACAOMismatch},
	{"preflight acao missing", "CORS-preflight fetch 7 (CORS check 2)", "preflight", putOmit, 0, nil, 204, hdr("Access-Control-Allow-Methods", "PUT"), false, StepPreflightACAOMissing},
	{"preflight include wildcard acao", "CORS-preflight fetch 7: CORS check uses the actual request's credentials mode", "preflight", putInclude, 0, nil, 204, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT"), false, StepPreflightACAOWildcardCreds},
	{"preflight include no acac", "CORS-preflight fetch 7 note: credentials mode of request, not preflight", "preflight", putInclude, 0, nil, 204, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Methods", "PUT"), false, StepPreflightACACMissing},
	{"preflight two acao lines", "CORS-preflight fetch 7 (CORS check 1, 4)", "preflight", putOmit, 0, nil, 204, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT"), false, StepPreflightACAOMultiple},
	{"preflight cors failure before status", "CORS-preflight fetch 7 (both conditions; CORS check reported first)", "preflight", putOmit, 0, nil, 403, hdr(), false, StepPreflightACAOMissing},
	{"preflight no response", "HTTP-network fetch: no connection (e.g. no client certificate)", "preflight", putOmit, 0, nil, 0, nil, false, StepPreflightNoResponse},

	// The whole flow.
	{"evaluate simple get wildcard", "HTTP fetch 4.1 (no preflight), 4.4", "evaluate", getOmit, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*"), true, StepACAOWildcard},
	{"evaluate simple post form", "HTTP fetch 4.1: safelisted method and headers", "evaluate", Request{Origin: evil, Method: "POST", Headers: hdr("Content-Type", "application/x-www-form-urlencoded")}, 0, nil, 200, hdr("Access-Control-Allow-Origin", "*"), true, StepACAOWildcard},
	{"evaluate ignores unneeded preflight", "HTTP fetch 4.1", "evaluate", getOmit, 403, hdr(), 200, hdr("Access-Control-Allow-Origin", "*"), true, StepACAOWildcard},
	{"evaluate put ok", "HTTP fetch 4.1 then 4.4", "evaluate", putOmit, 204, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT"), 200, hdr("Access-Control-Allow-Origin", "*"), true, StepACAOWildcard},
	{"evaluate put, actual lacks acao", "HTTP fetch 4.4 after a passing preflight", "evaluate", putOmit, 204, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PUT"), 200, hdr(), false, StepACAOMissing},
	{"evaluate put preflight 403", "HTTP fetch 4.1.2: preflight network error is returned", "evaluate", putOmit, 403, hdr("Access-Control-Allow-Origin", "*"), 200, hdr("Access-Control-Allow-Origin", "*"), false, StepPreflightStatus},
	{"evaluate preflight handshake failure", "HTTP fetch 4.1.2; preflight sent without credentials (no client certificate)", "evaluate", putInclude, 0, nil, 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true"), false, StepPreflightNoResponse},
	{"evaluate nginx 400 on preflight", "CORS-preflight fetch 7 (ok status): ssl_verify_client on answers 400", "evaluate", Request{Origin: evil, Headers: hdr("Authorization", "Bearer x")}, 400, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "Authorization"), 200, hdr("Access-Control-Allow-Origin", "*"), false, StepPreflightStatus},
	{"evaluate include reflect + acac", "CORS-preflight fetch 7, HTTP fetch 4.4, CORS check 7", "evaluate", Request{Origin: evil, Method: "DELETE", Credentials: Include, Headers: hdr("X-CSRFToken", "t")}, 204, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Methods", "DELETE", "Access-Control-Allow-Headers", "x-csrftoken"), 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true"), true, StepACACTrue},
	{"evaluate include preflight lacks acac", "CORS-preflight fetch 7 (CORS check 7 on the preflight)", "evaluate", putInclude, 204, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Methods", "PUT"), 200, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true"), false, StepPreflightACACMissing},
	{"evaluate include actual lacks acac", "HTTP fetch 4.4 (CORS check 8)", "evaluate", putInclude, 204, hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Methods", "PUT"), 200, hdr("Access-Control-Allow-Origin", evil), false, StepACACMissing},
	{"evaluate json post wildcard everything", "CORS-unsafe request-header names (Content-Type); 7.7", "evaluate", Request{Origin: evil, Method: "POST", Headers: hdr("Content-Type", "application/json")}, 200, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "*"), 200, hdr("Access-Control-Allow-Origin", "*"), true, StepACAOWildcard},
}

func TestVerdicts(t *testing.T) {
	if len(checkRows) < 50 {
		t.Fatalf("table has %d rows, want at least 50", len(checkRows))
	}
	for _, r := range checkRows {
		t.Run(r.name, func(t *testing.T) {
			var v Verdict
			switch r.fn {
			case "check":
				v = Check(r.req, r.st, r.resp)
			case "preflight":
				v = CheckPreflight(r.req, r.st, r.resp)
			case "evaluate":
				v = Evaluate(r.req, r.pst, r.pre, r.st, r.resp)
			default:
				t.Fatalf("unknown fn %q", r.fn)
			}
			if v.Allowed != r.allow || v.Step != r.step {
				t.Errorf("[%s] got allowed=%v step=%q (%s); want allowed=%v step=%q", r.spec, v.Allowed, v.Step, v.Reason, r.allow, r.step)
			}
			if v.Reason == "" {
				t.Errorf("[%s] empty Reason", r.spec)
			}
			if v.PreflightNeeded != NeedsPreflight(r.req) {
				t.Errorf("PreflightNeeded = %v, NeedsPreflight = %v", v.PreflightNeeded, !v.PreflightNeeded)
			}
			if r.fn == "evaluate" {
				need := NeedsPreflight(r.req)
				if v.PreflightNeeded != need {
					t.Errorf("PreflightNeeded = %v, NeedsPreflight = %v", v.PreflightNeeded, need)
				}
				if need != (v.Preflight != nil) {
					t.Errorf("Preflight verdict present = %v, want %v", v.Preflight != nil, need)
				}
				if v.Preflight != nil && !v.Preflight.Allowed && v.Allowed {
					t.Errorf("allowed after a failed preflight")
				}
			}
		})
	}
}

func TestPreflightNeeded(t *testing.T) {
	long := strings.Repeat("a", 128)
	tests := []struct {
		name   string
		spec   string
		req    Request
		need   bool
		unsafe []string
	}{
		{"get", "HTTP fetch 4.1: CORS-safelisted method", Request{Origin: evil}, false, nil},
		{"lower-case get normalised", "normalize a method", Request{Origin: evil, Method: "get"}, false, nil},
		{"head", "CORS-safelisted method", Request{Origin: evil, Method: "HEAD"}, false, nil},
		{"post text/plain", "CORS-safelisted request-header content-type", Request{Origin: evil, Method: "POST", Headers: hdr("Content-Type", "text/plain")}, false, nil},
		{"put", "CORS-safelisted method", Request{Origin: evil, Method: "PUT"}, true, nil},
		{"patch", "CORS-safelisted method", Request{Origin: evil, Method: "PATCH"}, true, nil},
		{"options", "CORS-safelisted method", Request{Origin: evil, Method: "options"}, true, nil},
		{"json", "content-type essence", Request{Origin: evil, Headers: hdr("Content-Type", "application/json")}, true, []string{"content-type"}},
		{"text/plain charset", "parse a MIME type: parameters do not fail", Request{Origin: evil, Headers: hdr("Content-Type", "text/plain; charset=utf-8")}, false, nil},
		{"TEXT/PLAIN", "MIME type essence is lower-case", Request{Origin: evil, Headers: hdr("Content-Type", "TEXT/PLAIN")}, false, nil},
		{"multipart", "content-type essence", Request{Origin: evil, Headers: hdr("Content-Type", "multipart/form-data; boundary=x")}, false, nil},
		{"urlencoded", "content-type essence", Request{Origin: evil, Headers: hdr("Content-Type", "application/x-www-form-urlencoded")}, false, nil},
		{"quoted charset", "CORS-unsafe request-header byte 0x22", Request{Origin: evil, Headers: hdr("Content-Type", `text/plain; charset="utf-8"`)}, true, []string{"content-type"}},
		{"text/plain garbage", "parse a MIME type fails (subtype not a token)", Request{Origin: evil, Headers: hdr("Content-Type", "text/plain garbage")}, true, []string{"content-type"}},
		{"text/ plain", "parse a MIME type fails", Request{Origin: evil, Headers: hdr("Content-Type", "text/ plain")}, true, []string{"content-type"}},
		{"two content-types", "CORS-unsafe request-header names: each header", Request{Origin: evil, Headers: hdr("Content-Type", "application/json", "Content-Type", "text/plain")}, true, []string{"content-type"}},
		{"accept json", "safelisted accept", Request{Origin: evil, Headers: hdr("Accept", "application/json")}, false, nil},
		{"accept unsafe byte", "CORS-unsafe request-header byte", Request{Origin: evil, Headers: hdr("Accept", "a(b)")}, true, []string{"accept"}},
		{"accept 128 bytes", "CORS-safelisted request-header 1 (length > 128)", Request{Origin: evil, Headers: hdr("Accept", long)}, false, nil},
		{"accept 129 bytes", "CORS-safelisted request-header 1", Request{Origin: evil, Headers: hdr("Accept", long+"b")}, true, []string{"accept"}},
		{"accept-language", "accept-language byte set", Request{Origin: evil, Headers: hdr("Accept-Language", "en-US,en;q=0.9")}, false, nil},
		{"accept-language underscore", "accept-language byte set", Request{Origin: evil, Headers: hdr("Accept-Language", "en_US")}, true, []string{"accept-language"}},
		{"content-language", "content-language byte set", Request{Origin: evil, Headers: hdr("Content-Language", "de-DE")}, false, nil},
		{"range start-end", "parse a single range header value", Request{Origin: evil, Headers: hdr("Range", "bytes=0-100")}, false, nil},
		{"range open end", "parse a single range header value", Request{Origin: evil, Headers: hdr("Range", "bytes=5-")}, false, nil},
		{"range suffix", "range: rangeValue[0] is null", Request{Origin: evil, Headers: hdr("Range", "bytes=-500")}, true, []string{"range"}},
		{"range reversed", "parse a single range header value: start > end", Request{Origin: evil, Headers: hdr("Range", "bytes=100-0")}, true, []string{"range"}},
		{"range upper-case unit", "parse a single range header value: starts with \"bytes\"", Request{Origin: evil, Headers: hdr("Range", "Bytes=0-")}, true, []string{"range"}},
		{"range multiple", "parse a single range header value: not past end", Request{Origin: evil, Headers: hdr("Range", "bytes=0-1,5-6")}, true, []string{"range"}},
		{"range leading zeros", "parse a single range header value: digits interpreted as a decimal number, no length limit", Request{Origin: evil, Headers: hdr("Range", "bytes=0000000000000000000000001-0000000000000000000000002")}, false, nil},
		{"range long reversed", "parse a single range header value: start > end", Request{Origin: evil, Headers: hdr("Range", "bytes=100000000000000000000000-99999999999999999999999")}, true, []string{"range"}},
		{"range whitespace", "allowWhitespace false", Request{Origin: evil, Headers: hdr("Range", "bytes= 0-1")}, true, []string{"range"}},
		{"authorization", "not a CORS-safelisted request-header", Request{Origin: evil, Headers: hdr("Authorization", "Basic eA==")}, true, []string{"authorization"}},
		{"x-csrftoken", "not a CORS-safelisted request-header", Request{Origin: evil, Method: "POST", Headers: hdr("X-CSRFToken", "t")}, true, []string{"x-csrftoken"}},
		{"sorted lower-case set", "convert header names to a sorted-lowercase set", Request{Origin: evil, Headers: hdr("X-B", "1", "X-A", "1", "X-A", "2", "Authorization", "x")}, true, []string{"authorization", "x-a", "x-b"}},
		{"cookie is forbidden", "forbidden request-header: dropped by Headers", Request{Origin: evil, Headers: hdr("Cookie", "a=b", "Origin", "https://app.example", "Sec-Fetch-Site", "same-origin", "Proxy-Authorization", "x")}, false, nil},
		{"method override forbidden value", "forbidden request-header 3", Request{Origin: evil, Headers: hdr("X-HTTP-Method-Override", "TRACE")}, false, nil},
		{"method override", "forbidden request-header 3 (allowed method)", Request{Origin: evil, Headers: hdr("X-HTTP-Method-Override", "PUT")}, true, []string{"x-http-method-override"}},
		{"1024 total exceeded", "CORS-unsafe request-header names 5", Request{Origin: evil, Headers: hdr("Accept", long, "Accept", long, "Accept", long, "Accept", long, "Accept-Language", long, "Accept-Language", long, "Accept-Language", long, "Accept-Language", long, "Content-Language", "x")}, true, []string{"accept", "accept-language", "content-language"}},
		{"1024 total exactly", "CORS-unsafe request-header names 5 (greater than 1024)", Request{Origin: evil, Headers: hdr("Accept", long, "Accept", long, "Accept", long, "Accept", long, "Accept-Language", long, "Accept-Language", long, "Accept-Language", long, "Accept-Language", long)}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsPreflight(tt.req); got != tt.need {
				t.Errorf("[%s] NeedsPreflight = %v, want %v", tt.spec, got, tt.need)
			}
			if got := UnsafeHeaderNames(tt.req.Headers); !reflect.DeepEqual(got, tt.unsafe) {
				t.Errorf("[%s] UnsafeHeaderNames = %q, want %q", tt.spec, got, tt.unsafe)
			}
		})
	}
}

func TestPreflightHeaders(t *testing.T) {
	h := PreflightHeaders(Request{Origin: "HTTPS://Evil.example", Method: "patch", Credentials: Include,
		Headers: hdr("X-CSRFToken", "t", "Authorization", "x", "Accept", "*/*", "Cookie", "s=1")})
	want := http.Header{
		"Accept":                         {"*/*"},
		"Origin":                         {evil},
		"Access-Control-Request-Method":  {"patch"},
		"Access-Control-Request-Headers": {"authorization,x-csrftoken"},
	}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("PreflightHeaders = %v, want %v", h, want)
	}
	if h := PreflightHeaders(Request{Origin: evil}); h.Get("Access-Control-Request-Headers") != "" {
		t.Errorf("no unsafe headers but ACRH = %q", h.Get("Access-Control-Request-Headers"))
	}
	if h := PreflightHeaders(Request{Origin: "bad"}); h != nil {
		t.Errorf("invalid request gave %v", h)
	}
}

func TestExposedHeaders(t *testing.T) {
	resp := hdr("Access-Control-Allow-Origin", evil, "Access-Control-Allow-Credentials", "true",
		"Content-Type", "application/json", "Cache-Control", "no-store", "X-Total", "3",
		"Authorization-Info", "x", "Set-Cookie", "s=1", "X-Request-Id", "r")
	tests := []struct {
		name string
		spec string
		req  Request
		aceh []string
		want []string
	}{
		{"safelisted only", "CORS-safelisted response-header name", getOmit, nil, []string{"cache-control", "content-type"}},
		{"listed", "main fetch: CORS-exposed header-name list", getOmit, []string{"X-Total, x-request-id"}, []string{"cache-control", "content-type", "x-request-id", "x-total"}},
		{"wildcard omit", "main fetch: * without credentials exposes all", getOmit, []string{"*"}, []string{"access-control-allow-credentials", "access-control-allow-origin", "access-control-expose-headers", "authorization-info", "cache-control", "content-type", "x-request-id", "x-total"}},
		{"wildcard include", "main fetch: * with credentials matches only a header named *", getInclude, []string{"*"}, []string{"cache-control", "content-type"}},
		{"set-cookie never", "forbidden response-header name", getOmit, []string{"Set-Cookie, X-Total"}, []string{"cache-control", "content-type", "x-total"}},
		{"unparsable aceh", "extract header list values failure", getOmit, []string{"X-Total X-Request-Id"}, []string{"cache-control", "content-type"}},
		{"cors check fails", "HTTP fetch 4.4: network error, nothing readable", Request{Origin: "https://other.example"}, []string{"*"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := resp.Clone()
			for _, v := range tt.aceh {
				r.Add("Access-Control-Expose-Headers", v)
			}
			got := ExposedHeaders(tt.req, r)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("[%s] ExposedHeaders = %q, want %q", tt.spec, got, tt.want)
			}
		})
	}
}

func TestHeaderValue(t *testing.T) {
	h := hdr("Access-Control-Allow-Origin", "https://a.example", "Access-Control-Allow-Origin", " https://b.example ")
	if v, ok := HeaderValue(h, "access-control-allow-origin"); !ok || v != "https://a.example, https://b.example" {
		t.Errorf("combined = %q, %v", v, ok)
	}
	if v, ok := HeaderValue(h, "Vary"); ok || v != "" {
		t.Errorf("absent = %q, %v", v, ok)
	}
	if v, ok := HeaderValue(hdr("Vary", ""), "Vary"); !ok || v != "" {
		t.Errorf("empty value = %q, %v; want present", v, ok)
	}
	odd := http.Header{"Vary": {"Origin"}, "vary": {"Accept"}}
	if v, _ := HeaderValue(odd, "VARY"); v != "Origin, Accept" {
		t.Errorf("mixed-case keys = %q", v)
	}
	if _, ok := HeaderValue(nil, "Vary"); ok {
		t.Error("nil header reported present")
	}
}
