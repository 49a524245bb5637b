package mtlscheck

import (
	"context"
	"crypto/tls"
	"net/http"
	"testing"
	"time"

	"github.com/crossgate/crossgate/probe"
)

// BenchmarkHandshakes measures fresh mutual-TLS handshakes (plus one GET each) per second
// of the probe client against a loopback server that requires and verifies the certificate.
func BenchmarkHandshakes(b *testing.B) {
	for _, v := range versions {
		b.Run(v.name, func(b *testing.B) {
			srv := start(b, fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: verifiedOr403, maxVersion: v.max})
			env := newEnv(b, srv.URL, fixturePKI().alice)
			ctx := context.Background()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				ex := env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: srv.URL, Identity: env.User, Fresh: true, NoCache: true})
				if !ex.OK() || ex.TLS == nil || !ex.TLS.ClientCertSent || ex.TLS.Resumed {
					b.Fatalf("handshake %d: %v %+v", i, ex.Err, ex.TLS)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "handshakes/s")
		})
	}
}

// BenchmarkMTLSScanEndpoint runs Inspect and Run against an in-process target whose app
// trusts forged identity headers (every probe runs), with one extra identity.
func BenchmarkMTLSScanEndpoint(b *testing.B) {
	srv := start(b, fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true,
		handler: trustsHeader("X-SSL-Client-S-DN", "X-SSL-Client-Verify"), maxVersion: tls.VersionTLS13})
	extra := ident("bob", fixturePKI().bob)
	var sent int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		env := newEnv(b, srv.URL, fixturePKI().alice, extra)
		Inspect(context.Background(), env)
		if fs := Scan(context.Background(), env).Findings; len(fs) == 0 {
			b.Fatal("no findings")
		}
		sent += env.Client.Sent()
	}
	b.ReportMetric(float64(sent)/float64(b.N), "requests/scan")
}
