package secrets

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// What is not a committed secret. Tried on public Django projects (docs/audit-triage.md),
// most secret-in-source noise came from a few classes: values that stand in for a secret
// (fixme, changeme, ${VAR}), files meant to be copied and filled in (.env.example), code
// nobody in the project wrote (minified bundles, vendored libraries, translation
// catalogues), test inputs and documentation examples that match only because of the name
// next to them, and the stock credentials of a local development database. Each such
// finding is kept, at info, with the reason in its notes: nothing is silently hidden, and
// none of them fails the default --fail-on.

// notSecretInput is what the classifier sees of one match.
type notSecretInput struct {
	rel      string // slash-separated path under the audited root
	detector string // exposure detector id
	value    string // the matched value, unmasked
	line     string // the whole source line holding the match
	at       int    // byte offset of the value in line
}

// nameOnly detectors recognise a secret by the name next to it, not by a format of its own:
// in tests, docs and templates the name is all they have, and there it names an input.
func nameOnly(detector string) bool { return shapeless[detector] }

// urlCredential detectors find user:password@host; their password is a value like any other.
var urlCredential = map[string]bool{"database-url": true, "basic-auth-url": true}

// maxCodeLine is the longest line a person writes; longer ones are generated or minified.
const maxCodeLine = 1000

// notASecret returns why a secret-in-source match is not a committed secret, or "" when
// it may be one. The first reason that applies wins; they are ordered from the file to the
// value.
func notASecret(in notSecretInput) string {
	valueTested := nameOnly(in.detector) || urlCredential[in.detector]
	if why := generatedOrForeign(in.rel, in.line); why != "" && nameOnly(in.detector) {
		return why
	}
	if why := templateFile(in.rel); why != "" && (valueTested || placeholderValue(in.value) != "") {
		return why
	}
	if valueTested {
		v := in.value
		if urlCredential[in.detector] {
			if why := localDefaultCredential(urlAround(in.line, in.at)); why != "" {
				return why
			}
		}
		if why := placeholderValue(v); why != "" {
			return why
		}
	}
	if !nameOnly(in.detector) {
		return ""
	}
	if why := notACredentialShape(in.rel, in.value); why != "" {
		return why
	}
	switch {
	case isTestPath(in.rel):
		return "test input: in test code a value next to a password-like name is an input to the test; keys with a recognisable format (PEM, JWT, cloud keys) stay at low there"
	case isDocFile(in.rel) || inDocsDir(in.rel):
		return "documentation example: in documentation a value next to a password-like name is an example; keys with a recognisable format stay at medium there"
	}
	return ""
}

// foreignDirs hold code the project did not write (the walk already skips vendor/ and
// node_modules/), or translations of its user interface.
var foreignDirs = map[string]string{
	"vendors": "vendored", "third_party": "vendored", "third-party": "vendored", "thirdparty": "vendored",
	"bower_components": "vendored", "jspm_packages": "vendored", "external": "vendored",
	"locale": "translation", "locales": "translation", "i18n": "translation", "l10n": "translation",
	"translations": "translation", "lang": "translation", "langs": "translation",
}

var translationExt = map[string]bool{".po": true, ".pot": true, ".xlf": true, ".xliff": true, ".mo": true}

// generatedOrForeign: minified files and source maps, lines no person wrote, vendored
// libraries and translation catalogues. A dictionary word list in a minified password
// strength library is not a password.
func generatedOrForeign(rel, line string) string {
	base := strings.ToLower(filepath.Base(rel))
	switch {
	case strings.Contains(base, ".min.") || strings.HasSuffix(base, "-min.js"):
		return "minified file: generated code, its strings are not the project's credentials"
	case strings.HasSuffix(base, ".map"):
		return "source map: generated from other files, its strings are not the project's credentials"
	case len(line) > maxCodeLine:
		return "a line of more than 1000 characters: generated or minified code, its strings are not the project's credentials"
	case translationExt[filepath.Ext(base)]:
		return "translation catalogue: the value is the translated label of a field, not a credential"
	}
	parts := strings.Split(strings.ToLower(rel), "/")
	for i, d := range parts[:len(parts)-1] {
		kind := foreignDirs[d]
		if d == "vendor" || d == "lib" && i > 0 && parts[i-1] == "static" {
			kind = "vendored"
		}
		switch kind {
		case "vendored":
			return "vendored library (" + d + "/): code the project did not write, its strings are not the project's credentials"
		case "translation":
			return "translation catalogue (" + d + "/): the value is the translated label of a field, not a credential"
		}
	}
	return ""
}

// templateParts are name parts that mark a file as a template to copy and fill in:
// .env.example, settings.py.template, config.py.prod.example, local.dist.
var templateParts = map[string]bool{
	"example": true, "examples": true, "sample": true, "template": true, "tmpl": true, "tpl": true,
	"dist": true, "skel": true,
}

// templateFile reports files meant to be copied and filled in.
func templateFile(rel string) string {
	base := strings.ToLower(filepath.Base(rel))
	parts := strings.Split(strings.TrimPrefix(base, "."), ".")
	if len(parts) < 2 {
		return ""
	}
	for _, p := range parts {
		if templateParts[p] {
			return "template file (" + filepath.Base(rel) + "): its values are meant to be replaced when it is copied"
		}
	}
	return ""
}

// placeholderMarks stand in for a value in templates and documentation.
var placeholderMarks = []string{
	"fixme", "changeme", "change_me", "change-me", "changethis", "replace", "your-", "your_", "yoursecret",
	"yourpass", "yoursuper", "placeholder", "dummy", "example", "sample", "xxx", "***", "todo", "redacted",
	"notsecret", "not-secret", "not_secret", "not-a-real", "not_a_real", "insert",
}

var (
	// <password>, <your token>, {{ secret }}, ${VAR}, $(command), %(name)s, `cmd`
	templated = regexp.MustCompile(`^<[^<>]*>$|\{\{|\}\}|\$\{|\$\(|%\([a-z_]+\)s|^` + "`")
	// "1/minute", "5/h", django-allauth's "1/m/ip,5/m/key": a rate limit next to a
	// password-reset key
	rateLimit = regexp.MustCompile(`(?i)^\d+/(s|sec|second|m|min|minute|h|hr|hour|d|day)s?(/[a-z]+)?(,\s*\d+/(s|sec|second|m|min|minute|h|hr|hour|d|day)s?(/[a-z]+)?)*$`)
	// what the value of a key named like a secret describes: "db-password", "adminpassword"
	selfNaming = regexp.MustCompile(`(?i)pass(word|wd)?$|^pass(word|wd)|secret$|^secret|token$`)
)

// placeholderValue reports values that stand in for a secret.
func placeholderValue(v string) string {
	v = strings.Trim(strings.TrimSpace(v), `"'`)
	lv := strings.ToLower(v)
	if v == "" {
		return "empty value"
	}
	for _, w := range placeholderMarks {
		if strings.Contains(lv, w) {
			return "placeholder value (contains " + strings.Trim(w, "-_") + "): it stands in for a secret to be supplied"
		}
	}
	if templated.MatchString(v) {
		return "placeholder value (a template or shell reference): the secret is supplied elsewhere"
	}
	if distinctRunes(v) <= 3 {
		return "placeholder value (at most three distinct characters): it stands in for a secret to be supplied"
	}
	if selfNaming.MatchString(strings.Trim(lv, "-_.")) && !hasDigit(v) {
		return "placeholder value (it names what it stands for): it stands in for a secret to be supplied"
	}
	return ""
}

// notACredentialShape: values that a name-based match picks up but that cannot be a
// credential: a rate limit, a GraphQL type, a file path, a single word.
func notACredentialShape(rel, v string) string {
	v = strings.Trim(strings.TrimSpace(v), `"'`)
	switch ext := strings.ToLower(filepath.Ext(rel)); {
	case rateLimit.MatchString(v):
		return "a rate limit, not a credential"
	case (ext == ".graphql" || ext == ".gql") && graphQLType.MatchString(v):
		return "a GraphQL type in a schema, not a credential"
	case strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") || strings.HasPrefix(v, "~/"):
		return "a file path, not a credential"
	case singleWord(v):
		return "a single word (a label or its translation), not a credential"
	}
	return ""
}

var graphQLType = regexp.MustCompile(`^\[?[A-Z][A-Za-z0-9_]*!?\]?!?$`)

// singleWord: letters only, with at most a leading capital ("Password", "Passwort",
// "Authentication", "Пароль"). Generated secrets mix cases and digits.
func singleWord(v string) bool {
	if v == "" {
		return false
	}
	for i, r := range []rune(v) {
		if !unicode.IsLetter(r) || i > 0 && unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// localDefaults are the passwords database and broker images ship with.
var localDefaults = map[string]bool{
	"guest": true, "postgres": true, "password": true, "root": true, "admin": true, "secret": true, "pass": true,
	"test": true, "mysql": true, "redis": true, "rabbitmq": true, "changeme": true,
}

// localDefaultCredential: scheme://user:pass@host where the host is this machine or a
// service name (db, postgres, rabbitmq in a compose file) and the password is the user
// name or a stock default. Such a URL reaches nothing outside a development stack.
func localDefaultCredential(raw string) string {
	u, err := url.Parse(strings.Trim(strings.TrimSpace(raw), `"'`))
	if err != nil || u.User == nil {
		return ""
	}
	pass, ok := u.User.Password()
	if !ok {
		return ""
	}
	host := u.Hostname()
	local := host == "localhost" || host == "127.0.0.1" || host == "::1" || host != "" && !strings.Contains(host, ".")
	user, db := u.User.Username(), strings.Trim(u.Path, "/")
	// postgres://app:app@db/app, postgres://app_read_only:app@localhost/app
	stock := pass == user || pass == db || strings.HasPrefix(user, pass+"_") || localDefaults[strings.ToLower(pass)]
	if local && stock {
		return "stock credential of a local service (" + host + "): the default of a development database or broker, not a secret; make sure production overrides it"
	}
	return ""
}

var urlInLine = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>` + "`" + `]+`)

// urlAround is the URL in line that holds byte offset at (the URL detectors match only
// its password).
func urlAround(line string, at int) string {
	for _, m := range urlInLine.FindAllStringIndex(line, -1) {
		if m[0] <= at && at < m[1] {
			return line[m[0]:m[1]]
		}
	}
	return ""
}

// inDocsDir: files under a docs/ or doc/ folder (Markdown there is a doc file already;
// YAML and env samples next to it are examples too).
func inDocsDir(rel string) bool {
	parts := strings.Split(strings.ToLower(rel), "/")
	for _, d := range parts[:len(parts)-1] {
		if d == "docs" || d == "doc" || d == "documentation" {
			return true
		}
	}
	return false
}

func distinctRunes(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }
