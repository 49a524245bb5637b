package cors

import (
	"net/http"
	"sort"
	"strings"
	"testing"
)

func FuzzParseOrigin(f *testing.F) {
	for _, s := range []string{
		"null", "https://example.com", "HTTPS://EXAMPLE.COM:443", "http://[::ffff:1.2.3.4]:80",
		"http://0x7f.1", "http://2130706433.", "https://a.b:0", "https://[::1", "https://a/b",
		"ws://x:65535", "https://target.com_.evil.com", "x://", "http://1.2.3.4.5", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOrigin(s)
		if err != nil {
			return
		}
		ser := o.String()
		// A serialization is a fixed point: it parses back to the same
		// origin and serializes identically.
		o2, err := ParseOrigin(ser)
		if err != nil {
			t.Fatalf("ParseOrigin(%q) = %q, which does not re-parse: %v", s, ser, err)
		}
		if o2 != o || o2.String() != ser {
			t.Fatalf("ParseOrigin(%q) = %+v (%q), re-parsed %+v (%q)", s, o, ser, o2, o2.String())
		}
		if ser != "null" && (strings.ContainsAny(ser[len(o.Scheme)+3:], "/?#@ ") || ser != strings.ToLower(ser)) {
			t.Fatalf("serialization %q has a path, userinfo or upper case", ser)
		}
	})
}

// FuzzCheck drives Check, CheckPreflight and Evaluate with arbitrary header
// values and asserts the invariants of the CORS check.
func FuzzCheck(f *testing.F) {
	f.Add("https://evil.example", "https://evil.example", "true", "", true, "PUT", "PUT", "x-a", "X-A", "1", 204)
	f.Add("https://evil.example", "*", "", "*", false, "GET", "", "", "Content-Type", "application/json", 200)
	f.Add("null", "null", "True", "null", true, "patch", "*", "*", "Authorization", "Bearer", 400)
	f.Add("https://evil.example:8443", "https://evil.example:8443 ", "true ", "", true, "DELETE", "DELETE,,", "authorization", "Range", "bytes=0-", 0)
	f.Fuzz(func(t *testing.T, origin, acao, acac, acao2 string, include bool, method, acam, acah, hname, hvalue string, pstatus int) {
		req := Request{Origin: origin, Method: method, Headers: http.Header{hname: {hvalue}}}
		if include {
			req.Credentials = Include
		}
		resp := http.Header{}
		if acao != "" {
			resp.Add("Access-Control-Allow-Origin", acao)
		}
		if acao2 != "" {
			resp.Add("Access-Control-Allow-Origin", acao2)
		}
		if acac != "" {
			resp.Add("Access-Control-Allow-Credentials", acac)
		}
		pre := resp.Clone()
		pre.Set("Access-Control-Allow-Methods", acam)
		pre.Set("Access-Control-Allow-Headers", acah)

		v := Check(req, 200, resp)
		o, oerr := ParseOrigin(origin)
		got, present := HeaderValue(resp, "Access-Control-Allow-Origin")
		if v.Allowed {
			if oerr != nil {
				t.Fatalf("allowed with unparsable origin %q", origin)
			}
			if !present {
				t.Fatal("allowed without ACAO")
			}
			if include {
				if got != o.String() {
					t.Fatalf("include allowed with ACAO %q != origin %q", got, o.String())
				}
				if c, _ := HeaderValue(resp, "Access-Control-Allow-Credentials"); c != "true" {
					t.Fatalf("include allowed with ACAC %q", c)
				}
			} else if got != "*" && got != o.String() {
				t.Fatalf("allowed with ACAO %q for origin %q", got, o.String())
			}
		}
		if v.Step == "" || v.Reason == "" {
			t.Fatalf("empty step or reason: %+v", v)
		}

		pv := CheckPreflight(req, pstatus, pre)
		if pv.Allowed {
			if pstatus < 200 || pstatus > 299 {
				t.Fatalf("preflight allowed with status %d", pstatus)
			}
			if include && (got == "*" || !present) {
				t.Fatalf("credentialed preflight allowed with ACAO %q", got)
			}
		}

		ev := Evaluate(req, pstatus, pre, 200, resp)
		if ev.Allowed && !v.Allowed {
			t.Fatal("Evaluate allowed what Check refused")
		}
		if ev.PreflightNeeded {
			if ev.Preflight == nil {
				t.Fatal("preflight needed but no preflight verdict")
			}
			if ev.Allowed && !pv.Allowed {
				t.Fatal("Evaluate allowed after a failed preflight")
			}
		}

		names := UnsafeHeaderNames(req.Headers)
		if !sort.StringsAreSorted(names) {
			t.Fatalf("unsorted %q", names)
		}
		for i, n := range names {
			if n != strings.ToLower(n) || (i > 0 && names[i-1] == n) {
				t.Fatalf("not a sorted lower-case set: %q", names)
			}
		}
		_ = ExposedHeaders(req, resp)
		_ = PreflightHeaders(req)
	})
}

func BenchmarkEvaluate(b *testing.B) {
	req := Request{Origin: "https://evil.example", Method: "PUT", Credentials: Include,
		Headers: http.Header{"Content-Type": {"application/json"}, "X-Csrftoken": {"abc"}, "Accept": {"application/json"}}}
	pre := http.Header{
		"Access-Control-Allow-Origin":      {"https://evil.example"},
		"Access-Control-Allow-Credentials": {"true"},
		"Access-Control-Allow-Methods":     {"GET, POST, PUT, DELETE"},
		"Access-Control-Allow-Headers":     {"content-type, x-csrftoken, authorization"},
	}
	resp := http.Header{
		"Access-Control-Allow-Origin":      {"https://evil.example"},
		"Access-Control-Allow-Credentials": {"true"},
		"Content-Type":                     {"application/json"},
		"Vary":                             {"Origin"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if v := Evaluate(req, 204, pre, 200, resp); !v.Allowed {
			b.Fatal(v.Reason)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
}
