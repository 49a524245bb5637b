package remedy

import "strings"

// Stack is what runs behind an endpoint (guessed by a scan from its answers) or in a project
// (read by an audit), as far as it picks the dialect of a fix. The zero value is "unknown":
// fixes are then framework-neutral. One type for scan, audit and the fix texts, so that what
// the report names as the stack is what chose the fix.
type Stack struct {
	App   App         // the application framework, "" when unknown
	CORS  CORSLibrary // what writes the CORS headers, when its traits were seen
	Proxy Proxy       // the server in front (TLS terminator), "" when unknown
}

// App is an application framework crossgate writes fixes for.
type App string

// CORSLibrary is a CORS implementation crossgate writes fixes for.
type CORSLibrary string

// Proxy is a TLS terminator / reverse proxy crossgate writes fixes for.
type Proxy string

const (
	Django            App         = "django"
	DjangoCORSHeaders CORSLibrary = "django-cors-headers"
	Nginx             Proxy       = "nginx"
)

// Stacks crossgate knows, for callers that name one outright (an audit of a Django project,
// of an nginx configuration).
var (
	Generic     = Stack{}
	DjangoStack = Stack{App: Django}
	NginxStack  = Stack{Proxy: Nginx}
)

// IsZero reports whether nothing is known.
func (s Stack) IsZero() bool { return s == Stack{} }

// Merge fills what s does not know from o: traits add up across responses.
func (s Stack) Merge(o Stack) Stack {
	if s.App == "" {
		s.App = o.App
	}
	if s.CORS == "" {
		s.CORS = o.CORS
	}
	if s.Proxy == "" {
		s.Proxy = o.Proxy
	}
	// django-cors-headers runs inside Django only.
	if s.CORS == DjangoCORSHeaders && s.App == "" {
		s.App = Django
	}
	return s
}

// String names the stack as a report shows it, e.g. "django (django-cors-headers) behind
// nginx"; "" when unknown.
func (s Stack) String() string {
	var parts []string
	if s.App != "" {
		app := string(s.App)
		if s.CORS != "" {
			app += " (" + string(s.CORS) + ")"
		}
		parts = append(parts, app)
	} else if s.CORS != "" {
		parts = append(parts, string(s.CORS))
	}
	if s.Proxy != "" {
		if len(parts) > 0 {
			parts = append(parts, "behind")
		}
		parts = append(parts, string(s.Proxy))
	}
	return strings.Join(parts, " ")
}
