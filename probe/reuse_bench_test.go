package probe

import (
	"context"
	"crypto/tls"
	"net/http"
	"strconv"
	"testing"
)

// BenchmarkOriginEndpoints sends the user's requests to 16 endpoints of one mTLS origin:
// once sharing connections and TLS sessions (what the scan does for the user's identity) and
// once with a fresh handshake each (what every request cost before). handshakes/op is the
// server's count of new connections.
func BenchmarkOriginEndpoints(b *testing.B) {
	p := newPKI()
	for _, bc := range []struct {
		name  string
		fresh bool
	}{{"shared", false}, {"fresh", true}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := p.counting(b, tls.RequireAndVerifyClientCert, http.HandlerFunc(ok))
			alice := &Identity{Name: "alice", Certificate: &p.alice.TLS}
			b.ResetTimer()
			for range b.N {
				c, err := New(Config{RootCAs: p.serverCA.Pool(), Scope: []string{"127.0.0.1"}, Rate: -1})
				if err != nil {
					b.Fatal(err)
				}
				for i := range 16 {
					ex := c.Do(context.Background(), Request{URL: srv.URL + "/e" + strconv.Itoa(i), Identity: alice, Fresh: bc.fresh})
					if !ex.OK() {
						b.Fatal(ex.Err)
					}
				}
				c.CloseIdle()
			}
			b.ReportMetric(float64(srv.conns.Load())/float64(b.N), "handshakes/op")
		})
	}
}
