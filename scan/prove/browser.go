package prove

import (
	"context"
	"fmt"
	"io"
	"log"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/crossgate/crossgate/finding"
)

const (
	// startTimeout bounds the browser's start and its first answer over DevTools.
	startTimeout = 30 * time.Second
	// loadTimeout bounds one attacker page load (served from loopback).
	loadTimeout = 15 * time.Second
)

// FindBrowser returns the Chromium binary: path when given, else chromium (Debian) or
// chromium-browser on PATH. It never downloads one.
func FindBrowser(path string) (string, error) {
	names := []string{"chromium", "chromium-browser"}
	if path != "" {
		names = []string{path}
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", &Error{Msg: "Chromium not found (looked for " + strings.Join(names, ", ") + ")",
		Hint: "install it (Debian/Ubuntu: apt-get install chromium libnss3-tools), or run without --prove"}
}

// session is one running browser with one tab.
type session struct {
	version string
	ctx     context.Context
	cancel  func()

	mu      sync.Mutex
	console []string
}

// HeadlessFlags start the system Chromium at bin headless and quiet: no sandbox (root in CI),
// no GPU, no first-run pages, and none of the background connections (updates, sync, QUIC)
// a closed network refuses. The full browser in headless mode, not the old headless shell,
// which never sends a client certificate.
func HeadlessFlags(bin string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	}
}

// startBrowser runs Chromium headless with the throwaway profile. In proxy mode every request
// goes through px, loopback included; otherwise only the page origins are remapped.
func startBrowser(ctx context.Context, bin string, prof *profile, pages *pageServer, px *proxy, o Options) (*session, error) {
	opts := append(HeadlessFlags(bin),
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("host-resolver-rules", pages.resolverRules()),
		chromedp.UserDataDir(prof.data),
		chromedp.Env("HOME="+prof.home),
		chromedp.CombinedOutput(io.Discard),
	)
	if o.Insecure {
		opts = append(opts, chromedp.IgnoreCertErrors)
	}
	if px != nil {
		opts = append(opts, chromedp.ProxyServer("http://"+px.addr()),
			// Chromium bypasses proxies for loopback unless told not to.
			chromedp.Flag("proxy-bypass-list", "<-loopback>"))
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	s := &session{}
	tctx, tcancel := chromedp.NewContext(actx, chromedp.WithListener(s.listen),
		chromedp.WithLogf(quietf), chromedp.WithErrorf(quietf))
	s.ctx = tctx
	s.cancel = func() { tcancel(); acancel() }

	started := make(chan error, 1)
	go func() { started <- chromedp.Do(tctx) }()
	select {
	case err := <-started:
		if err != nil {
			s.cancel()
			return nil, fmt.Errorf("cannot start Chromium (%s): %v", bin, err)
		}
	case <-time.After(startTimeout):
		s.cancel()
		return nil, fmt.Errorf("Chromium (%s) did not start within %s", bin, startTimeout)
	case <-ctx.Done():
		s.cancel()
		return nil, ctx.Err()
	}
	vctx, vcancel := context.WithTimeout(tctx, startTimeout)
	defer vcancel()
	v, err := cdp.Call(vctx, chromedp.FromContext(tctx).Browser, browser.GetVersion, cdp.Empty{})
	if err != nil {
		s.cancel()
		return nil, fmt.Errorf("cannot read Chromium's version: %v", err)
	}
	s.version = productVersion(v.Product)
	return s, nil
}

// productVersion turns "HeadlessChrome/156.0.8078.129" or "Chrome/156..." into the number.
func productVersion(p string) string {
	if _, v, ok := strings.Cut(p, "/"); ok {
		return v
	}
	return p
}

// Major is the browser's major version, for "proven in Chromium 156".
func Major(version string) string {
	m, _, _ := strings.Cut(version, ".")
	if _, err := strconv.Atoi(m); err != nil {
		return version
	}
	return m
}

func (s *session) listen(ev any) {
	e, ok := ev.(*cdplog.EventEntryAdded)
	if !ok || e.Entry == nil {
		return
	}
	s.mu.Lock()
	if len(s.console) < 100 {
		s.console = append(s.console, e.Entry.Text)
	}
	s.mu.Unlock()
}

func (s *session) takeConsole() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.console
	s.console = nil
	return c
}

// prove loads the claim's page and runs its attempts one by one.
func (s *session) prove(ctx context.Context, j *job, o Options) Outcome {
	out := Outcome{PageOrigin: j.pageOrigin}
	if j.err != nil {
		out.Err = j.err
		return out
	}
	lctx, cancel := context.WithTimeout(s.ctx, loadTimeout)
	err := chromedp.Do(lctx, chromedp.Navigate(j.pageURL))
	cancel()
	if err != nil {
		out.Err = fmt.Errorf("the attacker page %s did not load: %v", j.pageURL, err)
		return out
	}
	pj := newPageJob("", false, 0, 0)
	hung, retried := false, false
	for i := 0; i < len(pj.Attempts); i++ {
		a := pj.Attempts[i]
		if hung {
			// A certificate picker nobody answers hangs every later attempt too; waiting
			// for each would multiply the timeout by six.
			out.Proofs = append(out.Proofs, finding.Proof{PageOrigin: j.pageOrigin, Mode: a.Mode, Preflight: a.Preflight,
				Error: "not tried: an earlier attempt got no answer within the timeout"})
			continue
		}
		s.takeConsole()
		// The page's own timer aborts a hanging fetch (a certificate picker nobody answers);
		// this one bounds the page itself.
		actx, cancel := context.WithTimeout(s.ctx, o.Timeout+loadTimeout)
		raw, err := chromedp.Run(actx, chromedp.Evaluate[[]byte]("crossgateRun("+strconv.Itoa(i)+")", chromedp.EvalAwaitPromise))
		cancel()
		p := finding.Proof{PageOrigin: j.pageOrigin, Mode: a.Mode, Preflight: a.Preflight}
		if err != nil {
			p.Error = cleanText("the page did not finish: "+err.Error(), 300)
			out.Proofs = append(out.Proofs, p)
			if ctx.Err() != nil {
				out.Err = ctx.Err()
				return out
			}
			continue
		}
		r, err := parseAttempt(raw, a)
		if err != nil {
			p.Error = err.Error()
			out.Proofs = append(out.Proofs, p)
			continue
		}
		p.Read, p.Status, p.Bytes = r.Read, r.Status, int(r.Bytes)
		if r.Read {
			ex := []byte(r.Excerpt)
			if o.Redact != nil {
				ex = o.Redact(ex)
			}
			p.Excerpt = cleanText(string(ex), excerptBytes)
		} else {
			p.Error = explain(r.Error, s.takeConsole())
			hung = r.Error == "timeout"
			if hung && !retried {
				// One stall can be the machine, not the browser: reload the page and try
				// this attempt again, once per claim.
				retried = true
				lctx, cancel := context.WithTimeout(s.ctx, loadTimeout)
				err := chromedp.Do(lctx, chromedp.Navigate(j.pageURL))
				cancel()
				if err == nil {
					hung = false
					i--
					continue
				}
			}
		}
		out.Proofs = append(out.Proofs, p)
	}
	return out
}

// explain replaces fetch()'s uninformative "Failed to fetch" with the browser's console
// message for the attempt (the CORS rule that blocked it, or the network error).
func explain(pageErr string, console []string) string {
	if pageErr == "timeout" {
		return "no answer within the timeout (a hanging client-certificate selection, or a slow server)"
	}
	for _, c := range console {
		if _, why, ok := strings.Cut(c, "blocked by CORS policy: "); ok {
			return cleanText("blocked by CORS: "+why, 300)
		}
	}
	for _, c := range console {
		if i := strings.Index(c, "net::ERR_"); i >= 0 {
			return cleanText("network error "+c[i+len("net::"):], 300)
		}
	}
	if pageErr == "" {
		return "not read"
	}
	return pageErr
}

func (s *session) close() {
	// Closing the tab's context stops the browser and waits for the process to exit, so the
	// profile can be removed after it.
	s.cancel()
}

func quietf(string, ...any) {}

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
