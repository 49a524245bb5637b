package prose

import "testing"

func TestArticle(t *testing.T) {
	for in, want := range map[string]string{
		"SSN": "an SSN", "AWS access key": "an AWS access key", "IBAN": "an IBAN", "AWS access key ID": "an AWS access key ID",
		"US social security number": "a US social security number", "JSON web token": "a JSON web token", "GitHub token": "a GitHub token",
		"payment card number": "a payment card number", "US SSN": "a US SSN", "JWT": "a JWT",
		"email address": "an email address", "user name": "a user name", "phone number": "a phone number",
		"": "",
	} {
		if got := Article(in); got != want {
			t.Errorf("Article(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestArticleUnlessPlural(t *testing.T) {
	for in, want := range map[string]string{
		"email addresses": "email addresses", "an IBAN": "an IBAN", "phone number": "a phone number",
		"password hash": "a password hash", "access": "an access",
	} {
		if got := ArticleUnlessPlural(in); got != want {
			t.Errorf("ArticleUnlessPlural(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJoinAndDedupeCapitalise(t *testing.T) {
	if got := JoinAnd([]string{"a", "b", "c"}); got != "a, b and c" {
		t.Errorf("JoinAnd = %q", got)
	}
	if got := JoinAnd([]string{"a", "b"}); got != "a and b" {
		t.Errorf("JoinAnd = %q", got)
	}
	if got := Dedupe([]string{"b", "a", "b", "c", "a"}); len(got) != 3 || got[0] != "b" || got[1] != "a" || got[2] != "c" {
		t.Errorf("Dedupe = %q", got)
	}
	if got := Capitalise("an SSN"); got != "An SSN" {
		t.Errorf("Capitalise = %q", got)
	}
	if a, b := RandHex(4), RandHex(4); len(a) != 8 || a == b {
		t.Errorf("RandHex(4) = %q, %q", a, b)
	}
}
