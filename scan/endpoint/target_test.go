package endpoint

import (
	"errors"
	"net/http"
	"testing"

	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
)

func TestSensitivityDescribe(t *testing.T) {
	for _, c := range []struct {
		s    Sensitivity
		want string
	}{
		{Sensitivity{}, ""},
		{Sensitivity{PII: []string{"phone number"}}, "a phone number"},
		{Sensitivity{PII: []string{"email address", "phone numbers"}}, "an email address and phone numbers"},
		{Sensitivity{PII: []string{"email addresses", "phone number"}, Secrets: []string{"AWS access key ID"}}, "email addresses, a phone number and an AWS access key ID"},
	} {
		if got := c.s.Describe(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.s, got, c.want)
		}
	}
}

func TestDetectStack(t *testing.T) {
	ex := func(h http.Header) *probe.Exchange { return &probe.Exchange{Method: "GET", Status: 200, Header: h} }
	// django-cors-headers' answer to a preflight with its default lists (3.14 and 4.x).
	preflight := &probe.Exchange{Method: "OPTIONS", Status: 200, RequestHeader: http.Header{"Access-Control-Request-Method": {"PUT"}},
		Header: http.Header{"Server": {"nginx/1.22.1"}, "Access-Control-Allow-Origin": {"*"}, "Vary": {"Origin"},
			"Access-Control-Allow-Headers": {"accept, accept-encoding, authorization, content-type, dnt, origin, user-agent, x-csrftoken, x-requested-with"},
			"Access-Control-Allow-Methods": {"DELETE, GET, OPTIONS, PATCH, POST, PUT"}, "Access-Control-Max-Age": {"86400"}}}
	// Django's own 404 page (DEBUG = False), as nginx passes it on.
	notFound := &probe.Exchange{Method: "GET", Status: 404, Header: http.Header{"Server": {"nginx/1.22.1"}, "Content-Type": {"text/html"}},
		Body: []byte("\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n")}
	behindNginx := ex(http.Header{"Server": {"nginx/1.22.1"}, "Vary": {"Origin"}, "Access-Control-Allow-Origin": {"*"}})
	for _, c := range []struct {
		name string
		exs  []*probe.Exchange
		want remedy.Stack
	}{
		{"csrftoken cookie behind nginx", []*probe.Exchange{ex(http.Header{"Server": {"nginx/1.22.1"}, "Set-Cookie": {"csrftoken=x; Path=/"}})},
			remedy.Stack{App: remedy.Django, Proxy: remedy.Nginx}},
		{"nginx alone", []*probe.Exchange{ex(http.Header{"Server": {"nginx/1.22.1"}})}, remedy.NginxStack},
		{"unknown", []*probe.Exchange{ex(http.Header{"Server": {"Apache"}}), {Err: errors.New("refused")}}, remedy.Generic},
		{"Vary: Origin, Cookie", []*probe.Exchange{ex(http.Header{"Vary": {"Origin, Cookie"}})}, remedy.DjangoStack},
		// The e2e allow-all stack: nothing Django-specific on the GET, its preflight says it all.
		{"django-cors-headers preflight", []*probe.Exchange{behindNginx, preflight},
			remedy.Stack{App: remedy.Django, CORS: remedy.DjangoCORSHeaders, Proxy: remedy.Nginx}},
		{"Django's 404 page", []*probe.Exchange{behindNginx, notFound}, remedy.Stack{App: remedy.Django, Proxy: remedy.Nginx}},
		// A hand-written preflight that merely allows the same methods is not django-cors-headers.
		{"generic preflight", []*probe.Exchange{{Method: "OPTIONS", Status: 204, Header: http.Header{
			"Access-Control-Allow-Methods": {"GET, POST"}, "Access-Control-Allow-Headers": {"Content-Type"}}}}, remedy.Generic},
	} {
		if got := DetectStack(c.exs...); got != c.want {
			t.Errorf("%s: DetectStack = %+v, want %+v", c.name, got, c.want)
		}
	}
}
