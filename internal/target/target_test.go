package target

import "testing"

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
