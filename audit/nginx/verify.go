package nginx

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/remedy"
)

var ruleVerifyClientOptional = finding.Rule{
	ID: "nginx-verify-client-optional", Family: "nginx", Severity: finding.High, CWE: []string{"CWE-306"}, OWASP: "API8:2023",
	Title:   "ssl_verify_client optional without a verify check",
	Summary: "ssl_verify_client optional while nothing checks $ssl_client_verify.",
}

var ruleVerifyClientOptionalNoCA = finding.Rule{
	ID: "nginx-verify-client-optional-no-ca", Family: "nginx", Severity: finding.Critical, CWE: []string{"CWE-295"}, OWASP: "API8:2023",
	Title:   "ssl_verify_client optional_no_ca passes identity upstream",
	Summary: "ssl_verify_client optional_no_ca passing identity upstream.",
}

func (c *checker) verifyClient(s server) {
	mode, vd := verifyMode(s)
	if vd == nil {
		return
	}
	enforced, forwarded := c.checksVerify(s)
	switch mode {
	case "optional":
		if enforced && !forwarded {
			c.partialGate(s, vd)
		}
		if enforced || forwarded {
			return
		}
		f := finding.New(ruleVerifyClientOptional.ID)
		f.Detail = fmt.Sprintf("Server %s sets ssl_verify_client optional, so a client without a certificate gets through with $ssl_client_verify = NONE, and nothing in the config checks $ssl_client_verify (no if on it, and it is not forwarded to the application to check).", serverName(s))
		f.SeverityReason = "Requests without any client certificate reach the application, which cannot tell them from verified ones."
		f.Remediation = "Require the certificate at the TLS layer, or keep optional and refuse unverified requests yourself:\n\n" +
			remedy.MTLSNginx() + "\n# or, where some paths must stay open, inside server { ... }:\n" +
			remedy.NginxVerifyGate()
		c.emit(f, vd, c.where(s.d))
	case "optional_no_ca":
		var passes []string
		allGated := c.everyProxyGated(s)
		s.each(func(d *Directive, anc []*Directive) {
			// A location that refuses unverified requests forwards only verified
			// identities; a server- or http-level one counts unless every proxying
			// location refuses them.
			if c.chainGated(anc) || len(anc) <= 1 && allGated {
				return
			}
			if forwardDirectives[d.Name] && len(d.Args) >= 2 && usesIdentityVar(strings.Join(d.Args[1:], " ")) {
				passes = append(passes, fmt.Sprintf("%s: %s", c.where(d), strings.TrimSpace(c.cfg.Line(d.File, d.Line))))
			}
		})
		if len(passes) == 0 || c.serverLevelVerifyGate(s) {
			return
		}
		f := finding.New(ruleVerifyClientOptionalNoCA.ID)
		f.Detail = fmt.Sprintf("Server %s sets ssl_verify_client optional_no_ca, which lets certificates from any CA (self-signed ones included) through with $ssl_client_verify = FAILED, and passes the certificate's identity upstream (%d directive(s)); anyone can mint a certificate with the subject the application trusts.", serverName(s), len(passes))
		f.SeverityReason = "A self-made certificate with any subject is accepted and its subject forwarded as identity."
		f.Evidence.Notes = passes
		f.Remediation = "Verify the issuer in nginx: optional_no_ca is only for applications that validate the whole certificate themselves.\n\n" + remedy.MTLSNginx()
		c.emit(f, vd, c.where(s.d))
	}
}

// checksVerify reports whether the server looks at $ssl_client_verify: an if on it (directly
// or through a map of it), or forwarding it to the application.
func (c *checker) checksVerify(s server) (enforced, forwarded bool) {
	refs := c.refsVerify
	s.each(func(d *Directive, _ []*Directive) {
		switch {
		case d.Name == "if" && refs(strings.Join(d.Args, " ")):
			enforced = true
		case forwardDirectives[d.Name] && len(d.Args) >= 2 && refs(strings.Join(d.Args[1:], " ")):
			forwarded = true
		}
	})
	return enforced, forwarded
}

// partialGate handles a server that checks $ssl_client_verify in some locations only, and
// forwards no identity to the application: the proxying locations without the check let
// requests without a certificate through to an application that cannot tell.
func (c *checker) partialGate(s server, vd *Directive) {
	if c.serverLevelVerifyGate(s) {
		return
	}
	forwardsIdentity := false
	s.each(func(d *Directive, _ []*Directive) {
		if forwardDirectives[d.Name] && len(d.Args) >= 2 && (IsIdentityHeader(d.Args[0]) || usesIdentityVar(strings.Join(d.Args[1:], " "))) {
			forwardsIdentity = true
		}
	})
	if forwardsIdentity {
		// The application receives the identity (absent without a certificate); whether
		// every location forwards it is the identity-headers rule's business.
		return
	}
	// A location counts as checked when it, or a location around it, has an if on the
	// verify result (whatever the if then does).
	checks := func(loc *Directive) bool {
		return slices.ContainsFunc(loc.Block, func(d *Directive) bool {
			return d.Name == "if" && c.refsVerify(strings.Join(d.Args, " "))
		})
	}
	var open []string
	s.walkLocations(func(d *Directive, chain []*Directive) {
		if p := proxies(d.Block); p != nil && !slices.ContainsFunc(chain, checks) {
			open = append(open, fmt.Sprintf("location %s (%s) proxies to %s without checking $ssl_client_verify", strings.Join(d.Args, " "), c.where(d), p.Arg(0)))
		}
	})
	if len(open) == 0 {
		return
	}
	f := finding.New(ruleVerifyClientOptional.ID)
	f.Detail = fmt.Sprintf("Server %s sets ssl_verify_client optional and refuses unverified requests in some locations only; %d proxying location(s) pass requests without any client certificate to the application, and no certificate identity or verify result is forwarded for it to check.", serverName(s), len(open))
	f.SetSeverity(finding.Medium, "Some locations enforce the certificate; the open ones may be public on purpose, but they reach the application with no sign of whether a certificate was verified.")
	f.Evidence.Notes = open
	f.Remediation = "Put the check in the server block, so that it covers every location, or repeat it in each proxying location:\n\n" +
		remedy.NginxVerifyGate()
	c.emit(f, vd, c.where(s.d)+":partial")
}

// refsVerify reports whether v reads $ssl_client_verify, directly or through a map of it.
func (c *checker) refsVerify(v string) bool {
	if containsVar(v, "$ssl_client_verify") {
		return true
	}
	for _, name := range varsIn(v) {
		for _, m := range c.maps[name] {
			if containsVar(m.Source, "$ssl_client_verify") {
				return true
			}
		}
	}
	return false
}

// verifyGate reports an "if" on $ssl_client_verify (or a map of it) that returns, directly
// in block.
func (c *checker) verifyGate(block []*Directive) bool {
	return slices.ContainsFunc(block, func(d *Directive) bool {
		return d.Name == "if" && c.refsVerify(strings.Join(d.Args, " ")) && First(d.Block, "return") != nil
	})
}

// chainGated reports whether one of the location blocks around a directive refuses
// unverified requests.
func (c *checker) chainGated(anc []*Directive) bool {
	return slices.ContainsFunc(anc, func(a *Directive) bool { return a.Name == "location" && c.verifyGate(a.Block) })
}

// everyProxyGated reports whether every location that proxies sits in a location that
// refuses unverified requests (and there is at least one).
func (c *checker) everyProxyGated(s server) bool {
	n := 0
	all := true
	s.walkLocations(func(d *Directive, chain []*Directive) {
		if proxies(d.Block) != nil {
			n++
			all = all && c.chainGated(chain)
		}
	})
	return n > 0 && all
}

// serverLevelVerifyGate reports an "if ($ssl_client_verify != SUCCESS) { return ...; }" directly
// in the server block, which refuses every unverified request before any location runs.
func (c *checker) serverLevelVerifyGate(s server) bool { return c.verifyGate(s.d.Block) }

// ClientCertificateDirective returns the first ssl_verify_client of cfg that asks clients for
// a certificate (on, optional or optional_no_ca), or nil: the config authenticates clients
// with certificates somewhere.
func ClientCertificateDirective(cfg *Config) *Directive {
	var out *Directive
	Walk(cfg.Directives, func(d *Directive, _ []*Directive) bool {
		if out == nil && d.Name == "ssl_verify_client" && !strings.EqualFold(d.Arg(0), "off") {
			out = d
		}
		return out == nil
	})
	return out
}
