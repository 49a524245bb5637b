package probe

import (
	"strings"
	"testing"
)

// The user's own certificate is labelled by its subject in evidence, never by crossgate's
// internal name "user" (issue 10, small things).
func TestRequestTextNamesCertificateSubject(t *testing.T) {
	ex := &Exchange{Method: "GET", URL: "https://h.test/", Identity: "user", IdentitySubject: "CN=alice,O=Example"}
	if got := ex.RequestText(); !strings.Contains(got, "(client certificate: CN=alice,O=Example)") || strings.Contains(got, ": user)") {
		t.Errorf("request text labels the certificate %q", got)
	}
	ex = &Exchange{Method: "GET", URL: "https://h.test/", Identity: "bob", IdentitySubject: "CN=bob,O=Example"}
	if got := ex.RequestText(); !strings.Contains(got, "(client certificate: bob, subject CN=bob,O=Example)") {
		t.Errorf("extra identity labelled %q", got)
	}
	ex = &Exchange{Method: "GET", URL: "https://h.test/", Identity: "none"}
	if got := ex.RequestText(); !strings.Contains(got, "(client certificate: none)") {
		t.Errorf("no certificate labelled %q", got)
	}
}
