package prove

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/vulnserver"
)

// needBrowser skips without Chromium and the NSS tools, unless CROSSGATE_E2E=1 makes the
// real components mandatory.
func needBrowser(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	_, err := FindBrowser("")
	if err == nil {
		err = FindTools()
	}
	if err != nil {
		if os.Getenv("CROSSGATE_E2E") == "1" {
			t.Fatalf("CROSSGATE_E2E=1 and %v", err)
		}
		t.Skip(err)
	}
}

func readIn(ps []finding.Proof) string {
	var out []string
	for _, p := range ps {
		if p.Read && p.Status < 400 {
			out = append(out, p.Attempt())
		}
	}
	return strings.Join(out, " ")
}

// leftovers lists what a session may leave: policy files and temporary profiles.
func leftovers() []string {
	var out []string
	for _, pat := range []string{filepath.Join(DefaultPolicyDir, fmt.Sprintf("crossgate-prove-%d-*", os.Getpid())), filepath.Join(os.TempDir(), fmt.Sprintf("crossgate-prove-%d-*", os.Getpid()))} {
		m, _ := filepath.Glob(pat)
		out = append(out, m...)
	}
	return out
}

func assertNoLeftovers(t *testing.T, before []string) {
	t.Helper()
	for _, f := range leftovers() {
		if !slices.Contains(before, f) {
			t.Errorf("left behind: %s", f)
		}
	}
}

// One browser, five in-process servers: what the page reads follows each CORS policy, and
// only the server that requires a certificate needs the auto-selected one.
func TestRunInProcessServers(t *testing.T) {
	needBrowser(t)
	before := leftovers()
	cred := func(k vulnserver.Kind, origins ...string) vulnserver.Config {
		return vulnserver.Config{Policy: vulnserver.Policy{Kind: k, Origins: origins, Credentials: true}}
	}
	star := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	reflect := vulnserver.StartT(t, cred(vulnserver.ReflectCredentials))
	allow := vulnserver.StartT(t, cred(vulnserver.Allowlist, "https://app.example.com"))
	null := vulnserver.StartT(t, cred(vulnserver.NullAllowed, "https://app.example.com"))
	suffix := vulnserver.StartT(t, cred(vulnserver.Suffix, "example.com"))
	var cas []*x509.Certificate
	for _, s := range []*vulnserver.Server{star, reflect, allow, null, suffix} {
		cas = append(cas, s.CA.Cert)
	}
	id := star.Client.TLS
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	claims := []Claim{
		{URL: mustURL(t, star.URL)},
		{URL: mustURL(t, reflect.URL)},
		{URL: mustURL(t, allow.URL)},
		{URL: mustURL(t, null.URL), Origin: "null"},
		{URL: mustURL(t, suffix.URL), Origin: "https://evilexample.com"},
	}
	res, err := Run(ctx, Options{Identity: &id, CACerts: cas, Timeout: 5 * time.Second, Redact: func(b []byte) []byte {
		return []byte(strings.ReplaceAll(string(b), "alice@example.com", "REDACTED"))
	}}, claims)
	if err != nil {
		t.Fatal(err)
	}
	if res.Browser != "chromium" || Major(res.Version) == res.Version || res.CertPresented != CertPolicy {
		t.Errorf("session: %q %q %q", res.Browser, res.Version, res.CertPresented)
	}
	all := "omit omit+preflight same-origin same-origin+preflight include include+preflight"
	for i, want := range []string{
		"omit omit+preflight same-origin same-origin+preflight", // ACAO *: never with credentials
		all, // reflected with ACAC: true
		"",  // crossgate's origin is not on the allowlist
		all, // a sandboxed frame's "null" is allowed
		all, // evilexample.com ends with example.com
	} {
		out := res.Outcomes[i]
		if out.Err != nil {
			t.Errorf("claim %d: %v", i, out.Err)
			continue
		}
		if got := readIn(out.Proofs); got != want {
			t.Errorf("claim %d (%s from %s): read in %q, want %q; %+v", i, claims[i].URL, out.PageOrigin, got, want, out.Proofs)
		}
	}
	if p := finding.Proven(res.Outcomes[0].Proofs); p == nil || !strings.Contains(p.Excerpt, "REDACTED") || strings.Contains(p.Excerpt, "alice@example.com") {
		t.Errorf("the excerpt is not redacted: %+v", p)
	}
	for _, p := range res.Outcomes[2].Proofs {
		if !strings.Contains(p.Error, "blocked by CORS") {
			t.Errorf("allowlist %s: reason %q, want the browser's CORS message", p.Attempt(), p.Error)
		}
	}
	if o := res.Outcomes[4].PageOrigin; o != "https://evilexample.com" {
		t.Errorf("suffix bypass page on %q", o)
	}
	assertNoLeftovers(t, before)
}

// A policy Chromium does not read leaves it waiting on a certificate picker nobody answers:
// the first attempt must end at the timeout, and the others are not left to hang too.
func TestRunBoundedWhenNoCertificateIsSelected(t *testing.T) {
	needBrowser(t)
	before := leftovers()
	star := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	id := star.Client.TLS
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, Options{Identity: &id, CACerts: []*x509.Certificate{star.CA.Cert}, Timeout: time.Second,
		PolicyDir: t.TempDir()}, []Claim{{URL: mustURL(t, star.URL)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Outcomes[0].Proofs {
		if p.Read || !strings.Contains(p.Error, "timeout") {
			t.Errorf("%s: %+v, want a timeout or a refused handshake", p.Attempt(), p)
		}
	}
	if d := time.Since(start); d > time.Minute {
		t.Errorf("took %s", d)
	}
	assertNoLeftovers(t, before)
}

// Cancelling (Ctrl-C) in the middle stops the browser and removes every file.
func TestRunCancelledCleansUp(t *testing.T) {
	needBrowser(t)
	before := leftovers()
	// A target that accepts connections and never answers keeps the page busy.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	star := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert})
	id := star.Client.TLS
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(3*time.Second, cancel)
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Options{Identity: &id, Timeout: time.Minute}, []Claim{{URL: mustURL(t, "https://"+ln.Addr().String()+"/")}})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run after cancel: %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	assertNoLeftovers(t, before)
}

func TestFindBrowserMissing(t *testing.T) {
	_, err := FindBrowser(filepath.Join(t.TempDir(), "no-such-chromium"))
	var pe *Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Hint, "apt-get install chromium") {
		t.Fatalf("err %v, want an Error with an install hint", err)
	}
	start := time.Now()
	_, err = Run(context.Background(), Options{Browser: "/nonexistent/chromium"}, []Claim{{URL: mustURL(t, "https://127.0.0.1:1/")}})
	if !errors.As(err, &pe) || time.Since(start) > 5*time.Second {
		t.Fatalf("Run without a browser: %v after %s", err, time.Since(start))
	}
}
