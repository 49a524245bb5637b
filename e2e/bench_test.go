package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/crossgate/crossgate/scan"
)

// BenchmarkFullScanRealStack is one full scan (mTLS, CORS, data exposure) of one endpoint
// behind real nginx + Django (allow-all with credentials, ssl_verify_client on), as alice
// with bob as a second identity: ns/op is the wall time of a scan, requests/scan what it
// sent. Once with the rate limit off (the engine's own cost) and once with the default
// per-host rate (what a user waits). The stack starts once, outside the timed loops.
func BenchmarkFullScanRealStack(b *testing.B) {
	s := shared(b, "allow_all_creds")
	for _, bc := range []struct {
		name string
		rate float64
	}{{"rate=unlimited", -1}, {"rate=default", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := scanConfig(b, s, scanCase{origins: []string{appOrigin}, extra: []string{"bob"}})
			cfg.Probe.Rate = bc.rate
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			requests, findings := 0, 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rep, err := scan.Run(ctx, cfg)
				if err != nil {
					b.Fatal(err)
				}
				if rep.Summary.Failed > 0 {
					b.Fatalf("target not scanned: %+v", rep.Targets)
				}
				requests += rep.Summary.Requests
				findings += len(rep.Findings)
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/scan")
			b.ReportMetric(float64(findings)/float64(b.N), "findings/scan")
		})
	}
}
