package endpoint

import (
	"errors"
	"net/http"
	"testing"

	"github.com/crossgate/crossgate/probe"
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
	ex := func(h http.Header) *probe.Exchange { return &probe.Exchange{Status: 200, Header: h} }
	for want, exs := range map[string][]*probe.Exchange{
		"django": {ex(http.Header{"Server": {"nginx/1.22.1"}, "Set-Cookie": {"csrftoken=x; Path=/"}})},
		"nginx":  {ex(http.Header{"Server": {"nginx/1.22.1"}})},
		"":       {ex(http.Header{"Server": {"Apache"}}), {Err: errors.New("refused")}},
	} {
		if got := DetectStack(exs...); got != want {
			t.Errorf("DetectStack = %q, want %q", got, want)
		}
	}
	if got := DetectStack(ex(http.Header{"Vary": {"Origin, Cookie"}})); got != "django" {
		t.Errorf("Vary: Origin, Cookie is django-cors-headers behind Django: %q", got)
	}
}
