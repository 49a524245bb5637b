package endpoint

import "github.com/crossgate/crossgate/internal/prose"

// Confirm is set on a further endpoint of an origin whose learned answers (authentication,
// and the CORS answers to its own, the trusted, an arbitrary and the null origin) match an
// endpoint of the same origin already probed in full, the template. The families then send
// only what confirms the template's findings here: the probes that proved them. Probes that
// found nothing on the template are not repeated on an endpoint that answers the same way.
type Confirm struct {
	Template string // the template endpoint's URL, for the report
	// Rules are the rules the template reported.
	Rules map[string]bool
	// Origins are the Origin values whose answers proved the template's CORS findings.
	Origins []string
	// Preflight is set when one of the template's CORS findings rests on a preflight.
	Preflight bool
}

// Has reports whether the template reported rule.
func (c *Confirm) Has(rule string) bool { return c != nil && c.Rules[rule] }

// Token returns the random tag of the endpoint's probe names (mutated origins, missing paths):
// the origin's shared one when the scan set it, so that identical probes of two endpoints of
// one origin are answered once from the probe client's cache.
func (e *Env) Token(n int) string {
	if len(e.Rand) >= n {
		return e.Rand[:n]
	}
	return prose.RandHex(n)
}
