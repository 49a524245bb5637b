package exposure

import (
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
