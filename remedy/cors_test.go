package remedy

import (
	"strings"
	"testing"
)

// The CORS fix follows the stack: django-cors-headers settings first on Django (the nginx
// variant second when nginx is in front), nginx alone on nginx, the neutral rule otherwise.
func TestCORSFollowsStack(t *testing.T) {
	o := []string{"https://app.example.com"}
	django, nginx, generic := CORSDjango(o), CORSNginx(o), CORSGeneric(o)
	for _, tc := range []struct {
		s           Stack
		first, then string
		not         []string
	}{
		{s: Stack{App: Django, CORS: DjangoCORSHeaders, Proxy: Nginx}, first: django, then: nginx, not: []string{generic}},
		{s: Stack{App: Django, Proxy: Nginx}, first: django, then: nginx, not: []string{generic}},
		{s: Stack{App: Django, CORS: DjangoCORSHeaders}, first: django, not: []string{nginx, generic}},
		{s: NginxStack, first: nginx, not: []string{django, generic}},
		{s: Generic, first: generic, not: []string{django, nginx}},
	} {
		got := CORS(tc.s, o)
		if !strings.HasPrefix(got, tc.first) {
			t.Errorf("%q: fix does not start with the %q variant:\n%s", tc.s, firstLine(tc.first), got)
		}
		if tc.then != "" {
			if i := strings.Index(got, tc.then); i <= len(tc.first)-1 {
				t.Errorf("%q: the second variant %q is not after the first:\n%s", tc.s, firstLine(tc.then), got)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("%q: fix holds the %q variant:\n%s", tc.s, firstLine(n), got)
			}
		}
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// Merge adds traits up; django-cors-headers implies Django.
func TestStackMerge(t *testing.T) {
	got := Stack{Proxy: Nginx}.Merge(Stack{CORS: DjangoCORSHeaders})
	want := Stack{App: Django, CORS: DjangoCORSHeaders, Proxy: Nginx}
	if got != want {
		t.Errorf("Merge = %+v, want %+v", got, want)
	}
	if s := want.String(); s != "django (django-cors-headers) behind nginx" {
		t.Errorf("String = %q", s)
	}
	if !Generic.IsZero() || Generic.String() != "" {
		t.Errorf("Generic is not the unknown stack")
	}
}
