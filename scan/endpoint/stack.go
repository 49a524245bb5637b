package endpoint

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
)

// DetectStack guesses the stack from response traits, to pick the dialect of each fix. Traits
// add up across exchanges: a GET through nginx shows only nginx, the preflight that
// django-cors-headers answered shows the application behind it.
func DetectStack(exs ...*probe.Exchange) remedy.Stack {
	var s remedy.Stack
	for _, ex := range exs {
		if !ex.OK() {
			continue
		}
		s = s.Merge(stackOf(ex))
	}
	return s
}

// djangoErrorPages are the bodies of Django's own error views (django/views/defaults.py)
// when the project has no template of its own: DEBUG = False, nothing customised.
var djangoErrorPages = [][]byte{
	[]byte("<h1>Not Found</h1><p>The requested resource was not found on this server.</p>"),
	[]byte("<h1>Bad Request (400)</h1><p></p>"),
	[]byte("<h1>403 Forbidden</h1><p></p>"),
	[]byte("<h1>Server Error (500)</h1><p></p>"),
}

func stackOf(ex *probe.Exchange) remedy.Stack {
	var s remedy.Stack
	h := ex.Header
	if strings.HasPrefix(strings.ToLower(h.Get("Server")), "nginx") {
		s.Proxy = remedy.Nginx
	}
	if djangoCORSHeadersPreflight(h) {
		s.CORS = remedy.DjangoCORSHeaders
	}
	for _, c := range h.Values("Set-Cookie") {
		if strings.HasPrefix(c, "csrftoken=") || strings.HasPrefix(c, "sessionid=") {
			s.App = remedy.Django
		}
	}
	if h.Get("X-Frame-Options") == "DENY" && h.Get("X-Content-Type-Options") == "nosniff" &&
		h.Get("Referrer-Policy") == "same-origin" {
		s.App = remedy.Django // SecurityMiddleware's defaults since Django 3.1
	}
	if bytes.Contains(ex.Body, []byte("Django")) && bytes.Contains(ex.Body, []byte("DEBUG = True")) {
		s.App = remedy.Django
	}
	for _, page := range djangoErrorPages {
		if ex.Status >= 400 && bytes.Contains(ex.Body, page) {
			s.App = remedy.Django
		}
	}
	vary := strings.ToLower(strings.Join(h.Values("Vary"), ","))
	if strings.Contains(vary, "origin") && strings.Contains(vary, "cookie") {
		s.App = remedy.Django
	}
	return s.Merge(remedy.Stack{})
}

// djangoCORSHeadersPreflight recognises django-cors-headers' answer to a preflight by its
// default lists (corsheaders/defaults.py, unchanged from 3.x to 4.x): the allowed headers
// name Django's CSRF header, x-csrftoken, which no other CORS implementation lists by itself;
// or the allowed methods are exactly its default six.
func djangoCORSHeadersPreflight(h http.Header) bool {
	headers := strings.ToLower(h.Get("Access-Control-Allow-Headers"))
	for _, name := range strings.Split(headers, ",") {
		if strings.TrimSpace(name) == "x-csrftoken" {
			return true
		}
	}
	return h.Get("Access-Control-Allow-Methods") == "DELETE, GET, OPTIONS, PATCH, POST, PUT"
}
