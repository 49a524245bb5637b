package remedy

import (
	"strings"
	"testing"
)

// Each single fix is a piece of the whole configuration the e2e suite runs against nginx, as
// printed (same lines, in order, at the same or a deeper block).
func TestNginxPiecesAreInMTLSNginx(t *testing.T) {
	whole := MTLSNginx()
	for name, piece := range map[string]string{
		"NginxVerifyGate":          NginxVerifyGate(),
		"NginxTLSProtocols":        NginxTLSProtocols(),
		"NginxNoUnderscoreHeaders": NginxNoUnderscoreHeaders(),
	} {
		if !strings.HasSuffix(piece, "\n") {
			t.Errorf("%s does not end in a newline", name)
		}
		if !strings.Contains(whole, piece) && !strings.Contains(whole, indent(piece, "    ")) {
			t.Errorf("%s is not part of MTLSNginx():\n%s", name, piece)
		}
	}
}

func indent(s, by string) string {
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	return by + strings.Join(lines, by) + "\n"
}
