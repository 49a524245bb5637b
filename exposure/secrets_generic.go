package exposure

import "strings"

// ---- generic secrets by key name

var genericWords = []string{"password", "passwd", "pwd", "pass", "secret", "token", "apikey", "api_key", "api-key",
	"access_key", "accesskey", "private_key", "privatekey", "auth", "credential", "creds", "passphrase"}

var secretTokens = map[string]string{"password": "password", "passwd": "password", "pwd": "password", "pass": "password",
	"passphrase": "password", "pw": "password", "secret": "secret", "token": "secret", "apikey": "secret", "auth": "secret",
	"authorization": "secret", "credential": "secret", "credentials": "secret", "creds": "secret", "privatekey": "secret",
	"accesstoken": "secret", "authtoken": "secret", "secretkey": "secret", "accesskey": "secret", "clientsecret": "secret",
	"refreshtoken": "secret", "sessiontoken": "secret", "bearer": "secret"}

// Key words that describe a property of the secret, not the secret.
var notSecretTokens = map[string]bool{"type": true, "types": true, "expires": true, "expiry": true, "expiration": true,
	"exp": true, "ttl": true, "url": true, "uri": true, "endpoint": true, "path": true, "length": true, "len": true,
	"count": true, "min": true, "max": true, "policy": true, "hint": true, "field": true, "label": true, "required": true,
	"prefix": true, "header": true, "name": true, "id": true, "format": true, "csrf": true, "xsrf": true, "public": true,
	"publishable": true, "pub": true, "limit": true, "usage": true, "enabled": true, "page": true, "next": true,
	"cursor": true, "continuation": true, "sync": true, "etag": true, "file": true, "version": true, "algorithm": true,
	"alg": true, "method": true, "mode": true, "scheme": true, "scope": true, "scopes": true, "provider": true,
	"changed": true, "updated": true, "created": true, "last": true, "at": true, "date": true, "reset_url": true,
	"strength": true, "valid": true, "invalid": true, "error": true, "errors": true, "message": true, "help": true,
	"text": true, "placeholder": true, "size": true, "location": true, "dir": true, "env": true, "var": true, "display": true,
	"masked": true, "hash": false, "set": true, "is": true, "has": true, "show": true, "login": true, "user": false,
	"level": true, "status": true, "state": true, "kind": true, "fingerprint": true}

func findGeneric(data []byte, hits []hit, emit func(Match)) {
	last := -1
	for _, h := range hits {
		if h.start < last {
			continue
		}
		is, ie := identAround(data, h.start, h.end)
		// "password" also hits "pass": one look per identifier.
		last = ie
		if ie-is > 64 {
			continue
		}
		key := string(data[is:ie])
		quoted := is > 0 && (data[is-1] == '"' || data[is-1] == '\'')
		kind, ok := genericKeyKind(key, quoted)
		if !ok {
			continue
		}
		vs, ve, ok := assignedValue(data, ie, false)
		if !ok {
			continue
		}
		quotedValue := quotedAt(data, vs)
		if !quotedValue {
			ve = cutEscape(data, vs, ve)
		}
		// Authorization: Bearer <token> / Basic <b64>.
		v := string(data[vs:ve])
		if lv := strings.ToLower(v); lv == "bearer" || lv == "basic" || lv == "token" {
			j := ve
			if j < len(data) && data[j] == ' ' {
				j++
				k := j
				for k < len(data) && data[k] > ' ' && data[k] != '"' && data[k] != '\'' && data[k] != ',' && data[k] != '<' {
					k++
				}
				vs, ve = j, cutEscape(data, j, k)
				v = string(data[vs:ve])
				kind = "secret"
			}
		}
		if identifierValue(v, quotedValue) && !envAssignment(data, is, ie, ve) {
			continue
		}
		conf, ok := genericValueOK(v, kind)
		if !ok {
			continue
		}
		label := "secret"
		if kind == "password" {
			label = "password"
		}
		emit(Match{Start: vs, End: ve, Key: key, Label: label, Confidence: conf})
		last = ve
	}
}

// ambiguousWords are credential words that are also ordinary words or
// commands ("--- PASS:", "pwd := dir", "auth check"); alone, they count only
// as a quoted key.
var ambiguousWords = map[string]bool{"pass": true, "pwd": true, "auth": true}

// genericKeyKind classifies an identifier as a password key, a secret key,
// or neither. The credential word must be one of the last two words
// ("db_password", "access_token_secret"), so "passFlagToTest" or
// "token_type" do not count.
func genericKeyKind(key string, quoted bool) (string, bool) {
	toks := keyTokens(key)
	kind := ""
	for i, t := range toks {
		if notSecretTokens[t] {
			return "", false
		}
		k := secretTokens[t]
		if k == "" && i+1 < len(toks) {
			k = secretTokens[t+toks[i+1]]
			if t == "api" && toks[i+1] == "key" || t == "private" && toks[i+1] == "key" || t == "access" && toks[i+1] == "key" {
				k = "secret"
			}
		}
		if k == "" || i < len(toks)-2 {
			continue
		}
		if len(toks) == 1 && ambiguousWords[t] && !quoted {
			return "", false
		}
		if kind == "" || k == "password" {
			kind = k
		}
	}
	return kind, kind != ""
}

// codeExpression reports dotted identifiers and calls (a.Package.Dir,
// settings.SECRET, os.getenv), which are references in source code.
func codeExpression(v string) bool {
	if !strings.Contains(v, ".") {
		return false
	}
	for _, part := range strings.Split(strings.TrimSuffix(v, "()"), ".") {
		if part == "" || !(isLetter(part[0]) || part[0] == '_') {
			return false
		}
		for i := 0; i < len(part); i++ {
			if !(isAlnum(part[i]) || part[i] == '_') {
				return false
			}
		}
		for i := 0; i < len(part); i++ {
			if isDigit(part[i]) {
				return false
			}
		}
	}
	return true
}

var commonNonSecrets = map[string]bool{"true": true, "false": true, "null": true, "none": true, "nil": true, "undefined": true,
	"string": true, "password": true, "secret": true, "token": true, "required": true, "optional": true, "hidden": true,
	"bearer": true, "basic": true, "enabled": true, "disabled": true, "yes": true, "no": true, "on": true, "off": true,
	"empty": true, "invalid": true, "text": true, "test": true, "testing": true, "default": true, "unknown": true, "n/a": true}

// genericValueOK applies the value rules: length, charset, entropy and the
// placeholder list (anchors §8.4).
func genericValueOK(v, kind string) (float64, bool) {
	lv := strings.ToLower(v)
	if len(v) < 6 || len(v) > 256 || commonNonSecrets[lv] || placeholder(v) || reference(v) && !strings.HasPrefix(v, "$2") && !strings.HasPrefix(v, "$argon") {
		return 0, false
	}
	if strings.HasPrefix(lv, "http://") || strings.HasPrefix(lv, "https://") || strings.HasPrefix(v, "/") ||
		strings.HasPrefix(lv, "file:") || strings.HasPrefix(lv, "env:") || strings.HasPrefix(lv, "os.") {
		return 0, false
	}
	var up, lo, dg, other, space int
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isUpper(c):
			up++
		case c >= 'a' && c <= 'z':
			lo++
		case isDigit(c):
			dg++
		case c == ' ':
			space++
		default:
			other++
		}
	}
	if space > 0 || codeExpression(v) || lo == 0 && dg == 0 && strings.Contains(v, "_") { // CONSTANT_NAME
		return 0, false
	}
	if dg == len(v) { // counts, ids, timestamps
		return 0, false
	}
	classes := 0
	for _, n := range []int{up, lo, dg, other} {
		if n > 0 {
			classes++
		}
	}
	h := entropy(v)
	if kind == "password" {
		if distinct(v) < 5 || classes < 2 && len(v) < 12 {
			return 0, false
		}
		return 0.8, true
	}
	// Tokens: long, varied, and not an identifier made of words.
	if len(v) < 12 || classes < 2 || h < 3.0 {
		return 0, false
	}
	if dg == 0 && other > 0 && up == 0 { // snake_case / kebab-case words
		return 0, false
	}
	if h < 3.5 {
		return 0.6, true
	}
	return 0.8, true
}

// quotedAt reports a value that starts right after a quote.
func quotedAt(data []byte, vs int) bool {
	q := at(data, vs-1)
	return q == '"' || q == '\'' || q == '`'
}

// cutEscape ends an unquoted value at a backslash escape: in a JSON string
// or a source literal, "Basic dXNlcjpwdw==\r\n" carries the line end
// escaped, and it is not part of the credential.
func cutEscape(data []byte, vs, ve int) int {
	for i := vs; i+1 < ve; i++ {
		if data[i] == '\\' && strings.IndexByte(`nrtux"'\/`, data[i+1]) >= 0 {
			return i
		}
	}
	return ve
}

// envAssignment reports a line of an env file, KEY=value with nothing around
// it ("DB_PASSWORD=SuperSecret"): no code reads like that, so a value shaped
// like an identifier is still the credential.
func envAssignment(data []byte, is, ie, ve int) bool {
	ls := is
	if ls >= 7 && string(data[ls-7:ls]) == "export " {
		ls -= 7
	}
	if ls > 0 && data[ls-1] != '\n' || at(data, ie) != '=' {
		return false
	}
	c := at(data, ve)
	return ve >= len(data) || c == '\n' || c == '\r'
}

// credentialNameWords are the words that make an identifier the name of a
// credential rather than the credential.
var credentialNameWords = []string{"password", "passwd", "pass", "pwd", "secret", "secrets", "token", "tokens", "key", "keys",
	"credential", "credentials", "cert", "certs", "auth", "private", "apikey", "privatekey"}

// identifierValue reports a value that names something in code instead of
// being a credential: "PrivateKey: testRSAPrivateKey", "self._password =
// raw_password", "ClientAuth = RequireAndVerifyClientCert", composite
// literals ("Bug4Secret{1}"), header-name constants
// ("X-Fake-Connection-Token"), and unquoted PascalCase words after a
// test-runner "PASS:".
func identifierValue(v string, quoted bool) bool {
	if !quoted && strings.ContainsAny(v, "{}") {
		return true
	}
	digits, ident, camel, under := false, true, false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isDigit(c):
			digits = true
		case isLetter(c):
			if i > 0 && isUpper(c) && (v[i-1] >= 'a' && v[i-1] <= 'z' || isDigit(v[i-1])) {
				camel = true
			}
		case c == '_' || c == '-' && quoted:
			under = true
		default:
			ident = false
		}
	}
	if !ident || v == "" || isDigit(v[0]) {
		return false
	}
	named := hasToken(keyTokens(v), credentialNameWords...)
	if quoted {
		// A quoted string of words naming a credential, without a digit:
		// a header name, a field name, a map key repeated as its value.
		return named && !digits && (under || camel)
	}
	if named && (camel || under || !digits) {
		return true
	}
	// An unquoted camelCase or PascalCase word: a constant or a type.
	return camel && !digits && !under
}
