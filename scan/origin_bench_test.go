package scan

import (
	"context"
	"crypto/tls"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
)

// budgetMetrics reports the first endpoint's requests and the median of the others.
func budgetMetrics(b *testing.B, rep *report.Report) {
	var further []int
	for _, t := range rep.Targets[1:] {
		further = append(further, t.Requests)
	}
	slices.Sort(further)
	b.ReportMetric(float64(rep.Targets[0].Requests), "first-requests")
	if len(further) > 0 {
		b.ReportMetric(float64(further[len(further)/2]), "further-median-requests")
	}
	b.ReportMetric(float64(rep.Summary.Requests), "requests/op")
}

// BenchmarkOriginEndpoints scans n endpoints of one in-process origin (reflect with
// credentials, certificate optional) at the default rate and connection cap.
func BenchmarkOriginEndpoints(b *testing.B) {
	for _, n := range []int{16, 128} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			srv := vulnserver.StartT(b, vulnserver.Config{ClientAuth: tls.VerifyClientCertIfGiven, Policy: vulnserver.Policy{Kind: vulnserver.ReflectCredentials}})
			var targets []string
			for i := range n {
				targets = append(targets, fmt.Sprintf("%s/api/items/%d", srv.URL, i))
			}
			var rep *report.Report
			for b.Loop() {
				var err error
				rep, err = Run(context.Background(), Config{Targets: targets, User: &probe.Identity{Name: "user", Certificate: &srv.Client.TLS},
					Origins: []string{"https://app.example.com"}, Probe: probe.Config{RootCAs: srv.CA.Pool()}})
				if err != nil || rep.Summary.Scanned != n {
					b.Fatalf("%v %+v", err, rep.Summary)
				}
			}
			budgetMetrics(b, rep)
		})
	}
}

// BenchmarkThirteenOrigins scans 13 single-endpoint loopback origins, one per CORS class of
// the in-process servers, at default flags: the comparison issue 9 makes with Corsy.
func BenchmarkThirteenOrigins(b *testing.B) {
	targets := startThirteenOrigins(b)
	var rep *report.Report
	for b.Loop() {
		var err error
		rep, err = Run(context.Background(), Config{Targets: targets, Origins: []string{fleetOrigin},
			Probe: probe.Config{Insecure: true}}) // 13 servers, 13 throwaway CAs; loopback only
		if err != nil || rep.Summary.Scanned != len(targets) {
			b.Fatalf("%v %+v", err, rep.Summary)
		}
	}
	b.ReportMetric(float64(rep.Summary.Requests), "requests/op")
	b.ReportMetric(float64(len(rep.Findings)), "findings/op")
}

// BenchmarkFleet scans 1000 endpoints across 100 loopback origins (one process, 100
// listeners) with --rate 200 and reports the process's peak RSS.
func BenchmarkFleet(b *testing.B) {
	var targets []string
	var pool = (*vulnserver.Server)(nil)
	for i := range 100 {
		srv := vulnserver.StartT(b, vulnserver.Config{ClientAuth: tls.NoClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Kind(i % 12),
			Origins: []string{"https://app.example.com"}, Pattern: `^https://app.example.com`}})
		pool = srv
		for j := range 10 {
			targets = append(targets, fmt.Sprintf("%s/api/%d/%d", srv.URL, i, j))
		}
	}
	_ = pool
	var rep *report.Report
	start := time.Now()
	for b.Loop() {
		var err error
		rep, err = Run(context.Background(), Config{Targets: targets, Origins: []string{"https://app.example.com"},
			Probe: probe.Config{Insecure: true, Rate: 200}})
		if err != nil || rep.Summary.Scanned != len(targets) {
			b.Fatalf("%v %+v", err, rep.Summary)
		}
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/scan")
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	}
	b.ReportMetric(float64(rep.Summary.Requests), "requests/op")
}
