package django

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/remedy"
)

type auditor struct {
	opts Options
	root string
	out  []finding.Finding
}

type settingsModule struct {
	name string
	file *pyFile
	env  scope
	root string
}

// demotedNames are module names that say "not production". Such a module is audited only
// when an entry point names it (or nothing names any module), and its findings are
// lowered by one step with a note: a dev.py with DEBUG = True is expected, not a leak.
var demotedNames = map[string]bool{
	"local": true, "locals": true, "dev": true, "develop": true, "development": true,
	"test": true, "tests": true, "testing": true, "ci": true, "local_settings": true, "settings_local": true,
}

// testPackages are package names that hold test settings (tests/settings.py of a reusable
// app, tests/testproject/settings.py).
var testPackages = map[string]bool{
	"test": true, "tests": true, "testing": true, "testproject": true, "test_project": true,
	"testapp": true, "testsite": true,
}

func (sm *settingsModule) demoted() bool {
	parts := strings.Split(sm.name, ".")
	last := parts[len(parts)-1]
	if demotedNames[last] || strings.HasPrefix(last, "test_") || demotedWords(last) {
		return true
	}
	for _, p := range parts[:len(parts)-1] {
		if testPackages[p] {
			return true
		}
	}
	return false
}

func (sm *settingsModule) get(name string) []*binding { return sm.env[name] }

// pick returns the bindings of the first name that is set: django-cors-headers reads the
// new setting name and falls back to the old one.
func (sm *settingsModule) pick(names ...string) (string, []*binding) {
	for _, n := range names {
		if bs := sm.env[n]; len(bs) > 0 && !allUnset(bs) {
			return n, bs
		}
	}
	return names[0], nil
}

func allUnset(bs []*binding) bool {
	for _, b := range bs {
		if !b.unset {
			return false
		}
	}
	return true
}

// tri is a three-valued truth.
type tri int8

const (
	triUnknown tri = iota
	triTrue
	triFalse
)

// judge says whether a binding makes the setting truthy, and how we know, in words.
func judge(name string, b *binding) (tri, string) {
	if b.unset {
		return triFalse, name + " is not set on this path"
	}
	v := b.val
	var t tri
	var how string
	switch v.kind {
	case vEnv:
		how = fmt.Sprintf("%s comes from the environment variable %s", name, v.env.Var)
		if v.env.Default == nil {
			return triUnknown, how + " (no default)"
		}
		how += ", default " + v.env.Default.describe()
		if tv, ok := v.env.Default.truth(); ok {
			t = triFalse
			if tv {
				t = triTrue
			}
		}
	default:
		tv, ok := v.truth()
		if !ok {
			return triUnknown, name + " is set to an expression crossgate does not evaluate"
		}
		t = triFalse
		if tv {
			t = triTrue
		}
		how = name + " = " + v.describe()
	}
	if b.cond != "" {
		how += " (set only when " + b.cond + ")"
	}
	return t, how
}

// truthy reports the first binding that can make the setting true.
func (sm *settingsModule) truthy(names ...string) (*binding, string, bool) {
	name, bs := sm.pick(names...)
	for _, b := range bs {
		if t, how := judge(name, b); t == triTrue {
			return b, how, true
		}
	}
	return nil, "", false
}

func (a *auditor) emit(f finding.Finding, sm *settingsModule, file *pyFile, at *node, snippet, disc string) {
	if file == nil && sm != nil {
		file = sm.file
	}
	if file != nil {
		f.File = file.path
		if at != nil {
			f.Line, f.Column = file.pos(at)
		} else {
			f.Line, f.Column = 1, 1
		}
	}
	f.Evidence.Snippet = snippet
	if sm != nil {
		f.Settings = sm.name
		if sm.demoted() {
			f.SetSeverity(f.Severity.Raise(-1), "lowered one step: the module name "+sm.name+" says development or test settings")
			f.Evidence.Notes = append(f.Evidence.Notes, "settings module "+sm.name+" looks like development/test settings; it is audited because an entry point or nothing else names a settings module")
		}
	}
	// Fingerprint over the path relative to the audited root, so it is stable across checkouts.
	abs := f.File
	if rel, err := filepath.Rel(a.root, abs); err == nil && !strings.HasPrefix(rel, "..") {
		f.File = filepath.ToSlash(rel)
	}
	f.Seal(f.Settings + "\x00" + disc)
	f.File = abs
	a.out = append(a.out, f)
}

// bindingSnippet is the statement that made the binding.
func bindingSnippet(b *binding) string {
	if b == nil || b.file == nil {
		return ""
	}
	if b.stmt != nil {
		return b.file.snippet(b.stmt)
	}
	return b.file.snippet(b.at)
}

// lineSnippet is the whole source line holding n.
func lineSnippet(f *pyFile, n *node) string {
	if f == nil || n == nil {
		return ""
	}
	s, e := int(n.start), int(n.end)
	for s > 0 && f.src[s-1] != '\n' {
		s--
	}
	for e < len(f.src) && f.src[e] != '\n' {
		e++
	}
	if e-s > 400 {
		return f.snippet(n)
	}
	return strings.TrimSpace(string(f.src[s:e]))
}

func (a *auditor) auditSettings(sm *settingsModule) {
	a.corsAllowAll(sm)
	a.corsOrigins(sm)
	a.corsRegexes(sm)
	a.corsMiddleware(sm)
	a.corsPreflight(sm)
	a.debug(sm)
	a.secretKey(sm)
	a.allowedHosts(sm)
	a.cookies(sm)
	a.sslRedirect(sm)
	a.loggingConfig(sm)
}

// allowedOrigins are the https origins the project already lists, for the remediation.
func (sm *settingsModule) allowedOrigins() []string {
	_, bs := sm.pick("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST")
	var out []string
	for _, b := range bs {
		for _, it := range b.val.strs() {
			if strings.HasPrefix(it.s, "https://") {
				out = append(out, it.s)
			}
		}
	}
	return out
}

func (a *auditor) corsAllowAll(sm *settingsModule) {
	b, how, ok := sm.truthy("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")
	if !ok {
		return
	}
	rule := "django-cors-allow-all"
	detail := how + ": django-cors-headers answers every origin."
	if _, chow, cok := sm.truthy("CORS_ALLOW_CREDENTIALS"); cok {
		rule = "django-cors-allow-all-credentials"
		detail = how + ", and " + chow + ": django-cors-headers reflects any Origin (including null) with Access-Control-Allow-Credentials: true, so any web page can read authenticated responses (cookies or client certificates)."
	} else {
		detail += " Responses carry Access-Control-Allow-Origin: * (Chromium still sends client certificates on such requests)."
	}
	f := finding.New(rule)
	f.Detail = detail
	f.Remediation = remedy.CORSDjango(sm.allowedOrigins())
	a.emit(f, sm, b.file, b.at, bindingSnippet(b), "")
}

func isLocalHost(host string) bool {
	h := strings.ToLower(host)
	return h == "localhost" || strings.HasSuffix(h, ".localhost") || strings.HasPrefix(h, "127.") || h == "[::1]" || h == "::1" || h == "0.0.0.0"
}

func (a *auditor) corsOrigins(sm *settingsModule) {
	name, bs := sm.pick("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST")
	for _, b := range bs {
		for _, it := range b.val.strs() {
			file, at := it.file, it.n
			if file == nil {
				file, at = b.file, b.at
			}
			origin := strings.TrimSpace(it.s)
			switch {
			case strings.EqualFold(origin, "null"):
				f := finding.New("django-cors-null-origin")
				f.Detail = fmt.Sprintf("%s lists \"null\": sandboxed iframes, data: URLs and local files send Origin: null, so any page can make itself trusted.", name)
				f.Remediation = "Remove \"null\" from " + name + "; list only the https origins of your front ends.\n" + remedy.CORSDjango(sm.allowedOrigins())
				a.emit(f, sm, file, at, lineSnippet(file, at), "null")
			case strings.HasPrefix(strings.ToLower(origin), "http://"):
				f := finding.New("django-cors-http-origin")
				host := ""
				if u, err := url.Parse(origin); err == nil {
					host = u.Hostname()
				}
				f.Detail = fmt.Sprintf("%s trusts %s: a network attacker can inject script into that plain-http origin and read this API from it.", name, origin)
				if isLocalHost(host) {
					f.SetSeverity(finding.Low, "the http origin is a loopback address: only code on the user's own machine can serve it, but it should not be trusted in production")
				}
				f.Remediation = "Trust only https:// origins in production settings; keep localhost origins in development settings.\n" + remedy.CORSDjango(sm.allowedOrigins())
				a.emit(f, sm, file, at, lineSnippet(file, at), origin)
			}
		}
	}
}

func (a *auditor) corsRegexes(sm *settingsModule) {
	name, bs := sm.pick("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST")
	for _, b := range bs {
		for _, it := range b.val.strs() {
			res := analyseOriginRegex(it.s)
			if len(res.Problems) == 0 {
				continue
			}
			file, at := it.file, it.n
			if file == nil {
				file, at = b.file, b.at
			}
			f := finding.New("django-cors-regex-unsafe")
			var parts []string
			onlyHTTP := true
			for _, p := range res.Problems {
				parts = append(parts, p.Reason+" (accepts "+p.Bypass+")")
				if p.Kind != "http-scheme" {
					onlyHTTP = false
				}
			}
			f.Detail = fmt.Sprintf("%s entry r\"%s\": %s. django-cors-headers uses re.match, which anchors only the start.", name, it.s, strings.Join(parts, "; "))
			if onlyHTTP {
				f.SetSeverity(finding.Medium, "the regex only lets plain-http variants of the intended origins through, which needs a network attacker")
			}
			for _, p := range res.Problems {
				f.Evidence.Notes = append(f.Evidence.Notes, "bypass origin (verified against the compiled regex): "+p.Bypass)
			}
			fix := "Anchor both ends, escape every dot and require https, e.g. r\"^https://app\\.example\\.com$\"; prefer exact CORS_ALLOWED_ORIGINS.\n"
			if res.Suggested != "" {
				fix = "Anchor both ends, escape every dot and require https: r\"" + res.Suggested + "\"; prefer exact CORS_ALLOWED_ORIGINS.\n"
			}
			f.Remediation = fix + remedy.CORSDjango(sm.allowedOrigins())
			a.emit(f, sm, file, at, lineSnippet(file, at), it.s)
		}
	}
}

// middlewareThatResponds: middleware known to answer requests itself, so CORS headers
// would be missing on its responses if it ran before CorsMiddleware.
var middlewareThatResponds = map[string]bool{
	"django.middleware.common.CommonMiddleware":  true,
	"whitenoise.middleware.WhiteNoiseMiddleware": true,
}

func (a *auditor) corsMiddleware(sm *settingsModule) {
	_, mws := sm.pick("MIDDLEWARE", "MIDDLEWARE_CLASSES")
	_, apps := sm.pick("INSTALLED_APPS")
	var corsApp *Value
	var appsB *binding
	for _, b := range apps {
		for _, it := range b.val.strs() {
			if it.s == "corsheaders" || strings.HasPrefix(it.s, "corsheaders.") {
				it := it
				corsApp, appsB = &it, b
			}
		}
	}
	for _, b := range mws {
		if b.unset || (b.val.kind != vList && b.val.kind != vTuple) {
			continue
		}
		items := b.val.strs()
		corsAt := -1
		for i, it := range items {
			if it.s == "corsheaders.middleware.CorsMiddleware" {
				corsAt = i
				break
			}
		}
		if corsAt < 0 {
			if corsApp != nil {
				f := finding.New("django-cors-middleware-order")
				f.Detail = "corsheaders is in INSTALLED_APPS but corsheaders.middleware.CorsMiddleware is not in MIDDLEWARE: the CORS settings do nothing, and whatever adds CORS headers instead is not the audited configuration."
				if b.cond != "" {
					f.Detail = "When " + b.cond + ", " + f.Detail
					if b.file != nil && b.at != nil {
						f.Evidence.Notes = append(f.Evidence.Notes, fmt.Sprintf("conditional: this MIDDLEWARE is the one in effect when %s (%s:%d)", b.cond, filepath.Base(b.file.path), b.at.row+1))
					}
				}
				f.Remediation = "MIDDLEWARE = [\n    \"corsheaders.middleware.CorsMiddleware\",  # first, before anything that can return a response\n    \"django.middleware.security.SecurityMiddleware\",\n    \"django.middleware.common.CommonMiddleware\",\n    # ...\n]"
				file, at := corsApp.file, corsApp.n
				if file == nil {
					file, at = appsB.file, appsB.at
				}
				a.emit(f, sm, file, at, lineSnippet(file, at), "missing")
			}
			continue
		}
		var before []string
		for _, it := range items[:corsAt] {
			if a.respondsEarly(sm, it.s) {
				before = append(before, it.s)
			}
		}
		if len(before) == 0 {
			continue
		}
		cors := items[corsAt]
		file, at := cors.file, cors.n
		if file == nil {
			file, at = b.file, b.at
		}
		f := finding.New("django-cors-middleware-order")
		f.Detail = fmt.Sprintf("corsheaders.middleware.CorsMiddleware comes after %s, which can return responses (redirects, 403s, static files) that then lack CORS headers, or run authentication before the preflight is answered.", strings.Join(before, ", "))
		f.Remediation = "Move \"corsheaders.middleware.CorsMiddleware\" to the top of MIDDLEWARE, before " + strings.Join(before, " and ") + ":\nMIDDLEWARE = [\n    \"corsheaders.middleware.CorsMiddleware\",\n    # then the rest, in their current order\n]"
		a.emit(f, sm, file, at, lineSnippet(file, at), "order")
	}
}

// respondsEarly: a middleware that can answer before CorsMiddleware sees the response.
func (a *auditor) respondsEarly(sm *settingsModule, dotted string) bool {
	if middlewareThatResponds[dotted] {
		return true
	}
	if strings.HasPrefix(dotted, "django.") || strings.HasPrefix(dotted, "corsheaders.") {
		return false
	}
	cls := dotted[strings.LastIndex(dotted, ".")+1:]
	lc := strings.ToLower(cls)
	for _, w := range []string{"auth", "cert", "tls", "ssl", "clientid", "identity", "permission", "login", "token", "forbid", "deny", "block", "ratelimit"} {
		if strings.Contains(lc, w) {
			return true
		}
	}
	// project middleware that returns a response of its own
	if i := strings.LastIndex(dotted, "."); i > 0 {
		if file := moduleFile(sm.root, dotted[:i]); file != "" {
			return classReturnsResponse(file, cls)
		}
	}
	return false
}

func classReturnsResponse(file, cls string) bool {
	src, err := readSmall(file)
	if err != nil {
		return false
	}
	f, err := parsePython(file, src)
	if err != nil {
		return false
	}
	found := false
	walk(f.root, func(n *node) bool {
		if found {
			return false
		}
		if n.kind == "class_definition" && f.text(n.child("name")) == cls {
			walk(n, func(m *node) bool {
				if m.kind == "return_statement" {
					if v := firstNamed(m); v != nil && v.kind == "call" && strings.Contains(f.text(v.child("function")), "Response") {
						found = true
					}
				}
				return !found
			})
			return false
		}
		return true
	})
	return found
}

var allMethods = []string{"DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT", "HEAD", "CONNECT", "TRACE"}

func (a *auditor) corsPreflight(sm *settingsModule) {
	for _, b := range sm.get("CORS_ALLOW_METHODS") {
		items := b.val.strs()
		have := map[string]bool{}
		for _, it := range items {
			have[strings.ToUpper(strings.TrimSpace(it.s))] = true
		}
		all := true
		for _, m := range allMethods {
			all = all && have[m]
		}
		if have["*"] || all || have["TRACE"] || have["CONNECT"] {
			f := finding.New("django-cors-broad-preflight")
			f.Detail = "CORS_ALLOW_METHODS = " + b.val.describe() + ": preflights approve every method (or TRACE/CONNECT) for allowed origins; list only the methods the front end uses."
			f.Remediation = "CORS_ALLOW_METHODS = [\"GET\", \"POST\"]  # only what the browser app calls"
			a.emit(f, sm, b.file, b.at, bindingSnippet(b), "methods")
		}
	}
	for _, b := range sm.get("CORS_ALLOW_HEADERS") {
		for _, it := range b.val.strs() {
			if strings.TrimSpace(it.s) == "*" {
				f := finding.New("django-cors-broad-preflight")
				f.Detail = "CORS_ALLOW_HEADERS contains \"*\": preflights approve any request header, including identity headers a proxy should own (X-SSL-Client-*)."
				f.Remediation = "from corsheaders.defaults import default_headers\nCORS_ALLOW_HEADERS = (*default_headers, \"x-my-header\")  # name the extra headers"
				file, at := it.file, it.n
				if file == nil {
					file, at = b.file, b.at
				}
				a.emit(f, sm, file, at, lineSnippet(file, at), "headers")
			}
		}
	}
	for _, b := range sm.get("CORS_PREFLIGHT_MAX_AGE") {
		v := b.val
		if v.kind == vEnv && v.env.Default != nil {
			v = *v.env.Default
		}
		if x, ok := number(v); ok && v.kind != vBool && x > 86400 {
			f := finding.New("django-cors-broad-preflight")
			f.Detail = fmt.Sprintf("CORS_PREFLIGHT_MAX_AGE = %s seconds: browsers cache preflight approvals longer than a day (Chromium caps at 2 hours, Firefox at 24), so a revoked origin or method stays approved.", v.describe())
			f.Remediation = "CORS_PREFLIGHT_MAX_AGE = 3600"
			a.emit(f, sm, b.file, b.at, bindingSnippet(b), "max-age")
		}
	}
}

func (a *auditor) debug(sm *settingsModule) {
	for _, b := range sm.get("DEBUG") {
		t, how := judge("DEBUG", b)
		if t != triTrue {
			continue
		}
		f := finding.New("django-debug-enabled")
		f.Detail = how + ": Django serves technical error pages with settings, SQL and request data, and keeps every SQL query in memory."
		if b.cond != "" {
			f.Evidence.Notes = append(f.Evidence.Notes, "conditional: DEBUG is True only when "+b.cond)
		}
		f.Remediation = "DEBUG = os.environ.get(\"DJANGO_DEBUG\", \"\") == \"1\"  # off unless explicitly enabled; never default to True"
		a.emit(f, sm, b.file, b.at, bindingSnippet(b), "")
	}
}

// weakKey is Django's W009 test: shorter than 50, fewer than 5 distinct characters, or
// the django-insecure- prefix startproject writes.
func weakKey(k string) bool {
	uniq := map[rune]bool{}
	for _, r := range k {
		uniq[r] = true
	}
	return len(k) < 50 || len(uniq) < 5 || strings.HasPrefix(k, "django-insecure-")
}

func (a *auditor) secretKey(sm *settingsModule) {
	for _, b := range sm.get("SECRET_KEY") {
		if b.unset {
			continue
		}
		v := b.val
		var key Value
		how := ""
		switch {
		case v.kind == vStr:
			key, how = v, "SECRET_KEY is a string literal in the source"
		case v.kind == vEnv && v.env.Default != nil && v.env.Default.kind == vStr && v.env.Default.s != "":
			key, how = *v.env.Default, "SECRET_KEY comes from the environment variable "+v.env.Var+" but falls back to a literal key in the source when it is unset"
		default:
			continue
		}
		if key.s == "" {
			continue
		}
		f := finding.New("django-secret-key-hardcoded")
		f.Detail = how + fmt.Sprintf(" (%d characters): anyone with the repository can forge sessions, password-reset tokens and signed cookies.", len([]rune(key.s)))
		if weakKey(key.s) {
			f.Detail += " Django's own check also calls it weak (security.W009: shorter than 50 characters, under 5 distinct characters, or the django-insecure- prefix)."
		}
		if b.cond != "" {
			f.Evidence.Notes = append(f.Evidence.Notes, "conditional: set only when "+b.cond)
		}
		snippet := bindingSnippet(b)
		if key.file != nil && key.n != nil {
			lit := key.file.text(key.n)
			snippet = strings.Replace(snippet, lit, fmt.Sprintf("%q", a.opts.mask(key.s)), 1)
			if !a.opts.ShowSecrets {
				f.Evidence.Notes = append(f.Evidence.Notes, "secret masked in the snippet")
			}
		}
		f.Remediation = "SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]  # no default: fail at start-up when it is missing\n# and rotate the committed key: generate one with\n#   python3 -c 'from django.core.management.utils import get_random_secret_key; print(get_random_secret_key())'"
		a.emit(f, sm, b.file, b.at, snippet, "")
	}
}

func (a *auditor) allowedHosts(sm *settingsModule) {
	for _, b := range sm.get("ALLOWED_HOSTS") {
		items := b.val.strs()
		if b.val.kind == vEnv && b.val.env.Default != nil {
			items = b.val.env.Default.strs()
		}
		for _, it := range items {
			if strings.TrimSpace(it.s) != "*" {
				continue
			}
			f := finding.New("django-allowed-hosts-wildcard")
			f.Detail = "ALLOWED_HOSTS contains \"*\": Django accepts any Host header, so password-reset links and absolute URLs can be poisoned with an attacker's host (Django's check --deploy does not flag this)."
			if b.val.kind == vEnv {
				f.Detail = "ALLOWED_HOSTS comes from the environment variable " + b.val.env.Var + " with a default containing \"*\": Django accepts any Host header when it is unset."
			}
			if b.cond != "" {
				f.Evidence.Notes = append(f.Evidence.Notes, "conditional: set only when "+b.cond)
			}
			f.Remediation = "ALLOWED_HOSTS = [\"api.example.com\"]  # the exact host names the site answers to"
			file, at := it.file, it.n
			if file == nil {
				file, at = b.file, b.at
			}
			a.emit(f, sm, file, at, lineSnippet(file, at), "")
			break
		}
	}
}

// falsyOrUnset reports the bindings that leave a boolean setting off.
func (sm *settingsModule) falsyOrUnset(name string) (bs []*binding, hows []string, unsetAll bool) {
	all := sm.get(name)
	if len(all) == 0 {
		return nil, []string{name + " is not set (Django's default is False)"}, true
	}
	for _, b := range all {
		t, how := judge(name, b)
		if t == triFalse {
			if b.unset {
				how = name + " is not set when " + orOtherwise(b.cond)
			}
			bs = append(bs, b)
			hows = append(hows, how)
		}
	}
	return bs, hows, false
}

func orOtherwise(cond string) string {
	if cond == "" {
		return "the if statement's conditions are false"
	}
	return cond
}

func (sm *settingsModule) listHas(name, item string) bool {
	for _, b := range sm.get(name) {
		for _, it := range b.val.strs() {
			if it.s == item {
				return true
			}
		}
	}
	return false
}

func (a *auditor) cookies(sm *settingsModule) {
	// Mirror Django's W010-W012 and W016 preconditions: no sessions means no session
	// cookie, CSRF_USE_SESSIONS means no CSRF cookie.
	sessions := sm.listHas("INSTALLED_APPS", "django.contrib.sessions") || sm.listHas("MIDDLEWARE", "django.contrib.sessions.middleware.SessionMiddleware")
	csrfCookie := true
	if _, _, on := sm.truthy("CSRF_USE_SESSIONS"); on {
		csrfCookie = false
	}
	for _, c := range []struct {
		name string
		on   bool
		what string
		w    string
	}{
		{"SESSION_COOKIE_SECURE", sessions, "the session cookie", "security.W010-W012"},
		{"CSRF_COOKIE_SECURE", csrfCookie, "the CSRF cookie", "security.W016"},
	} {
		if !c.on {
			continue
		}
		bs, hows, unset := sm.falsyOrUnset(c.name)
		if !unset && len(bs) == 0 {
			continue
		}
		f := finding.New("django-insecure-cookies")
		f.Remediation = c.name + " = True"
		if unset {
			f.Detail = fmt.Sprintf("%s is not set anywhere in %s or the modules it imports; Django's default is False, so browsers send %s over plain http too (Django's check: %s).", c.name, sm.name, c.what, c.w)
			f.Evidence.Notes = append(f.Evidence.Notes, c.name+" is not assigned in "+sm.name+" or any module it imports; the location is the settings module itself")
			a.emit(f, sm, sm.file, nil, "", c.name)
			continue
		}
		b := bs[0]
		f.Detail = fmt.Sprintf("%s: browsers send %s over plain http too (Django's check: %s).", hows[0], c.what, c.w)
		if b.cond != "" || b.unset {
			f.Evidence.Notes = append(f.Evidence.Notes, "conditional: "+hows[0])
		}
		if b.unset {
			// point at the conditional assignment that leaves the other path unset
			for _, other := range sm.get(c.name) {
				if !other.unset && other.file != nil {
					b = other
					break
				}
			}
		}
		if b.unset || b.file == nil {
			a.emit(f, sm, sm.file, nil, "", c.name)
			continue
		}
		a.emit(f, sm, b.file, b.at, bindingSnippet(b), c.name)
	}
}

func (a *auditor) sslRedirect(sm *settingsModule) {
	bs, hows, unset := sm.falsyOrUnset("SECURE_SSL_REDIRECT")
	if !unset && len(bs) == 0 {
		return
	}
	f := finding.New("django-ssl-redirect-off")
	f.Remediation = "SECURE_SSL_REDIRECT = True\nSECURE_HSTS_SECONDS = 31536000\nSECURE_HSTS_INCLUDE_SUBDOMAINS = True\n# or redirect http to https in the proxy (nginx: return 301 https://$host$request_uri;)"
	if unset {
		f.Detail = "SECURE_SSL_REDIRECT is not set (default False): Django answers plain-http requests instead of redirecting them (Django's check: security.W008)."
		f.Evidence.Notes = append(f.Evidence.Notes, "SECURE_SSL_REDIRECT is not assigned in "+sm.name+" or any module it imports; the location is the settings module itself")
	} else {
		f.Detail = hows[0] + ": Django answers plain-http requests instead of redirecting them (Django's check: security.W008)."
	}
	// Our call: a configured SECURE_PROXY_SSL_HEADER says a TLS-terminating proxy sits in
	// front, which usually does the redirect; keep the finding (Django's W008 fires too)
	// but at info, so it does not fail a build on its own.
	if len(sm.get("SECURE_PROXY_SSL_HEADER")) > 0 && !allUnset(sm.get("SECURE_PROXY_SSL_HEADER")) {
		f.SetSeverity(finding.Info, "SECURE_PROXY_SSL_HEADER is set, so a TLS-terminating proxy is expected to redirect http to https; verify it does")
	}
	if unset || bs[0].unset || bs[0].file == nil {
		a.emit(f, sm, sm.file, nil, "", "")
		return
	}
	a.emit(f, sm, bs[0].file, bs[0].at, bindingSnippet(bs[0]), "")
}

func (a *auditor) loggingConfig(sm *settingsModule) {
	var roots []string
	for _, n := range []string{"STATIC_ROOT", "MEDIA_ROOT"} {
		for _, b := range sm.get(n) {
			if b.val.kind == vStr && b.val.s != "" {
				roots = append(roots, n+"="+b.val.s)
			}
		}
	}
	for _, b := range sm.get("LOGGING") {
		if b.val.kind != vDict {
			continue
		}
		if loggers, ok := b.val.dictGet("loggers"); ok && loggers.kind == vDict {
			for i, k := range loggers.items {
				if k.kind != vStr || (k.s != "django.db.backends" && k.s != "django.db") {
					continue
				}
				lv, ok := loggers.vals[i].dictGet("level")
				if !ok || lv.kind != vStr || strings.ToUpper(lv.s) != "DEBUG" {
					continue
				}
				f := finding.New("django-logging-sensitive")
				f.Detail = "LOGGING sets the " + k.s + " logger to DEBUG: every SQL statement is logged with its parameters (passwords, tokens, personal data) whenever DEBUG is on."
				f.Remediation = "LOGGING[\"loggers\"][\"" + k.s + "\"] = {\"level\": \"WARNING\"}  # never DEBUG outside a developer machine"
				file, at := lv.file, lv.n
				if file == nil {
					file, at = b.file, b.at
				}
				a.emit(f, sm, file, at, lineSnippet(file, at), "db-debug")
			}
		}
		handlers, ok := b.val.dictGet("handlers")
		if !ok || handlers.kind != vDict {
			continue
		}
		for i, hk := range handlers.items {
			fn, ok := handlers.vals[i].dictGet("filename")
			if !ok || fn.kind != vStr {
				continue
			}
			for _, r := range roots {
				name, dir, _ := strings.Cut(r, "=")
				if !underDir(fn.s, dir) {
					continue
				}
				f := finding.New("django-logging-sensitive")
				f.Detail = fmt.Sprintf("log handler %s writes %s, inside %s (%s), which the web server publishes: the log can be downloaded.", hk.describe(), fn.s, name, dir)
				f.Remediation = "Write log files outside STATIC_ROOT and MEDIA_ROOT, e.g. \"filename\": \"/var/log/myapp/django.log\", or log to stderr and let the service manager collect it."
				file, at := fn.file, fn.n
				if file == nil {
					file, at = b.file, b.at
				}
				a.emit(f, sm, file, at, lineSnippet(file, at), "file:"+fn.s)
			}
		}
	}
}

func underDir(p, dir string) bool {
	p, dir = filepath.Clean(p), filepath.Clean(dir)
	return p == dir || strings.HasPrefix(p, dir+"/")
}
