package report

import "github.com/crossgate/crossgate/finding"

// Grade rates one target from its findings, A (nothing above info) to F. A target is as
// exposed as its worst finding, and several findings one step below the worst combine
// (a reflected origin, a missing Vary and a permissive preflight on one endpoint make an
// attacker's page more reliable than each alone), so three of a kind count one step up:
//
//	F  a critical finding, or three or more high
//	D  a high finding, or three or more medium
//	C  a medium finding
//	B  low findings only
//	A  nothing above info
//
// The README's table states the same rule; a test keeps them in step.
func Grade(fs []finding.Finding) string {
	c := finding.Counts(fs)
	switch {
	case c["critical"] > 0 || c["high"] >= 3:
		return "F"
	case c["high"] > 0 || c["medium"] >= 3:
		return "D"
	case c["medium"] > 0:
		return "C"
	case c["low"] > 0:
		return "B"
	}
	return "A"
}
