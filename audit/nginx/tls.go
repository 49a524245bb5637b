package nginx

import (
	"fmt"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/remedy"
)

var ruleWeakTLS = finding.Rule{
	ID: "nginx-weak-tls", Family: "nginx", Severity: finding.Medium, CWE: []string{"CWE-326"}, OWASP: "API8:2023",
	Title:   "nginx allows TLS 1.0 or 1.1",
	Summary: "ssl_protocols includes TLSv1 or TLSv1.1.",
}

func (c *checker) weakTLS(d *Directive) {
	var weak []string
	for _, a := range d.Args {
		switch a {
		case "SSLv2", "SSLv3", "TLSv1", "TLSv1.1":
			weak = append(weak, a)
		}
	}
	if len(weak) == 0 {
		return
	}
	f := finding.New(ruleWeakTLS.ID)
	f.Detail = fmt.Sprintf("ssl_protocols enables %s; these protocols have known weaknesses, and before TLS 1.3 the client certificate travels unencrypted in the handshake.", strings.Join(weak, ", "))
	f.SeverityReason = "Deprecated protocol versions are offered (RFC 8996 forbids TLS 1.0 and 1.1)."
	f.Remediation = remedy.NginxTLSProtocols()
	c.emit(f, d, "")
}
