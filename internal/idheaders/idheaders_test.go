package idheaders

import (
	"slices"
	"strings"
	"testing"
)

func TestIsIdentity(t *testing.T) {
	for _, n := range Names {
		for _, spelling := range []string{n, strings.ToLower(n), strings.ToUpper(n), strings.ReplaceAll(n, "-", "_")} {
			if !IsIdentity(spelling) {
				t.Errorf("IsIdentity(%q) = false", spelling)
			}
		}
	}
	cases := map[string]bool{
		"X-SSL-Client-V-End":              true, // a family member Names does not spell out
		"x_amzn_mtls_clientcert_whatever": true,
		"X-Client-Identity":               false, // guard's own header, handled by SameName
		"Origin":                          false,
		"Cookie":                          false,
		"X-SSL":                           false,
		"Client":                          false,
		"":                                false,
		"X-Ssl-Client-" + strings.Repeat("A", 2*maxFolded): true, // past the stack buffer
		strings.Repeat("B", 2*maxFolded):                   false,
	}
	for name, want := range cases {
		if got := IsIdentity(name); got != want {
			t.Errorf("IsIdentity(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestSameName(t *testing.T) {
	pairs := [][2]string{
		{"X-Client-Identity", "x_client_identity"}, {"X-Client-Identity", "X-CLIENT-IDENTITY"},
		{"X-Client-Identity", "X-Client-Identit"}, {"X-Client-Identity", "X-Client-Identitz"},
		{"a-b", "A_B"}, {"a-b", "a.b"}, {"", ""},
	}
	for _, p := range pairs {
		if got, want := SameName(p[0], p[1]), Fold(p[0]) == Fold(p[1]); got != want {
			t.Errorf("SameName(%q, %q) = %v, Fold says %v", p[0], p[1], got, want)
		}
	}
}

func FuzzSameName(f *testing.F) {
	f.Add("X-Client-Identity", "x_client_identity")
	f.Add("X-SSL-Client-S-DN", "X_SSL_CLIENT_S_DN")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !isASCII(a) || !isASCII(b) {
			return // header names are ASCII tokens; Fold's Unicode lowering is not the question
		}
		if got, want := SameName(a, b), Fold(a) == Fold(b); got != want {
			t.Fatalf("SameName(%q, %q) = %v, Fold says %v", a, b, got, want)
		}
		if got, want := IsIdentity(a), isIdentityByFold(a); got != want {
			t.Fatalf("IsIdentity(%q) = %v, by Fold %v", a, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isIdentityByFold is IsIdentity written the plain way, as the reference for the fast one.
func isIdentityByFold(name string) bool {
	n := Fold(name)
	if folded[n] {
		return true
	}
	for _, p := range prefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// TestListsAgree: every header a scan probe forges is an identity header the nginx fix
// overwrites, every name is an identity header in every spelling, and the stems find them all.
func TestListsAgree(t *testing.T) {
	over := map[string]bool{}
	for _, n := range Overwritten {
		if over[Fold(n)] {
			t.Errorf("%s twice in Overwritten", n)
		}
		over[Fold(n)] = true
	}
	for _, fam := range Families {
		for _, f := range fam.Fields {
			if !over[Fold(f.Name)] {
				t.Errorf("%s (family %q) is forged by the scan but not in Overwritten", f.Name, fam.Name)
			}
			if !IsIdentity(f.Name) {
				t.Errorf("%s (family %q) is forged by the scan but not an identity header", f.Name, fam.Name)
			}
		}
	}
	seen := map[string]bool{}
	for _, n := range Names {
		if seen[Fold(n)] {
			t.Errorf("%s twice in Names", n)
		}
		seen[Fold(n)] = true
	}
	for _, n := range append(slices.Clone(Names), prefixes...) {
		if !slices.ContainsFunc(Stems, func(s string) bool { return strings.Contains(Fold(n), s) }) {
			t.Errorf("%s holds none of Stems", n)
		}
	}
}
