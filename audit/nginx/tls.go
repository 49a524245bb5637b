package nginx

import (
	"fmt"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

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
	f := finding.New("nginx-weak-tls")
	f.Detail = fmt.Sprintf("ssl_protocols enables %s; these protocols have known weaknesses, and before TLS 1.3 the client certificate travels unencrypted in the handshake.", strings.Join(weak, ", "))
	f.SeverityReason = "Deprecated protocol versions are offered (RFC 8996 forbids TLS 1.0 and 1.1)."
	f.Remediation = "ssl_protocols TLSv1.2 TLSv1.3;\n"
	c.emit(f, d, "")
}
