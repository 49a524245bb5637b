package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/crossgate/crossgate/audit"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan"
	"github.com/crossgate/crossgate/scan/prove"
)

// chromiumPath is the system Chromium, found the way scan --prove finds it; requireChromium
// skips (or, with CROSSGATE_E2E=1, fails) when it is missing.
func chromiumPath(t *testing.T) string {
	t.Helper()
	requireChromium(t)
	p, _ := prove.FindBrowser("")
	return p
}

// browserLog collects what the page's tab reports: every request it is about to send,
// console errors (a Content-Security-Policy violation lands there) and uncaught exceptions.
type browserLog struct {
	mu       sync.Mutex
	requests []string
	errors   []string
}

func (b *browserLog) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, e.Request.URL)
	case *cdplog.EventEntryAdded:
		if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
			b.errors = append(b.errors, e.Entry.Source.String()+": "+e.Entry.Text)
		}
	case *runtime.EventExceptionThrown:
		b.errors = append(b.errors, "exception: "+e.ExceptionDetails.Text)
	}
}

func (b *browserLog) take() (requests, errors []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	requests, errors = b.requests, b.errors
	b.requests, b.errors = nil, nil
	return requests, errors
}

// startBrowser runs the system Chromium headless with a fresh profile; it stops with t.
func startBrowser(t *testing.T, bin string) (context.Context, *browserLog) {
	t.Helper()
	log := &browserLog{}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(prove.HeadlessFlags(bin), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))...)
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithListener(log.listen))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Run starts the browser and lives as long as ctx: no timeout on it.
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return ctx, log
}

func htmlReports(t *testing.T) map[string]*report.Report {
	t.Helper()
	// A real scan of the seed's mistake (mTLS required, ACAO *, personal data) ...
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	rep, err := scan.Run(context.Background(), scan.Config{Targets: []string{srv.URL, "https://127.0.0.1:1/"},
		User: &probe.Identity{Name: "user", Certificate: &srv.Client.TLS}, Origins: []string{appOrigin},
		Probe: probe.Config{RootCAs: srv.CA.Pool(), Rate: -1, Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	// ... plus the proofs --prove attaches, and a finding whose strings try to inject markup.
	for i := range rep.Findings {
		if rep.Findings[i].Rule == "cors-wildcard-on-mtls" {
			rep.Findings[i].Proof = []finding.Proof{
				{Browser: "chromium", Version: "120.0.6099.224", PageOrigin: "http://127.0.0.1:39123", Mode: "omit", Read: true, Status: 200, Bytes: 125, CertPresented: "policy", Excerpt: `{"user":"alice"}`},
				{Browser: "chromium", Version: "120.0.6099.224", PageOrigin: "http://127.0.0.1:39123", Mode: "include", Status: 0, CertPresented: "policy", Error: "TypeError: Failed to fetch"},
			}
		}
	}
	evil := finding.New("cors-reflect-origin")
	evil.URL = srv.URL + `?q="><img src=http://127.0.0.1:9/x>`
	evil.Detail = `<script>document.title="pwned"</script><iframe src="https://example.com/"></iframe>`
	evil.Evidence.Response = "HTTP/1.1 200 OK\n\n</pre><svg onload=alert(1)><link rel=stylesheet href=https://example.com/x.css>"
	evil.Remediation = `<a href="https://example.com/">fix</a>`
	evil.Seal("injection")
	rep.Findings = append(rep.Findings, evil)
	rep.Finalize()
	if len(rep.Findings) < 3 {
		t.Fatalf("the scan found too little to test a report with: %d findings", len(rep.Findings))
	}

	aud, err := audit.Run(context.Background(), []string{filepath.Join("testdata", "django")}, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(aud.Findings) == 0 {
		t.Fatal("the audit of testdata/django found nothing to render")
	}
	return map[string]*report.Report{"scan": rep, "audit": aud}
}

// TestHTMLReportInChromium opens the HTML report from file:// in a real headless Chromium:
// it renders, its script runs under its own Content-Security-Policy, every finding is in the
// DOM, injected markup stays text, the filters work, and the page sends no request.
func TestHTMLReportInChromium(t *testing.T) {
	bin := chromiumPath(t)
	ctx, log := startBrowser(t, bin)
	dir := t.TempDir()
	shots := os.Getenv("CROSSGATE_SCREENSHOT_DIR")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	} else {
		var err error
		if shots, err = os.MkdirTemp("", "crossgate-html-report-"); err != nil {
			t.Fatal(err)
		}
	}

	// The listener must see a request when a page makes one, or its silence proves nothing.
	var hits sync.WaitGroup
	hits.Add(1)
	var once sync.Once
	pixel := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { once.Do(hits.Done) }))
	defer pixel.Close()
	control := filepath.Join(dir, "control.html")
	if err := os.WriteFile(control, []byte(`<!DOCTYPE html><img src="`+pixel.URL+`/pixel.png">`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+control)); err != nil {
		t.Fatal(err)
	}
	hits.Wait()
	if reqs, _ := log.take(); !slices.ContainsFunc(reqs, func(u string) bool { return strings.HasPrefix(u, pixel.URL) }) {
		t.Fatalf("the request listener missed the control page's image request; saw %q", reqs)
	}

	for name, rep := range htmlReports(t) {
		t.Run(name, func(t *testing.T) {
			page := filepath.Join(dir, name+".html")
			var buf bytes.Buffer
			if err := report.WriteHTML(&buf, rep); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			pageURL := "file://" + page
			tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			if err := chromedp.Do(tctx, chromedp.Navigate(pageURL)); err != nil {
				t.Fatal(err)
			}
			eval := func(expr string, out any) {
				t.Helper()
				var err error
				switch p := out.(type) {
				case *[]string:
					*p, err = chromedp.Run(tctx, chromedp.Evaluate[[]string](expr))
				case *bool:
					*p, err = chromedp.Run(tctx, chromedp.Evaluate[bool](expr))
				case *int:
					*p, err = chromedp.Run(tctx, chromedp.Evaluate[int](expr))
				case *string:
					*p, err = chromedp.Run(tctx, chromedp.Evaluate[string](expr))
				}
				if err != nil {
					t.Fatalf("evaluate %s: %v", expr, err)
				}
			}

			var ran bool
			eval(`!document.getElementById("filters").hidden && document.getElementById("shown").textContent !== ""`, &ran)
			if !ran {
				t.Error("the report's script did not run (blocked by its own CSP?)")
			}
			// Every finding is in the DOM, with its rule and title.
			var inDOM []string
			eval(`Array.from(document.querySelectorAll("details.finding")).map(d => d.dataset.fingerprint + " " + d.querySelector(".rule").textContent + " " + d.querySelector(".title").textContent)`, &inDOM)
			var want []string
			for _, f := range rep.Findings {
				want = append(want, f.Fingerprint+" "+f.Rule+" "+f.Title)
			}
			slices.Sort(inDOM)
			slices.Sort(want)
			if !slices.Equal(inDOM, want) {
				t.Errorf("findings in the DOM:\n%s\nwant:\n%s", strings.Join(inDOM, "\n"), strings.Join(want, "\n"))
			}
			var grades []string
			eval(`Array.from(document.querySelectorAll("tr.target .grade")).map(g => g.textContent)`, &grades)
			var wantGrades []string
			for _, tg := range rep.Targets {
				g := tg.Grade
				if tg.Error != "" {
					g = "–"
				}
				wantGrades = append(wantGrades, g)
			}
			if !slices.Equal(grades, wantGrades) {
				t.Errorf("grades %q, want %q", grades, wantGrades)
			}
			// Injected markup is text: no element it names exists, the title is untouched.
			var foreign int
			eval(`document.querySelectorAll("img, svg, iframe, link, object, embed, a[href]").length + document.scripts.length - 1`, &foreign)
			var title string
			eval(`document.title`, &title)
			if foreign != 0 || title != "crossgate "+rep.Command+" report" {
				t.Errorf("%d injected elements, title %q", foreign, title)
			}
			if name == "scan" {
				var proof string
				eval(`document.querySelector(".proofline").textContent`, &proof)
				if !strings.Contains(proof, "proven in Chromium 120: a page on http://127.0.0.1:39123 read 125 bytes") {
					t.Errorf("proof line %q", proof)
				}
			}
			// The severity filter hides a whole severity; the text filter narrows to a rule.
			top := rep.Findings[0]
			var visible int
			eval(fmt.Sprintf(`document.querySelector('input[data-sev="%s"]').click(); document.querySelectorAll('details.finding[data-sev="%s"]:not([hidden])').length`, top.Severity, top.Severity), &visible)
			if visible != 0 {
				t.Errorf("%d %s findings still shown after unticking %s", visible, top.Severity, top.Severity)
			}
			eval(fmt.Sprintf(`document.querySelector('input[data-sev="%s"]').click();
				(() => { const s = document.getElementById("search"); s.value = %q; s.dispatchEvent(new Event("input"));
				return Array.from(document.querySelectorAll("details.finding")).filter(d => !d.hidden && !d.dataset.search.includes(%q)).length })()`, top.Severity, top.Rule, top.Rule), &visible)
			if visible != 0 {
				t.Errorf("%d findings of other rules shown when filtering by %s", visible, top.Rule)
			}
			eval(`(() => { const s = document.getElementById("search"); s.value = ""; s.dispatchEvent(new Event("input")); document.querySelector("details.finding").open = true; return document.querySelectorAll("details.finding:not([hidden])").length })()`, &visible)
			if visible != len(rep.Findings) {
				t.Errorf("%d findings shown after clearing the filters, want %d", visible, len(rep.Findings))
			}

			shot, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(shot))
			if err != nil || img.Bounds().Dx() < 800 || img.Bounds().Dy() < 600 {
				t.Fatalf("screenshot: %v (%v)", err, img)
			}
			out := filepath.Join(shots, name+".png")
			if err := os.WriteFile(out, shot, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot of the %s report: %s", name, out)

			requests, errors := log.take()
			for _, u := range requests {
				if u != pageURL {
					t.Errorf("the page sent a request to %s", u)
				}
			}
			if len(errors) > 0 {
				t.Errorf("the browser reported errors: %q", errors)
			}
		})
	}
}
