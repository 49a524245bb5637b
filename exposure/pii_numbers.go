package exposure

import (
	"bytes"
	"strings"
)

// ---- payment cards, IBANs and bare E.164 phone numbers

func findDigitRuns(data []byte, _ []hit, emit func(Match)) {
	n := len(data)
	for i := 0; i < n; i++ {
		c := data[i]
		if c < '0' || c > '9' {
			continue
		}
		// Start of a digit run.
		if i > 0 {
			p := data[i-1]
			if isUpper(p) && i >= 2 && isUpper(data[i-2]) {
				if m, ok := ibanAt(data, i-2); ok {
					emit(m)
					i = m.End
					continue
				}
			}
			if p == '+' {
				if s, e, ok := e164At(data, i-1); ok && e164Context(data, s, e) {
					emit(Match{Detector: "phone", Start: s, End: e, Confidence: 0.7})
					i = e
					continue
				}
				if s, e, ok := intlPhoneAt(data, i-1); ok {
					emit(Match{Detector: "phone", Start: s, End: e, Confidence: 0.6})
					i = e
					continue
				}
			}
			if p == '(' && at(data, i+3) == ')' {
				if e, ok := nanpAt(data, i-1); ok {
					emit(Match{Detector: "phone", Start: i - 1, End: e, Confidence: 0.6})
					i = e
					continue
				}
			}
			if isAlnum(p) || p == '_' || p == '.' || p == '-' || p == '$' || p == '#' || p == '/' {
				for i < n && isDigit(data[i]) {
					i++
				}
				continue
			}
		}
		if e, ok := cardAt(data, i); ok {
			if conf := cardConfidence(data, i); conf > 0 && !numericList(data, i, e) && !binaryAround(data, i, e) &&
				(conf >= 0.99 || e-i >= 14 && e-i <= 16 || e-i > 16 && bytes.ContainsAny(data[i:e], " -")) {
				emit(Match{Start: i, End: e, Key: keyBefore(data, i), Confidence: conf})
			}
			i = e
			continue
		}
		// Checked before the call: almost no digit run is followed by a
		// separator after exactly three digits.
		if c := at(data, i+3); c == '-' || c == '.' {
			if e, ok := nanpAt(data, i); ok {
				emit(Match{Detector: "phone", Start: i, End: e, Confidence: 0.6})
				i = e
				continue
			}
		}
		for i < n && isDigit(data[i]) {
			i++
		}
	}
}

// Phone numbers without a hotword. Only shapes that little else has are
// accepted (anchors §5: bare digit runs are everywhere): a North American
// number written "(NXX) NXX-XXXX" or "NXX-NXX-XXXX" / "NXX.NXX.XXXX"
// (N is 2-9: area codes and exchanges never start with 0 or 1), and an
// international number written "+CC" followed by at least two more groups.

// nanpAt parses a grouped North American number at i.
func nanpAt(data []byte, i int) (int, bool) {
	if !boundaryBefore(data, i, "_.-+/$#") {
		return 0, false
	}
	digits := func(a, n int) bool { return digitsAt(data, a, n) }
	j := i
	if data[j] == '(' {
		if !digits(j+1, 3) || at(data, j+4) != ')' {
			return 0, false
		}
		j += 5
		if at(data, j) == ' ' {
			j++
		}
		if !digits(j, 3) || at(data, j+3) != '-' && at(data, j+3) != '.' && at(data, j+3) != ' ' || !digits(j+4, 4) {
			return 0, false
		}
		if data[i+1] < '2' || data[j] < '2' {
			return 0, false
		}
		j += 8
	} else {
		sep := at(data, j+3)
		if !digits(j, 3) || sep != '-' && sep != '.' || !digits(j+4, 3) || at(data, j+7) != sep || !digits(j+8, 4) {
			return 0, false
		}
		if data[j] < '2' || data[j+4] < '2' {
			return 0, false
		}
		j += 12
	}
	if !boundaryAfter(data, j, "_") || oneDigit(data[i:j]) {
		return 0, false
	}
	if c := at(data, j); (c == '-' || c == '.' || c == '/') && isDigit(at(data, j+1)) {
		return 0, false
	}
	return j, true
}

// oneDigit reports a number written with a single repeated digit.
func oneDigit(b []byte) bool {
	var first byte
	for _, c := range b {
		if !isDigit(c) {
			continue
		}
		if first == 0 {
			first = c
		} else if c != first {
			return false
		}
	}
	return first != 0
}

func digitsAt(data []byte, a, n int) bool {
	if a < 0 || a+n > len(data) {
		return false
	}
	for k := a; k < a+n; k++ {
		if !isDigit(data[k]) {
			return false
		}
	}
	return true
}

// intlPhoneAt parses "+CC group group..." at plus: groups of digits
// separated by single spaces or dashes, 8 to 15 digits in all, at least
// three groups and one of three digits or more.
func intlPhoneAt(data []byte, plus int) (int, int, bool) {
	if !boundaryBefore(data, plus, "_.+") || !isDigit(at(data, plus+1)) || data[plus+1] == '0' {
		return 0, 0, false
	}
	i := plus + 1
	groups, digits, longest, glen := 0, 0, 0, 0
	var sep byte
	for i < len(data) {
		c := data[i]
		if isDigit(c) {
			digits++
			glen++
			i++
			continue
		}
		if (c == ' ' || c == '-') && glen > 0 && isDigit(at(data, i+1)) && (sep == 0 || c == sep) {
			if groups == 0 && glen > 3 { // country codes have 1 to 3 digits
				return 0, 0, false
			}
			sep = c
			groups++
			longest = max(longest, glen)
			glen = 0
			i++
			continue
		}
		break
	}
	groups++
	longest = max(longest, glen)
	if groups < 3 || digits < 8 || digits > 15 || longest < 3 || !boundaryAfter(data, i, "_") || oneDigit(data[plus:i]) {
		return 0, 0, false
	}
	if c := at(data, i); (c == '.' || c == ':' || c == ',' || c == '/') && isDigit(at(data, i+1)) {
		return 0, 0, false
	}
	return plus, i, true
}

// cardAt parses 13-19 digits starting at i, optionally grouped by one
// consistent single space or dash (4-4-4-4..., or 4-6-5 / 4-6-4), and checks
// the brand prefix and the Luhn sum.
func cardAt(data []byte, i int) (int, bool) {
	var digits [19]byte
	nd := 0
	var groups [8]int
	ng := 0
	sep := byte(0)
	j := i
	glen := 0
	for j < len(data) {
		c := data[j]
		if isDigit(c) {
			if nd == 19 {
				return 0, false
			}
			digits[nd] = c
			nd++
			glen++
			j++
			continue
		}
		if (c == ' ' || c == '-') && glen > 0 && j+1 < len(data) && isDigit(data[j+1]) && (sep == 0 || sep == c) {
			if ng == len(groups)-1 {
				return 0, false
			}
			sep = c
			groups[ng] = glen
			ng++
			glen = 0
			j++
			continue
		}
		break
	}
	groups[ng] = glen
	ng++
	if nd < 13 {
		return 0, false
	}
	// Reject a run glued to letters, a decimal part, an exponent or a
	// longer identifier (UUID segments, hex ids, version strings).
	if j < len(data) {
		c := data[j]
		if isAlnum(c) || c == '_' || c == '$' || c == '%' {
			return 0, false
		}
		// A decimal or thousands separator continues the number; a comma that closes a CSV
		// field (one a delimiter or the line start opened) does not: the next field follows.
		if (c == '.' || c == ',' || c == '-' || c == ':' || c == '/') && isDigit(at(data, j+1)) && !(c == ',' && csvFieldStart(data, i)) {
			return 0, false
		}
	}
	if ng > 1 {
		ok := true
		switch {
		case ng == 3 && groups[0] == 4 && groups[1] == 6 && (groups[2] == 5 || groups[2] == 4):
		default:
			for k := 0; k < ng-1; k++ {
				if groups[k] != 4 {
					ok = false
				}
			}
			if groups[ng-1] < 1 || groups[ng-1] > 4 {
				ok = false
			}
		}
		if !ok {
			return 0, false
		}
	}
	d := string(digits[:nd])
	if !cardBrand(d) || !luhn(d) || testCards[d] || strings.Count(d, d[:1]) == nd {
		return 0, false
	}
	return j, true
}

// csvFieldStart reports whether a value at i opens a comma-separated field: the line starts
// there or a comma (optionally a quote) comes right before it.
func csvFieldStart(data []byte, i int) bool {
	if i > 0 && data[i-1] == '"' {
		i--
	}
	return i == 0 || data[i-1] == ',' || data[i-1] == '\n'
}

// Card numbers published by payment processors for testing.
var testCards = map[string]bool{
	"4111111111111111": true, "4242424242424242": true, "4012888888881881": true, "4000056655665556": true,
	"5555555555554444": true, "5105105105105100": true, "2223003122003222": true, "5200828282828210": true,
	"378282246310005": true, "371449635398431": true, "378734493671000": true, "6011111111111117": true,
	"6011000990139424": true, "3530111333300000": true, "3566002020360505": true, "30569309025904": true,
	"38520000023237": true, "4222222222222": true, "6200000000000005": true, "4000000000000002": true,
	"4000000000009995": true, "4000000000000077": true,
}

func cardBrand(d string) bool {
	n := len(d)
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p3 := p2*10 + int(d[2]-'0')
	p4 := p3*10 + int(d[3]-'0')
	switch {
	case d[0] == '4':
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return n == 16
	case p2 == 34 || p2 == 37:
		return n == 15
	case p4 == 6011, p3 >= 644 && p3 <= 649, p2 == 65:
		return n >= 16 && n <= 19
	case p4 >= 3528 && p4 <= 3589:
		return n >= 16 && n <= 19
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38:
		return n >= 14 && n <= 19
	case p2 == 62:
		return n >= 16 && n <= 19
	case p2 == 50, p2 >= 56 && p2 <= 58, p4 == 6304, p4 == 6390, p2 == 67:
		return n >= 13 && n <= 19
	}
	return false
}

func luhn(d string) bool {
	sum := 0
	alt := false
	for i := len(d) - 1; i >= 0; i-- {
		x := int(d[i] - '0')
		if alt {
			x *= 2
			if x > 9 {
				x -= 9
			}
		}
		sum += x
		alt = !alt
	}
	return sum%10 == 0
}

// cardConfidence uses the JSON key, the best context there is (anchors §5):
// keys naming identifiers or codes veto the match, card keys confirm it.
func cardConfidence(data []byte, i int) float64 {
	toks := keyTokens(keyBefore(data, i))
	if hasToken(toks, "id", "ids", "uuid", "guid", "isbn", "ean", "gtin", "upc", "barcode", "order", "invoice", "ref",
		"reference", "timestamp", "ts", "time", "created", "updated", "phone", "mobile", "tel", "tracking", "serial",
		"sku", "nonce", "seq", "sequence", "count", "size", "bytes", "offset", "hash", "version", "msisdn", "account") {
		return 0
	}
	if hasToken(toks, "card", "pan", "cc", "ccnum", "cardnumber", "creditcard", "credit") {
		return 0.99
	}
	return 0.9
}

// binaryAround reports a candidate inside binary or digit-dense data
// (compressed streams, tables of constants), where a Luhn-valid run is
// chance. Unusual lengths (13, 17-19 digits) need a card key or grouping,
// checked by the caller.
func binaryAround(data []byte, s, e int) bool {
	lo, hi := max(0, s-24), min(len(data), e+24)
	digits, high, n := 0, 0, 0
	for i := lo; i < hi; i++ {
		if i >= s && i < e {
			continue
		}
		c := data[i]
		if c == 0x7f || c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return true
		}
		if c >= 0x80 {
			high++
		}
		if isDigit(c) {
			digits++
		}
		n++
	}
	return n > 0 && (digits*10 > n*4 || high*4 > n)
}

// e164Context accepts a bare +number only as a whole quoted value or a
// tel: link; elsewhere "+5101231425" is as likely a version or an offset.
func e164Context(data []byte, s, e int) bool {
	if s >= 4 && strings.EqualFold(string(data[s-4:s]), "tel:") {
		return true
	}
	q := at(data, s-1)
	return (q == '"' || q == '\'') && at(data, e) == q
}

// numericList reports a digit run whose neighbours are long numbers too
// (arrays of ids, columns of figures): a card number does not come in a
// list of other unquoted numbers.
func numericList(data []byte, s, e int) bool {
	neighbour := func(i, step int) bool {
		for k := 0; k < 4 && i >= 0 && i < len(data); k++ {
			c := data[i]
			if c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r' || c == '[' || c == ']' || c == ';' {
				i += step
				continue
			}
			break
		}
		n := 0
		for i >= 0 && i < len(data) && (isDigit(data[i]) || data[i] == '.' || data[i] == '-') && n < 40 {
			if isDigit(data[i]) {
				n++
			}
			i += step
		}
		return n >= 6
	}
	return neighbour(s-1, -1) || neighbour(e, 1)
}

func e164At(data []byte, plus int) (int, int, bool) {
	if !boundaryBefore(data, plus, "_.+") {
		return 0, 0, false
	}
	i := plus + 1
	if data[i] == '0' {
		return 0, 0, false
	}
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	n := i - plus - 1
	if n < 10 || n > 15 || !boundaryAfter(data, i, "_.-") {
		return 0, 0, false
	}
	return plus, i, true
}

// ibanLengths is the IBAN length per country (SWIFT IBAN registry).
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "ES": 24, "FI": 18,
	"FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
	"IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20,
	"LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
	"NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24,
	"SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}

// ibanAt parses an IBAN at s (country code, two check digits, BBAN), either
// compact or printed in groups of four separated by single spaces.
func ibanAt(data []byte, s int) (Match, bool) {
	if !boundaryBefore(data, s, "_") {
		return Match{}, false
	}
	want, ok := ibanLengths[string(data[s:s+2])]
	if !ok || s+4 > len(data) || !isDigit(at(data, s+2)) || !isDigit(at(data, s+3)) {
		return Match{}, false
	}
	var buf [34]byte
	n := 0
	j := s
	spaced := false
	for j < len(data) && n < want {
		c := data[j]
		if isDigit(c) || isUpper(c) {
			buf[n] = c
			n++
			j++
			continue
		}
		if c == ' ' && n%4 == 0 && n > 0 && j+1 < len(data) && isAlnum(data[j+1]) && (spaced || n == 4) {
			spaced = true
			j++
			continue
		}
		break
	}
	if n != want || !boundaryAfter(data, j, "_") {
		return Match{}, false
	}
	// Check digits are 02..98 by construction (ISO 13616).
	if cd := int(buf[2]-'0')*10 + int(buf[3]-'0'); cd < 2 || cd > 98 || !mod97(buf[:n]) {
		return Match{}, false
	}
	return Match{Detector: "iban", Start: s, End: j, Key: keyBefore(data, s), Confidence: 0.95}, true
}

func mod97(iban []byte) bool {
	rem := 0
	add := func(c byte) {
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		}
	}
	for _, c := range iban[4:] {
		add(c)
	}
	for _, c := range iban[:4] {
		add(c)
	}
	return rem == 1
}
