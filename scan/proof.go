package scan

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan/prove"
)

// anyOriginRules hold for every untrusted origin, so crossgate's own attacker origin proves
// them; the bypass rules need the page on the very origin the server let through.
var anyOriginRules = []string{"cors-wildcard-on-mtls", "cors-wildcard", "cors-reflect-origin", "cors-reflect-origin-credentials"}

// proveFindings runs every finding that claims a cross-origin read in one headless Chromium,
// attaches what the page read as the finding's proof, and lowers a finding whose read did
// not happen in the browser. results[i] are the findings of urls[i].
func proveFindings(ctx context.Context, cfg Config, urls []*url.URL, results [][]finding.Finding, rep *report.Report) {
	type ref struct{ target, index, claim int }
	var claims []prove.Claim
	var refs []ref
	byKey := map[string]int{}
	for i, fs := range results {
		for j, f := range fs {
			if r, _ := finding.Lookup(f.Rule); r.ReadRank == 0 || f.Severity <= finding.Info {
				continue
			}
			c := prove.Claim{URL: urls[i], Origin: claimOrigin(f)}
			key := c.URL.String() + "\x00" + c.Origin
			k, ok := byKey[key]
			if !ok {
				k = len(claims)
				byKey[key] = k
				claims = append(claims, c)
			}
			refs = append(refs, ref{i, j, k})
		}
	}
	if len(claims) == 0 {
		return
	}
	o := *cfg.Prove
	if cfg.User != nil && cfg.User.Certificate != nil {
		o.Identity = cfg.User.Certificate
	}
	o.Insecure = cfg.Probe.Insecure
	if o.Timeout <= 0 {
		o.Timeout = cfg.Probe.Timeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = cfg.Probe.MaxBody
	}
	if !cfg.Options.ShowSecrets {
		o.Redact = exposure.Redact
	}
	res, err := prove.Run(ctx, o, claims)
	warn := func(i int, msg string) {
		if !slices.Contains(rep.Targets[i].Warnings, msg) {
			rep.Targets[i].Warnings = append(rep.Targets[i].Warnings, msg)
		}
	}
	if err != nil {
		for _, r := range refs {
			warn(r.target, "--prove: the browser could not run: "+err.Error()+"; findings keep their ratings")
		}
		return
	}
	for _, r := range refs {
		for _, n := range res.Notes {
			warn(r.target, "--prove: "+n)
		}
		if r.claim >= len(res.Outcomes) {
			continue // interrupted
		}
		judge(&results[r.target][r.index], res.Outcomes[r.claim])
	}
}

// judge attaches the outcome to f, and lowers f when the browser did not read it.
func judge(f *finding.Finding, out prove.Outcome) {
	f.Proof = out.Proofs
	if out.Err != nil {
		f.Evidence.Notes = append(f.Evidence.Notes, "Not tried in a browser: "+out.Err.Error()+".")
		return
	}
	if len(out.Proofs) == 0 || finding.Proven(out.Proofs) != nil {
		return
	}
	var blocked []string
	for _, p := range out.Proofs {
		why := p.Error
		if p.Read {
			why = fmt.Sprintf("read only an HTTP %d error response", p.Status)
		}
		blocked = append(blocked, p.Attempt()+": "+why)
	}
	reason := strings.ToUpper(finding.ProofLine(out.Proofs)[:1]) + finding.ProofLine(out.Proofs)[1:] +
		" (" + strings.Join(dedupe(blocked), "; ") + "), so the read this finding describes did not happen in a real browser."
	if f.Severity > finding.Low {
		f.SetSeverity(finding.Low, reason+" Was "+f.Severity.String()+": "+f.SeverityReason)
	} else {
		f.SetSeverity(f.Severity, reason+" "+f.SeverityReason)
	}
}

// claimOrigin is the origin a finding says the server lets read it: "" for any untrusted
// origin, "null", or the Origin its evidence request carried.
func claimOrigin(f finding.Finding) string {
	switch {
	case slices.Contains(anyOriginRules, f.Rule):
		return ""
	case f.Rule == "cors-null-origin":
		return "null"
	}
	for _, line := range strings.Split(f.Evidence.Request, "\n") {
		if name, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Origin") {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func dedupe(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
