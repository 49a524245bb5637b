// Package prove shows a cross-origin read happening in a real browser. For each claim (a
// target URL and the origin its CORS policy lets read it) it serves an attacker page on a
// loopback origin that is not the target's, loads it in headless Chromium holding the user's
// client certificate, and lets the page fetch() the target in each credentials mode, with and
// without a header that forces a preflight. What the page could read is the proof.
//
// The certificate reaches Chromium as it would on a victim's machine: imported into the
// profile's NSS store and auto-selected by an AutoSelectCertificateForUrls policy, which only
// a file under /etc/chromium/policies/managed can set (the --policy switch works only on debug
// Android builds, and without auto-selection headless Chromium waits forever on an invisible
// certificate picker). Without permission to write there, a loopback forward proxy presents
// the certificate instead; the browser still makes every CORS decision, but it then presents
// the certificate in every mode, so the result is labelled "proxy". Everything written (the
// policy file, the profile, the NSS database) is removed when Run returns, on error and on
// cancellation too.
//
// Firefox is not driven: Debian 12 packages no geckodriver, and firefox-esr's own WebDriver
// BiDi endpoint would need a second protocol client; the measured Firefox behaviour (no
// certificate on non-credentialed requests or preflights) is in the finding's severity reason.
package prove

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/crossgate/crossgate/finding"
)

// Options configure one proving session: one browser for the whole scan.
type Options struct {
	// Browser is the Chromium binary; empty looks up chromium on PATH.
	Browser string
	// Identity is the user's client certificate with its key; nil proves without one.
	Identity *tls.Certificate
	// CACerts sign the targets' server certificates (--cacert); the browser trusts them.
	CACerts []*x509.Certificate
	// Insecure makes the browser accept any server certificate (--insecure).
	Insecure bool
	// Timeout bounds each fetch(); the browser start and each page load get their own bounds.
	Timeout time.Duration
	// MaxBytes is how much of a response body the page reads before it stops.
	MaxBytes int64
	// Redact masks secrets in the excerpt a page read; nil keeps it as read.
	Redact func([]byte) []byte
	// PolicyDir is where Chromium reads managed policies; empty is DefaultPolicyDir.
	PolicyDir string
	// ForceProxy presents the certificate through the loopback proxy even when the policy
	// could be written (tests of that mode run as root).
	ForceProxy bool
}

// DefaultPolicyDir is where Debian's Chromium reads managed policy files.
const DefaultPolicyDir = "/etc/chromium/policies/managed"

// Claim is one finding to prove: the page must read URL from Origin. Origin "" means any
// origin that is not the target's (crossgate picks its own), "null" an opaque origin.
type Claim struct {
	URL    *url.URL
	Origin string
}

// Outcome is what the browser showed for one claim.
type Outcome struct {
	PageOrigin string
	Proofs     []finding.Proof
	// Err says why the claim could not be tried at all (no page could be served on its
	// origin, the page did not load); the finding then keeps its rating.
	Err error
}

// Result is one session: the browser, how the certificate reached it, one Outcome per claim.
type Result struct {
	Browser, Version string
	// CertPresented is "policy", "proxy" or "none" (no client certificate given).
	CertPresented string
	// Notes tell the user what the session had to work around (the proxy fallback).
	Notes    []string
	Outcomes []Outcome
}

// Cert presentation modes, as recorded in each Proof.
const (
	CertPolicy = "policy"
	CertProxy  = "proxy"
	CertNone   = "none"
)

// Run proves every claim in one browser and removes every file it wrote before returning.
// It returns an error when the browser cannot be run at all; a claim that fails alone is
// reported in its Outcome.
func Run(ctx context.Context, o Options, claims []Claim) (res *Result, err error) {
	if len(claims) == 0 {
		return &Result{}, nil
	}
	o = o.withDefaults()
	bin, err := FindBrowser(o.Browser)
	if err != nil {
		return nil, err
	}
	if err := FindTools(); err != nil {
		return nil, err
	}
	pages, err := newPageServer(ctx, claims, o)
	if err != nil {
		return nil, err
	}
	defer pages.close()

	prof, err := newProfile(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := prof.remove(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	res = &Result{Browser: "chromium", CertPresented: CertNone}
	cas := append([]*x509.Certificate{pages.ca.cert}, o.CACerts...)
	if err := prof.trust(ctx, cas); err != nil {
		return nil, err
	}
	var px *proxy
	if o.Identity != nil {
		res.CertPresented = CertPolicy
		perr := errors.New("forced by the caller")
		if !o.ForceProxy {
			perr = prof.writePolicy(ctx, o.PolicyDir, claims, o.Identity)
		}
		if perr == nil {
			if err := prof.importIdentity(ctx, o.Identity); err != nil {
				return nil, err
			}
		} else {
			res.CertPresented = CertProxy
			res.Notes = append(res.Notes, fmt.Sprintf("cannot set Chromium's certificate auto-selection policy in %s (%v): a loopback proxy presents your client certificate instead; the browser still makes every CORS decision, but it then gets the certificate in every credentials mode (run as root to prove with the browser's own certificate selection)", o.PolicyDir, perr))
			if px, err = newProxy(pages, claims, o); err != nil {
				return nil, err
			}
			defer px.close()
		}
	}
	b, err := startBrowser(ctx, bin, prof, pages, px, o)
	if err != nil {
		return nil, err
	}
	defer b.close()
	res.Version = b.version
	for i := range claims {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		out := b.prove(ctx, pages.jobs[i], o)
		for j := range out.Proofs {
			out.Proofs[j].Browser, out.Proofs[j].Version = res.Browser, res.Version
			out.Proofs[j].CertPresented = res.CertPresented
		}
		res.Outcomes = append(res.Outcomes, out)
	}
	// An interrupted session's last outcome is incomplete: the caller must know.
	return res, ctx.Err()
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 1 << 20
	}
	if o.PolicyDir == "" {
		o.PolicyDir = DefaultPolicyDir
	}
	return o
}
