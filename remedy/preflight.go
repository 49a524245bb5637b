package remedy

import (
	"fmt"
	"strconv"
	"strings"
)

// Preflight is what a preflight answer should allow: the methods and request headers the
// browser app sends, and how long browsers may cache the answer.
type Preflight struct {
	Methods, Headers []string
	MaxAge           int // seconds
}

// withExample fills what was not observed with a small, sane example.
func (p Preflight) withExample() (Preflight, bool) {
	example := false
	if len(p.Methods) == 0 {
		p.Methods, example = []string{"GET"}, true
	}
	if len(p.Headers) == 0 {
		p.Headers, example = []string{"content-type"}, true
	}
	if p.MaxAge <= 0 {
		// Ten minutes: long enough to spare most preflights, short enough for a policy change.
		p.MaxAge = 600
	}
	return p, example
}

const exampleNote = "(an example: crossgate saw no more of what the browser app sends; list what it does send)"

// PreflightDjango is the django-cors-headers configuration that allows exactly p.
func PreflightDjango(p Preflight) string {
	p, example := p.withExample()
	var b strings.Builder
	b.WriteString("# settings.py (django-cors-headers): only the methods and headers the browser app sends.\n")
	if example {
		b.WriteString("# " + exampleNote + "\n")
	}
	fmt.Fprintf(&b, "CORS_ALLOW_METHODS = [%s]\n", pyList(p.Methods))
	fmt.Fprintf(&b, "CORS_ALLOW_HEADERS = [%s]  # never \"*\": django-cors-headers sends it literally\n", pyList(p.Headers))
	fmt.Fprintf(&b, "CORS_PREFLIGHT_MAX_AGE = %d  # seconds; browsers cap it anyway (Chromium at 2 hours)\n", p.MaxAge)
	return b.String()
}

// PreflightNginx answers preflights with fixed lists; it goes with CORSNginx's origin map.
func PreflightNginx(p Preflight) string {
	p, example := p.withExample()
	var b strings.Builder
	b.WriteString("# server { ... }, next to the origin allowlist: fixed lists, never $http_access_control_request_*.\n")
	if example {
		b.WriteString("# " + exampleNote + "\n")
	}
	b.WriteString("proxy_hide_header Access-Control-Allow-Methods;\n")
	b.WriteString("proxy_hide_header Access-Control-Allow-Headers;\n")
	b.WriteString("proxy_hide_header Access-Control-Max-Age;\n")
	fmt.Fprintf(&b, "add_header Access-Control-Allow-Methods %q always;\n", strings.Join(p.Methods, ", "))
	fmt.Fprintf(&b, "add_header Access-Control-Allow-Headers %q always;\n", strings.Join(p.Headers, ", "))
	fmt.Fprintf(&b, "add_header Access-Control-Max-Age %d always;\n", p.MaxAge)
	return b.String()
}

// PreflightGeneric is the framework-neutral rule with the same lists.
func PreflightGeneric(p Preflight) string {
	p, example := p.withExample()
	s := "Answer preflights from allowed origins only, with fixed lists: Access-Control-Allow-Methods: " + strings.Join(p.Methods, ", ") +
		", Access-Control-Allow-Headers: " + strings.Join(p.Headers, ", ") + ", Access-Control-Max-Age: " + strconv.Itoa(p.MaxAge) + "."
	if example {
		s += " " + exampleNote
	}
	return s
}

// PreflightFix picks the preflight snippet for the stack, like CORS.
func PreflightFix(s Stack, p Preflight) string {
	switch {
	case s.App == Django && s.Proxy == Nginx:
		return PreflightDjango(p) + "\n" + nginxInstead + PreflightNginx(p)
	case s.App == Django:
		return PreflightDjango(p)
	case s.Proxy == Nginx:
		return PreflightNginx(p)
	}
	return PreflightGeneric(p)
}

func pyList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
