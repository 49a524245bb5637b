package django

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const djangoTree = "/usr/lib/python3/dist-packages/django"

func djangoFiles(b *testing.B) ([]string, int64) {
	var files []string
	var bytes int64
	err := filepath.WalkDir(djangoTree, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".py") {
			files = append(files, p)
			if st, err := os.Stat(p); err == nil {
				bytes += st.Size()
			}
		}
		return nil
	})
	if err != nil || len(files) == 0 {
		b.Skipf("%s not found (install python3-django): %v", djangoTree, err)
	}
	return files, bytes
}

// BenchmarkParseDjangoTree parses every file of the tree (no word gate), to show the
// raw tree-sitter cost next to the gated audit.
func BenchmarkParseDjangoTree(b *testing.B) {
	files, bytes := djangoFiles(b)
	srcs := make([][]byte, len(files))
	for i, f := range files {
		srcs[i], _ = os.ReadFile(f)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, src := range srcs {
			if _, err := parsePython(files[j], src); err != nil {
				b.Fatal(err)
			}
		}
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(len(files)*b.N)/secs, "files/s")
	b.ReportMetric(float64(bytes*int64(b.N))/secs/1e6, "MB/s")
}

// BenchmarkAuditDjangoTree audits Django's own source (as Debian's python3-django installs
// it) file by file with AuditFile, one goroutine, to compare with `bandit -r` on the same tree.
func BenchmarkAuditDjangoTree(b *testing.B) {
	files, bytes := djangoFiles(b)
	b.ReportAllocs()
	b.ResetTimer()
	findings := 0
	for i := 0; i < b.N; i++ {
		findings = 0
		for _, f := range files {
			fs, err := AuditFile(f, Options{})
			if err != nil {
				b.Fatal(err)
			}
			findings += len(fs)
		}
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(len(files)*b.N)/secs, "files/s")
	b.ReportMetric(float64(bytes*int64(b.N))/secs/1e6, "MB/s")
	b.ReportMetric(float64(len(files)), "files")
	b.ReportMetric(float64(findings), "findings")
}
