package corscheck

import (
	"fmt"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// unsendableEchoes lists the probes of class c that no browser can send but the server
// echoed in Access-Control-Allow-Origin.
func (s *session) unsendableEchoes(c Class) []string {
	var out []string
	for _, r := range s.results {
		if r.Class == c && r.Unsendable && r.ok() && r.echoed && !s.reflectAll() {
			out = append(out, r.Origin)
		}
	}
	return out
}

// unsendableOnly reports an allowlist whose only accepted probes of a class are origins no
// browser can send (https://127x0.0.1): nothing is readable, but the check is as loose as the
// rule says, and the next host name it is applied to may give a sendable bypass. Info only.
func unsendableOnly(s *session, rule finding.Rule, loose []string) []hit {
	if len(loose) == 0 {
		return nil
	}
	proof := s.byOrigin[loose[0]]
	f := s.newFinding(rule, proof, fmt.Sprintf(
		"The server echoes Origin %s in Access-Control-Allow-Origin, but no browser can send it: the URL standard's host parser reads a host whose last label is a number as an IPv4 address and rejects %s, so no page has that origin and nothing is readable.",
		strings.Join(loose, ", "), strings.TrimPrefix(strings.TrimPrefix(loose[0], "https://"), "http://")))
	f.SetSeverity(finding.Info, "No browser can send this origin, so no page reads the response; the allowlist check is loose all the same (the same pattern applied to a host name gives a bypass a browser can use).")
	return []hit{{f: f, key: "unsendable"}}
}
