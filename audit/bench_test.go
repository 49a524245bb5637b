package audit

import (
	"context"
	"os"
	"testing"
)

// debianDjango is where Debian's python3-django installs the django package.
const debianDjango = "/usr/lib/python3/dist-packages/django"

// BenchmarkAuditDjangoSource audits Django's own source tree (the benchmark:
// compare with `bandit -r` on the same folder). Reports files/s over every text file walked.
func BenchmarkAuditDjangoSource(b *testing.B) {
	if _, err := os.Stat(debianDjango); err != nil {
		b.Skip("python3-django is not installed")
	}
	benchRun(b, debianDjango)
}

func BenchmarkAuditSeedlike(b *testing.B) { benchRun(b, "testdata/seedlike") }

func benchRun(b *testing.B, path string) {
	files := 0
	for b.Loop() {
		r, err := Run(context.Background(), []string{path}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		files = r.Targets[0].Files
	}
	b.ReportMetric(float64(files), "files/op")
	b.ReportMetric(float64(files)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
