package e2e

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
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

// BenchmarkOriginBudgetRealStack scans 16 endpoints of one origin behind real nginx + Django
// at the default rate and reports what the first endpoint cost (the full set, site facts
// included), the median of the others, and, per family, what a scan of the first endpoint
// alone sends (inspect-requests: the baseline and anonymous GETs). Shapes: the api stack
// (an exact allowlist with --origin, the 16 mixed endpoints of TestOriginBudgetRealStack), the
// same without --origin, and allow_all_creds (every origin reflected with credentials, the
// shape the issue measured at 81 requests; 16 alike item endpoints).
func BenchmarkOriginBudgetRealStack(b *testing.B) {
	items := func(s *Stack) []string {
		var out []string
		for i := range 16 {
			out = append(out, s.URL(fmt.Sprintf("/api/items/%d", i)))
		}
		return out
	}
	for _, bc := range []struct {
		name, config string
		origins      []string
		targets      func(*Stack) []string
	}{
		{"allowlist", "api", []string{appOrigin}, budgetTargets},
		{"allowlist-no-origin", "api", nil, budgetTargets},
		{"reflect", "allow_all_creds", []string{appOrigin}, items},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := shared(b, bc.config)
			targets := bc.targets(s)
			cfg := apiScanConfig(s, targets...)
			cfg.Origins, cfg.Probe.Rate = bc.origins, 0
			// Per family, on the first endpoint alone (outside the timed loop).
			one := cfg
			one.Targets = targets[:1]
			var mu sync.Mutex
			phases := map[string]int{}
			ctx := probe.WithTrace(context.Background(), func(x probe.Sent) { mu.Lock(); phases[x.Phase]++; mu.Unlock() })
			if _, err := scan.Run(ctx, one); err != nil {
				b.Fatal(err)
			}
			var rep *report.Report
			for b.Loop() {
				rep = runScan(b, cfg)
				if rep.Summary.Scanned != len(targets) {
					b.Fatalf("%d of %d scanned", rep.Summary.Scanned, len(targets))
				}
			}
			var further []int
			for _, t := range rep.Targets[1:] {
				further = append(further, t.Requests)
			}
			slices.Sort(further)
			b.ReportMetric(float64(rep.Targets[0].Requests), "first-requests")
			b.ReportMetric(float64(further[len(further)/2]), "further-median-requests")
			b.ReportMetric(float64(rep.Summary.Requests), "requests/op")
			for _, p := range []string{"inspect", "mtls", "cors", "exposure"} {
				b.ReportMetric(float64(phases[p]), p+"-requests")
			}
		})
	}
}

// BenchmarkFirstEndpointFamilies scans one endpoint (/api/profile) of several real-stack
// configurations as alice with bob as a second identity and reports, per family, the
// requests sent on the wire (the phases of probe.WithTrace), with the rules found logged
// (-v), so that a change to the probe set can be compared family by family and rule by rule.
func BenchmarkFirstEndpointFamilies(b *testing.B) {
	for _, bc := range []struct {
		name, config string
		origins      []string
	}{
		{"allow_all_creds", "allow_all_creds", []string{appOrigin}},
		{"exact", "exact", []string{appOrigin}},
		{"exact-no-origin", "exact", nil},
		{"optional", "optional", []string{appOrigin}},
		{"dotfiles", "dotfiles", nil},
		{"api", "api", []string{appOrigin}},
		{"api-no-origin", "api", nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := shared(b, bc.config)
			cfg := scanConfig(b, s, scanCase{origins: bc.origins, extra: []string{"bob"}})
			var mu sync.Mutex
			var phases map[string]int
			var rep *report.Report
			for b.Loop() {
				phases = map[string]int{}
				ctx := probe.WithTrace(context.Background(), func(x probe.Sent) { mu.Lock(); phases[x.Phase]++; mu.Unlock() })
				var err error
				if rep, err = scan.Run(ctx, cfg); err != nil {
					b.Fatal(err)
				}
			}
			for _, p := range []string{"inspect", "mtls", "cors", "exposure"} {
				b.ReportMetric(float64(phases[p]), p+"-requests")
			}
			b.ReportMetric(float64(rep.Summary.Requests), "requests/op")
			var rules []string
			for _, f := range rep.Findings {
				rules = append(rules, f.Rule)
			}
			slices.Sort(rules)
			b.Logf("rules: %v", rules)
		})
	}
}
