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

// The preflight fix names the methods, headers and max-age, in the stack's dialect.
func TestPreflightFollowsStack(t *testing.T) {
	p := Preflight{Methods: []string{"GET", "POST"}, Headers: []string{"authorization", "x-api-key"}, MaxAge: 600}
	for _, tc := range []struct {
		s    Stack
		want []string
		not  []string
	}{
		{Stack{App: Django, CORS: DjangoCORSHeaders, Proxy: Nginx},
			[]string{`CORS_ALLOW_METHODS = ["GET", "POST"]`, `CORS_ALLOW_HEADERS = ["authorization", "x-api-key"]`, "CORS_PREFLIGHT_MAX_AGE = 600",
				`add_header Access-Control-Allow-Methods "GET, POST" always;`}, nil},
		{DjangoStack, []string{`CORS_ALLOW_METHODS = ["GET", "POST"]`}, []string{"add_header"}},
		{NginxStack, []string{`add_header Access-Control-Allow-Methods "GET, POST" always;`,
			`add_header Access-Control-Allow-Headers "authorization, x-api-key" always;`, "add_header Access-Control-Max-Age 600 always;",
			"proxy_hide_header Access-Control-Allow-Methods;"}, []string{"CORS_ALLOW_METHODS"}},
		{Generic, []string{"Access-Control-Allow-Methods: GET, POST", "Access-Control-Allow-Headers: authorization, x-api-key", "Access-Control-Max-Age: 600"},
			[]string{"CORS_ALLOW_METHODS", "add_header"}},
	} {
		got := PreflightFix(tc.s, p)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%q: fix lacks %q:\n%s", tc.s, w, got)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("%q: fix holds %q:\n%s", tc.s, n, got)
			}
		}
	}
	// Nothing observed: a sane example, said to be one.
	got := PreflightFix(Generic, Preflight{})
	if !strings.Contains(got, "Access-Control-Allow-Methods: GET") || !strings.Contains(got, "content-type") || !strings.Contains(got, "Max-Age: 600") {
		t.Errorf("example preflight fix: %s", got)
	}
}
