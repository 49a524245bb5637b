package exposure

import (
	"regexp"
	"strings"
)

// Known test values: card numbers payment processors publish for testing, social security
// numbers printed in advertisements and documentation, and addresses at the domains RFC 2606
// reserves for examples. The detectors do not count them as personal data (they prove no
// leak), but a report that shows one in its evidence must say what it is, so TestValues
// finds them for the caller to report as such.

var (
	testCardRun  = regexp.MustCompile(`(?:^|[^0-9A-Za-z])((?:\d[ -]?){12,18}\d)(?:$|[^0-9A-Za-z])`)
	testSSNRun   = regexp.MustCompile(`(?:^|[^0-9A-Za-z])(\d{3}[- ]\d{2}[- ]\d{4})(?:$|[^0-9A-Za-z])`)
	testEmailRun = regexp.MustCompile(`[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)*example\.(?:com|org|net)\b`)
)

// TestValues returns the known test values in data, each labelled like the detector it would
// match ("payment card number", "US social security number", "email address") with the Note
// "known test value".
func TestValues(data []byte) []Match {
	var out []Match
	add := func(det, label string, s, e int) {
		out = append(out, Match{Detector: det, Label: label, Kind: PII, Start: s, End: e, Value: string(data[s:e]), Confidence: 1, Note: "known test value"})
	}
	for _, m := range testCardRun.FindAllSubmatchIndex(data, -1) {
		if d := digitsOnly(data[m[2]:m[3]]); testCards[d] {
			add("payment-card", "payment card number", m[2], m[3])
		}
	}
	for _, m := range testSSNRun.FindAllSubmatchIndex(data, -1) {
		if d := digitsOnly(data[m[2]:m[3]]); ssnSamples[d] {
			add("us-ssn", "US social security number", m[2], m[3])
		}
	}
	for _, m := range testEmailRun.FindAllIndex(data, -1) {
		add("email", "email address", m[0], m[1])
	}
	return out
}

func digitsOnly(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= '0' && c <= '9' {
			sb.WriteByte(c)
		}
	}
	return sb.String()
}
