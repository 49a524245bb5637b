package guard

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/crossgate/crossgate/internal/pki"
)

// BenchmarkMiddleware is guard's own work per request, without network or upstream: the
// certificate decision, header hygiene, the identity header and the CORS rewrite of the
// response, for a browser-like request with nine headers. The loop's own cost is one copy
// of the request and of its header map (1 of the allocations, about 1 KB).
//
//	go test -run '^$' -bench Middleware -benchmem ./guard/
func BenchmarkMiddleware(b *testing.B) {
	ca := pki.NewCA("bench client CA")
	alice := ca.Client("alice", "Example")
	ids, err := ParseIdentities([]byte("identities:\n  - user: alice\n    subject: \"CN=alice,O=Example\"\n"))
	if err != nil {
		b.Fatal(err)
	}
	cors, err := NewCORS(CORSConfig{AllowOrigins: []string{"https://app.example.com"}, AllowCredentials: true})
	if err != nil {
		b.Fatal(err)
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.WriteHeader(http.StatusOK)
	})
	h := Handler(&Policy{Identities: ids, CORS: cors}, app)
	state := &tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{alice.Cert, ca.Cert}}}
	header := http.Header{
		"Host": {"api.example.com"}, "User-Agent": {"Mozilla/5.0"}, "Accept": {"application/json"},
		"Accept-Encoding": {"gzip, deflate, br"}, "Accept-Language": {"en"}, "Origin": {"https://app.example.com"},
		"Cookie": {"session=abc"}, "Connection": {"keep-alive"}, "X-Ssl-Client-S-Dn": {"CN=admin"},
	}
	base := httptest.NewRequest(http.MethodGet, "https://api.example.com/api", nil)
	base.TLS = state
	b.ReportAllocs()
	for b.Loop() {
		r := *base // what net/http hands a handler is a fresh request with its own header map
		r.Header = header.Clone()
		w := benchWriter{h: http.Header{}}
		h.ServeHTTP(&w, &r)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

// benchWriter is the least a ResponseWriter can be, so that only guard's work is measured.
type benchWriter struct {
	h      http.Header
	status int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *benchWriter) WriteHeader(code int)        { w.status = code }
