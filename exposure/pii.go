package exposure

import (
	"bytes"
	"strings"
)

// Personal data detectors. Scores follow the Presidio recipe (anchors §5):
// structure alone is weak, a checksum or a context word lifts it.

func piiDetectors() []*detector {
	return []*detector{
		{id: "email", label: "email address", plural: "email addresses", kind: PII, priority: 50, conf: 0.9,
			keywords: []string{"@"}, find: findEmails},
		{id: "phone", label: "phone number", kind: PII, priority: 40, conf: 0.8,
			keywords: phoneWords, find: findPhones},
		{id: "us-ssn", label: "US social security number", kind: PII, priority: 65, conf: 0.85,
			keywords: ssnWords, find: findSSNs},
		// Payment cards, IBANs and bare E.164 numbers have no keyword; one
		// digit-run pass finds their candidates.
		{id: "payment-card", label: "payment card number", kind: PII, priority: 60, conf: 0.9, find: findDigitRuns},
		{id: "iban", label: "IBAN", kind: PII, priority: 62, conf: 0.95},
	}
}

// ---- email

// Domains reserved for documentation and tests (RFC 2606, RFC 6761) and
// hosts whose "user@host" is an SSH login, not a person.
var emailPlaceholderDomains = []string{"gserviceaccount.com", "example.com", "example.org", "example.net", "example", "test", "invalid", "localhost", "local", "domain.com", "email.com", "yourdomain.com", "company.com"}

var fileExtTLDs = map[string]bool{"png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true, "webp": true, "css": true, "js": true, "ico": true, "avif": true, "map": true, "json": true, "html": true, "txt": true, "py": true, "go": true, "po": true}

// gTLDs lists the generic top-level domains with three or more letters that
// mail is sent to: the legacy ones and the common newer ones. Two-letter
// country codes are all accepted. A longer "TLD" outside the list is, in
// practice, a file name ("ca@valencia.po", "backup@daily.timer"), a
// qualified name ("z@Command.handle") or an internal host; it still counts
// under an email key, where the context already says what it is.
var gTLDs = map[string]bool{}

func init() {
	for _, t := range strings.Fields(`com org net edu gov mil int info biz name pro aero coop museum mobi asia tel travel jobs cat
		app dev page cloud tech online site xyz top club shop store email design blog agency digital solutions services
		systems network software company team works studio media news live life world today space website host link one
		zone global group center science academy technology bank insurance health care energy art music games fun guru
		ninja rocks social chat icu vip work ltd inc llc berlin london nyc paris tokyo amsterdam wien hamburg koeln bayern
		scot wales eus gal swiss africa google microsoft amazon apple consulting training events photography photos
		expert email engineering institute university school education foundation capital finance financial money
		legal law lawyer dental clinic hospital doctor church community family house homes city land earth pub bar cafe
		restaurant pizza coffee wine beer travel tours marketing business partners ventures management industries
		international run red blue pink black green gold plus best cool win moe uno ovh mail`) {
		gTLDs[t] = true
	}
}

func knownTLD(t string) bool { return len(t) == 2 || gTLDs[t] }

func allLower(b []byte) bool {
	for _, c := range b {
		if isUpper(c) {
			return false
		}
	}
	return true
}

func allUpper(b []byte) bool {
	for _, c := range b {
		if c >= 'a' && c <= 'z' {
			return false
		}
	}
	return true
}

func isLocalChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func findEmails(data []byte, hits []hit, emit func(Match)) {
	for _, h := range hits {
		at := h.start
		s := at
		for s > 0 && at-s < 64 && isLocalChar(data[s-1]) {
			s--
		}
		// A JSON or C escape glued to the address ("\nalice@..",
		// "\u0000z@..") is not part of the local part.
		escaped := false
		if s > 0 && data[s-1] == '\\' {
			switch {
			case at-s > 5 && data[s] == 'u' && isHex(data[s+1]) && isHex(data[s+2]) && isHex(data[s+3]) && isHex(data[s+4]):
				s += 5
				escaped = true
			case data[s] == 'n' || data[s] == 'r' || data[s] == 't':
				s++
				escaped = true
			}
		}
		if s == at || data[s] == '.' || data[at-1] == '.' || data[s] == '-' {
			continue
		}
		// Bytes right before the address that no text has (NUL, other
		// controls) mean compiled code or a binary format.
		if s > 0 && (data[s-1] < 0x20 && data[s-1] != '\t' && data[s-1] != '\n' && data[s-1] != '\r' || data[s-1] == 0x7f) {
			continue
		}
		// An overlong or glued local part is not an address ("...abc@2x").
		if s > 0 && !escaped && (isLocalChar(data[s-1]) || data[s-1] == '/' && s > 1 && data[s-2] == '/' ||
			data[s-1] == ':' && !(s >= 7 && strings.EqualFold(string(data[s-7:s-1]), "mailto"))) {
			continue
		}
		e := at + 1
		lastDot := -1
		for e < len(data) && e-at < 255 && (isAlnum(data[e]) || data[e] == '-' || data[e] == '.') {
			if data[e] == '.' {
				if data[e-1] == '.' || data[e-1] == '@' {
					break
				}
				lastDot = e
			}
			e++
		}
		for e > at+1 && (data[e-1] == '.' || data[e-1] == '-') {
			e--
		}
		if lastDot < 0 || lastDot >= e-2 {
			continue
		}
		tld := toLower(data[lastDot+1 : e])
		if len(tld) < 2 || len(tld) > 24 || fileExtTLDs[tld] {
			continue
		}
		// DNS is case-insensitive but people write a top-level domain in
		// one case: "insteadOf" or "Version" is a code identifier.
		if rawTLD := data[lastDot+1 : e]; !allLower(rawTLD) && !allUpper(rawTLD) {
			continue
		}
		emailKey := hasToken(keyTokens(keyBefore(data, s)), "email", "mail", "e")
		if len(tld) > 2 && !knownTLD(tld) && !emailKey {
			continue
		}
		ok := true
		for i := 0; i < len(tld); i++ {
			if !isLetter(tld[i]) {
				ok = false
				break
			}
		}
		if !ok || (e < len(data) && (data[e] == '@' || isAlnum(data[e]))) {
			continue
		}
		domain := toLower(data[at+1 : e])
		if placeholderDomain(domain) {
			continue
		}
		local := toLower(data[s:at])
		if local == "git" || strings.HasSuffix(domain, "noreply.github.com") {
			continue
		}
		conf := 0.9
		if emailKey {
			conf = 0.99
		}
		emit(Match{Start: s, End: e, Key: keyBefore(data, s), Confidence: conf})
	}
}

func placeholderDomain(d string) bool {
	for _, p := range emailPlaceholderDomains {
		if d == p || strings.HasSuffix(d, "."+p) {
			return true
		}
	}
	return false
}

// ---- phone

var phoneWords = []string{"phone", "mobile", "tel", "cell", "fax", "msisdn", "whatsapp", "telefon", "telefono"}

var phoneTokens = map[string]bool{"phone": true, "phones": true, "telephone": true, "tel": true, "mobile": true, "cell": true,
	"cellphone": true, "fax": true, "msisdn": true, "whatsapp": true, "phonenumber": true, "mobilephone": true,
	"telefon": true, "telefono": true, "homephone": true, "workphone": true}

func findPhones(data []byte, hits []hit, emit func(Match)) {
	last := -1
	for _, h := range hits {
		if h.start < last {
			continue
		}
		// The keyword must be a whole word of an identifier ("hotel" is not).
		s, e := h.start, h.end
		for s > 0 && isLetter(data[s-1]) && !(isUpper(data[s]) && !isUpper(data[s-1])) {
			s--
		}
		for e < len(data) && isLetter(data[e]) && !(isUpper(data[e]) && !isUpper(data[e-1])) {
			e++
		}
		if !phoneTokens[toLower(data[s:e])] {
			continue
		}
		_, ie := identAround(data, h.start, h.end)
		key := string(data[s:ie])
		// Skip punctuation and a few label words up to the number.
		i := ie
		for i < len(data) && i-ie < 40 && !isDigit(data[i]) && data[i] != '+' && data[i] != '(' && data[i] != '\n' && data[i] != '<' && data[i] != '{' && data[i] != '[' {
			i++
		}
		if i >= len(data) || i-ie >= 40 {
			continue
		}
		if ps, pe, ok := phoneAt(data, i); ok {
			emit(Match{Start: ps, End: pe, Key: key})
			last = pe
		}
	}
}

// phoneAt parses a phone number starting at i: an optional +, then 7 to 15
// digits in groups separated by single spaces, dots, dashes or parentheses.
func phoneAt(data []byte, i int) (int, int, bool) {
	s := i
	if data[i] == '+' {
		i++
	}
	digits, glen := 0, 0
	var groupLens []int
	for i < len(data) {
		c := data[i]
		switch {
		case isDigit(c):
			digits++
			glen++
			i++
			continue
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
			if glen > 0 {
				groupLens = append(groupLens, glen)
				glen = 0
			}
			// Separator only if a digit (or paren) follows shortly.
			j := i + 1
			if j < len(data) && (data[j] == ' ' || data[j] == '(') {
				j++
			}
			if j < len(data) && isDigit(data[j]) {
				i = j
				continue
			}
		}
		break
	}
	if glen > 0 {
		groupLens = append(groupLens, glen)
	}
	e := i
	for e > s && !isDigit(data[e-1]) {
		e--
	}
	if digits < 7 || digits > 15 || !boundaryBefore(data, s, "_.") || !boundaryAfter(data, e, "_") {
		return 0, 0, false
	}
	if e < len(data) && (data[e] == '.' || data[e] == ':') && e+1 < len(data) && isDigit(data[e+1]) {
		return 0, 0, false
	}
	// Fillers ("000-000-0000", "1111111") are not numbers anyone has.
	if oneDigit(data[s:e]) {
		return 0, 0, false
	}
	// Dates and times (2024-05-01, 12.05.2024) are not phone numbers.
	if len(groupLens) == 3 && (groupLens[0] == 4 && groupLens[1] == 2 && groupLens[2] == 2 ||
		groupLens[0] == 2 && groupLens[1] == 2 && groupLens[2] == 4) {
		return 0, 0, false
	}
	return s, e, true
}

// ---- US social security numbers

var ssnWords = []string{"ssn", "social security", "social_security", "socialsecurity", "soc sec", "tax id", "taxpayer", "tax_id", "itin"}

// Sample numbers that appear in documentation and ads (anchors §5).
var ssnSamples = map[string]bool{"078051120": true, "219099999": true, "123456789": true, "457555462": true}

func findSSNs(data []byte, hits []hit, emit func(Match)) {
	last := -1
	for _, h := range hits {
		// "ssn" must not be a fragment of a longer word ("lessons").
		if isLetter(lowerAt(data, h.start-1)) && !isUpper(data[h.start]) || isLetter(lowerAt(data, h.end)) && lowerAt(data, h.end) != 's' && !isUpper(at(data, h.end)) {
			continue
		}
		_, ie := identAround(data, h.start, h.end)
		key := string(data[h.start:ie])
		// The context word may also follow the number ("512-44-7781 (SSN)",
		// "... is her social security number"): Purview counts keywords on
		// either side. Only the nearest number before the word, and only a
		// short way back, so a word does not adopt a number from an
		// unrelated sentence.
		if s, e, ok := ssnBefore(data, h.start, last); ok {
			emit(Match{Start: s, End: e, Key: key, Confidence: 0.8})
			last = e
		}
		lim := min(len(data), ie+300)
		for i := max(ie, last); i < lim; i++ {
			if !isDigit(data[i]) || !boundaryBefore(data, i, "_.-") {
				continue
			}
			s, e, digits, ok := ssnAt(data, i)
			if ok && validSSN(digits) {
				emit(Match{Start: s, End: e, Key: key})
				last = e
				break
			}
			for i < lim && isDigit(data[i]) {
				i++
			}
		}
	}
}

// ssnBefore finds a valid SSN ending at most ssnAfterWindow bytes before
// the hotword at hs (at most 16 for nine bare digits), with no other digit
// in between.
func ssnBefore(data []byte, hs, last int) (int, int, bool) {
	const ssnAfterWindow = 48
	j := hs
	for j > 0 && hs-j < ssnAfterWindow && !isDigit(data[j-1]) {
		if data[j-1] == '\n' || data[j-1] == '{' || data[j-1] == '}' || data[j-1] == ']' {
			return 0, 0, false
		}
		j--
	}
	if j == 0 || !isDigit(data[j-1]) {
		return 0, 0, false
	}
	for _, n := range []int{11, 9} {
		s := j - n
		if s < 0 || s < last || !boundaryBefore(data, s, "_.-") {
			continue
		}
		b, e, d, ok := ssnAt(data, s)
		if !ok || e != j || !validSSN(d) || n == 9 && hs-e > 16 {
			continue
		}
		return b, e, true
	}
	return 0, 0, false
}

func at(data []byte, i int) byte {
	if i < 0 || i >= len(data) {
		return 0
	}
	return data[i]
}

func lowerAt(data []byte, i int) byte { return lower(at(data, i)) }

// ssnAt parses ddd-dd-dddd (one consistent delimiter: dash, space or dot) or
// nine bare digits.
func ssnAt(data []byte, i int) (int, int, string, bool) {
	if i+9 > len(data) {
		return 0, 0, "", false
	}
	dig := func(a, n int) bool {
		if a+n > len(data) {
			return false
		}
		for k := a; k < a+n; k++ {
			if !isDigit(data[k]) {
				return false
			}
		}
		return true
	}
	var e int
	var d string
	switch {
	case dig(i, 9):
		e = i + 9
		d = string(data[i:e])
	case dig(i, 3) && i+11 <= len(data) && (data[i+3] == '-' || data[i+3] == ' ' || data[i+3] == '.') &&
		dig(i+4, 2) && data[i+6] == data[i+3] && dig(i+7, 4):
		e = i + 11
		d = string(data[i:i+3]) + string(data[i+4:i+6]) + string(data[i+7:i+11])
	default:
		return 0, 0, "", false
	}
	if !boundaryAfter(data, e, "_") || (e < len(data) && (data[e] == '-' || data[e] == '.') && isDigit(at(data, e+1))) {
		return 0, 0, "", false
	}
	return i, e, d, true
}

func validSSN(d string) bool {
	if len(d) != 9 || ssnSamples[d] {
		return false
	}
	area, group, serial := d[:3], d[3:5], d[5:]
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return false
	}
	if strings.Count(d, d[:1]) == 9 || strings.HasPrefix(d, "98765432") {
		return false
	}
	return true
}

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
		if (c == '.' || c == ',' || c == '-' || c == ':' || c == '/') && isDigit(at(data, j+1)) {
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
