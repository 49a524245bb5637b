package exposure

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// docStream generates a deterministic mix of JSON API responses, HTML pages
// and application/access logs. About one document in forty carries a fake
// secret or PII value; the prose deliberately uses the words "token", "key",
// "secret", "password" and "auth" so the keyword prefilter is exercised the
// way API bodies exercise it (anchors §7, keyword-dense worst case).
type docStream struct {
	g    gen
	buf  bytes.Buffer
	left int64 // bytes still to produce; <0 = unbounded
	n    int
}

func newDocStream(seed uint64, size int64) *docStream {
	return &docStream{g: gen{rand.New(rand.NewPCG(seed, 7))}, left: size}
}

var words = strings.Fields(`the a of to and in is for on with as by at from api user account order item page session token key
secret password auth login settings profile billing invoice payment card number status created updated request response error
cache header cookie origin server client certificate access control policy data field value name email phone address city
country product price total amount currency shipping delivery note description title content list search filter sort limit`)

func (d *docStream) sentence(w *bytes.Buffer, n int) {
	for i := 0; i < n; i++ {
		if i > 0 {
			w.WriteByte(' ')
		}
		w.WriteString(words[d.g.r.IntN(len(words))])
	}
	w.WriteByte('.')
}

func (d *docStream) sensitive() string {
	switch d.g.r.IntN(6) {
	case 0, 1:
		v, _ := d.g.pii(d.g.pick("email", "phone", "payment-card", "us-ssn", "iban"))
		return v
	default:
		_, text := d.g.secret(d.g.pick("github-token", "jwt", "stripe-secret-key", "database-url", "aws-access-key-id", "generic-secret"))
		return text
	}
}

func (d *docStream) doc(w *bytes.Buffer) {
	g := d.g
	d.n++
	leak := d.n%40 == 0
	switch d.n % 3 {
	case 0: // JSON API response
		w.WriteString(`{"count": 25, "next": "/api/v1/users/?page=`)
		fmt.Fprint(w, g.r.IntN(100))
		w.WriteString(`", "results": [`)
		for i := 0; i < 25; i++ {
			if i > 0 {
				w.WriteString(", ")
			}
			fmt.Fprintf(w, `{"id": %d, "uuid": "%s-%s-4%s-8%s-%s", "username": "user%d", "display_name": "User %d", "role": "%s", `+
				`"created_at": "2026-0%d-%02dT%02d:%02d:%02d.%06dZ", "last_login_ts": %d, "score": %d.%d, "sha": "%s", "version": "4.%d.%d", `+
				`"token_type": "Bearer", "expires_in": 3600, "is_active": true, "tags": ["a", "b"], "note": "`,
				g.r.IntN(1e7), g.chars(8, hexl), g.chars(4, hexl), g.chars(3, hexl), g.chars(3, hexl), g.chars(12, hexl),
				g.r.IntN(1e5), g.r.IntN(1e5), g.pick("admin", "staff", "member"), 1+g.r.IntN(9), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60),
				g.r.IntN(60), g.r.IntN(1e6), 1700000000000+g.r.Int64N(1e11), g.r.IntN(100), g.r.IntN(1000), g.chars(40, hexl), g.r.IntN(3), g.r.IntN(20))
			d.sentence(w, 8)
			w.WriteString(`"}`)
		}
		if leak {
			fmt.Fprintf(w, `], "debug": %q}`, d.sensitive())
		} else {
			w.WriteString(`]}`)
		}
		w.WriteByte('\n')
	case 1: // HTML page
		w.WriteString("<!DOCTYPE html><html><head><title>Account settings</title><style>@media (max-width: 600px) { .nav { display: none } } .key-value { color: #333 }</style></head><body><nav><a href=\"/\">Home</a> <a href=\"/account/\">Account</a></nav><main>")
		for i := 0; i < 12; i++ {
			w.WriteString("<p>")
			d.sentence(w, 20)
			w.WriteString("</p>\n")
		}
		if g.r.IntN(4) == 0 {
			w.WriteString(`<img alt="logo" src="data:image/png;base64,iVBORw0KGgo`)
			w.WriteString(g.chars(1200, b64))
			w.WriteString(`==">`)
		}
		fmt.Fprintf(w, `<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="%s"><input type="password" name="password"></form>`, g.chars(64, alnum))
		if leak {
			fmt.Fprintf(w, "<pre>%s</pre>", d.sensitive())
		}
		w.WriteString("<footer>© 2026 Fake Corp · v1.24.3 · build 20260301.1542</footer></main></body></html>\n")
	default: // logs
		for i := 0; i < 30; i++ {
			fmt.Fprintf(w, `10.%d.%d.%d - - [01/Mar/2026:12:%02d:%02d +0000] "GET /api/v1/orders/%d?page=%d HTTP/1.1" %s %d "-" "Mozilla/5.0 (X11; Linux x86_64)" rt=%d.%03d req_id=%s`+"\n",
				g.r.IntN(255), g.r.IntN(255), g.r.IntN(255), g.r.IntN(60), g.r.IntN(60), g.r.IntN(1e6), g.r.IntN(50),
				g.pick("200", "200", "304", "404", "500"), g.r.IntN(1e5), g.r.IntN(3), g.r.IntN(1000), g.chars(32, hexl))
			fmt.Fprintf(w, "2026-03-01T12:%02d:%02d.%03dZ INFO app.views auth check passed for session key=%s user_id=%d duration_ms=%d\n",
				g.r.IntN(60), g.r.IntN(60), g.r.IntN(1000), g.chars(32, hexl), g.r.IntN(1e6), g.r.IntN(900))
		}
		if leak {
			fmt.Fprintf(w, "2026-03-01T12:00:00.000Z ERROR app.tasks retry payload=%s\n", d.sensitive())
		}
	}
}

func (d *docStream) Read(p []byte) (int, error) {
	if d.left == 0 {
		return 0, io.EOF
	}
	for d.buf.Len() < len(p) && d.buf.Len() < 64<<10 {
		d.doc(&d.buf)
	}
	want := len(p)
	if d.left >= 0 && int64(want) > d.left {
		want = int(d.left)
	}
	n, _ := d.buf.Read(p[:want])
	if d.left > 0 {
		d.left -= int64(n)
	}
	return n, nil
}

// benchCorpus is the ≥ 50 MB corpus of BenchmarkScan, built once.
var benchCorpus []byte

func loadBenchCorpus(size int64) []byte {
	if int64(len(benchCorpus)) != size {
		b, _ := io.ReadAll(newDocStream(1, size))
		benchCorpus = b
	}
	return benchCorpus
}

const benchSize = 64 << 20

// BenchmarkScan measures Scan over the generated corpus in 1 MiB bodies
// (the size of a large API response); MB/s is the throughput per core.
func BenchmarkScan(b *testing.B) {
	data := loadBenchCorpus(benchSize)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	matches := 0
	for i := 0; i < b.N; i++ {
		matches = 0
		for off := 0; off < len(data); off += 1 << 20 {
			matches += len(Scan(data[off:min(len(data), off+1<<20)]))
		}
	}
	b.ReportMetric(float64(matches), "matches/op")
}

// BenchmarkScanSmallBodies is the API-response case: 8 KiB bodies.
func BenchmarkScanSmallBodies(b *testing.B) {
	data := loadBenchCorpus(benchSize)[:16<<20]
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for off := 0; off < len(data); off += 8 << 10 {
			Scan(data[off:min(len(data), off+8<<10)])
		}
	}
}

// BenchmarkPrefilter measures the keyword pass alone.
func BenchmarkPrefilter(b *testing.B) {
	data := loadBenchCorpus(benchSize)[:16<<20]
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		keywords.walk(data, func(kw, s, e int) { n++ })
	}
}

// streamHeap runs ScanReader over size generated bytes and returns the
// number of matches and the most heap the run added over what was live when it
// started. The growth, not the absolute heap, is ScanReader's own: other
// benchmarks of the package keep their 64 MiB corpus live (go test -bench .
// runs them in one process), and that must not count against the stream.
func streamHeap(t testing.TB, size int64) (int, uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	matches := 0
	sample := func() {
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > base {
			peak = max(peak, ms.HeapAlloc-base)
		}
	}
	r := &sampledReader{r: newDocStream(3, size), every: 4 << 20, fn: sample}
	err := ScanReader(r, func(m Match) {
		matches++
		if m.Start < 0 || m.End > int(size) || m.Start >= m.End {
			t.Errorf("bad offsets %d..%d", m.Start, m.End)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	sample()
	return matches, peak
}

type sampledReader struct {
	r          io.Reader
	every, cur int
	fn         func()
}

func (s *sampledReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.cur += n
	if s.cur >= s.every {
		s.cur = 0
		s.fn()
	}
	return n, err
}

const heapLimit = 64 << 20

func TestScanReaderBoundedMemory(t *testing.T) {
	size := int64(64 << 20)
	if testing.Short() {
		size = 32 << 20
	}
	n, peak := streamHeap(t, size)
	t.Logf("%d MiB stream: %d matches, peak heap %.1f MiB", size>>20, n, float64(peak)/(1<<20))
	if n == 0 {
		t.Error("no matches in a stream that carries fake secrets")
	}
	if peak > heapLimit {
		t.Errorf("peak heap %d MiB, want < %d MiB", peak>>20, heapLimit>>20)
	}
}

// BenchmarkScanReader1GB streams 1 GiB through ScanReader (generation
// included) and reports the peak heap growth.
func BenchmarkScanReader1GB(b *testing.B) {
	const size = 1 << 30
	// The corpus of the benchmarks that ran before is live otherwise, and the collector
	// lets garbage grow in proportion to the live heap: 64 MiB of corpus would let 64 MiB
	// of the stream's garbage count as its own.
	benchCorpus = nil
	b.SetBytes(size)
	for i := 0; i < b.N; i++ {
		_, peak := streamHeap(b, size)
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-growth-MiB")
		if peak > heapLimit {
			b.Fatalf("peak heap %d MiB, want < %d MiB", peak>>20, heapLimit>>20)
		}
	}
}

// TestWriteBenchCorpus writes the benchmark corpus as files for an external
// comparison (gitleaks); it runs only when EXPOSURE_CORPUS_DIR is set.
func TestWriteBenchCorpus(t *testing.T) {
	dir := os.Getenv("EXPOSURE_CORPUS_DIR")
	if dir == "" {
		t.Skip("set EXPOSURE_CORPUS_DIR to write the benchmark corpus")
	}
	data := loadBenchCorpus(benchSize)
	exts := []string{"json", "html", "log"}
	for i, off := 0, 0; off < len(data); i, off = i+1, off+1<<20 {
		name := filepath.Join(dir, fmt.Sprintf("body-%03d.%s", i, exts[i%3]))
		if err := os.WriteFile(name, data[off:min(len(data), off+1<<20)], 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkDocStream is the generator alone, to read BenchmarkScanReader1GB
// net of generation.
func BenchmarkDocStream(b *testing.B) {
	const size = 64 << 20
	b.SetBytes(size)
	buf := make([]byte, 1<<20)
	for i := 0; i < b.N; i++ {
		r := newDocStream(3, size)
		for {
			if _, err := r.Read(buf); err == io.EOF {
				break
			}
		}
	}
}

// BenchmarkDetectErrorPages runs the error-page detector over the HTML,
// JSON and log mix (none of which is an error page: the common case).
func BenchmarkDetectErrorPages(b *testing.B) {
	data := loadBenchCorpus(benchSize)[:8<<20]
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for off := 0; off < len(data); off += 64 << 10 {
			DetectErrorPages(data[off:min(len(data), off+64<<10)], "text/html")
		}
	}
}
