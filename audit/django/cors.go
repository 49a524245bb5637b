package django

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/remedy"
)

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

var ruleCORSAllowAll = finding.Rule{
	ID: "django-cors-allow-all", Family: "django", Severity: finding.High, CWE: []string{"CWE-942"}, OWASP: "API8:2023",
	Title:   "django-cors-headers allows every origin",
	Summary: "CORS_ALLOW_ALL_ORIGINS (or the old CORS_ORIGIN_ALLOW_ALL) is true.",
}

var ruleCORSAllowAllCredentials = finding.Rule{
	ID: "django-cors-allow-all-credentials", Family: "django", Severity: finding.Critical, CWE: []string{"CWE-942", "CWE-346"}, OWASP: "API8:2023",
	Title:   "django-cors-headers allows every origin with credentials",
	Summary: "allow-all together with CORS_ALLOW_CREDENTIALS = True (reflects every origin).",
}

// djangoCORSHeaders is the stack these rules read: django-cors-headers' settings in a Django
// project; the fix is written in them.
var djangoCORSHeaders = remedy.Stack{App: remedy.Django, CORS: remedy.DjangoCORSHeaders}

func (a *auditor) corsAllowAll(sm *settingsModule) {
	b, how, ok := sm.truthy("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")
	if !ok {
		return
	}
	rule := ruleCORSAllowAll.ID
	detail := how + ": django-cors-headers answers every origin."
	if _, chow, cok := sm.truthy("CORS_ALLOW_CREDENTIALS"); cok {
		rule = ruleCORSAllowAllCredentials.ID
		detail = how + ", and " + chow + ": django-cors-headers reflects any Origin (including null) with Access-Control-Allow-Credentials: true, so any web page can read authenticated responses (cookies or client certificates)."
	} else {
		detail += " Responses carry Access-Control-Allow-Origin: * (Chromium still sends client certificates on such requests)."
	}
	f := finding.New(rule)
	f.Detail = detail
	f.Remediation = remedy.CORS(djangoCORSHeaders, sm.allowedOrigins())
	a.emit(f, sm, b.file, b.at, bindingSnippet(b), "")
}

var ruleCORSRegexUnsafe = finding.Rule{
	ID: "django-cors-regex-unsafe", Family: "django", Severity: finding.High, CWE: []string{"CWE-346"}, OWASP: "API8:2023",
	Title:   "Unsafe CORS_ALLOWED_ORIGIN_REGEXES entry",
	Summary: "CORS_ALLOWED_ORIGIN_REGEXES entry without $, with an unescaped dot, or with .* before the domain.",
}

func (a *auditor) corsRegexes(sm *settingsModule) {
	name, bs := sm.pick("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST")
	for _, b := range bs {
		for _, it := range b.val.strs() {
			res := analyseOriginRegex(it.s)
			if len(res.Problems) == 0 {
				continue
			}
			file, at := b.position(it)
			f := finding.New(ruleCORSRegexUnsafe.ID)
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
			f.Remediation = fix + remedy.CORS(djangoCORSHeaders, sm.allowedOrigins())
			a.emit(f, sm, file, at, lineSnippet(file, at), it.s)
		}
	}
}

func isLocalHost(host string) bool {
	h := strings.ToLower(host)
	return h == "localhost" || strings.HasSuffix(h, ".localhost") || strings.HasPrefix(h, "127.") || h == "[::1]" || h == "::1" || h == "0.0.0.0"
}

var ruleCORSNullOrigin = finding.Rule{
	ID: "django-cors-null-origin", Family: "django", Severity: finding.High, CWE: []string{"CWE-346"}, OWASP: "API8:2023",
	Title:   "\"null\" in the CORS allowlist",
	Summary: "\"null\" in the allowlist.",
}

var ruleCORSHTTPOrigin = finding.Rule{
	ID: "django-cors-http-origin", Family: "django", Severity: finding.Medium, CWE: []string{"CWE-319"}, OWASP: "API8:2023",
	Title:   "http:// origin in the CORS allowlist",
	Summary: "http:// origins in the allowlist.",
}

func (a *auditor) corsOrigins(sm *settingsModule) {
	name, bs := sm.pick("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST")
	for _, b := range bs {
		for _, it := range b.val.strs() {
			file, at := b.position(it)
			origin := strings.TrimSpace(it.s)
			switch {
			case strings.EqualFold(origin, "null"):
				f := finding.New(ruleCORSNullOrigin.ID)
				f.Detail = fmt.Sprintf("%s lists \"null\": sandboxed iframes, data: URLs and local files send Origin: null, so any page can make itself trusted.", name)
				f.Remediation = "Remove \"null\" from " + name + "; list only the https origins of your front ends.\n" + remedy.CORS(djangoCORSHeaders, sm.allowedOrigins())
				a.emit(f, sm, file, at, lineSnippet(file, at), "null")
			case strings.HasPrefix(strings.ToLower(origin), "http://"):
				f := finding.New(ruleCORSHTTPOrigin.ID)
				host := ""
				if u, err := url.Parse(origin); err == nil {
					host = u.Hostname()
				}
				f.Detail = fmt.Sprintf("%s trusts %s: a network attacker can inject script into that plain-http origin and read this API from it.", name, origin)
				if isLocalHost(host) {
					f.SetSeverity(finding.Low, "the http origin is a loopback address: only code on the user's own machine can serve it, but it should not be trusted in production")
				}
				f.Remediation = "Trust only https:// origins in production settings; keep localhost origins in development settings.\n" + remedy.CORS(djangoCORSHeaders, sm.allowedOrigins())
				a.emit(f, sm, file, at, lineSnippet(file, at), origin)
			}
		}
	}
}

// middlewareThatResponds: middleware known to answer requests itself, so CORS headers
// would be missing on its responses if it ran before CorsMiddleware.
var middlewareThatResponds = map[string]bool{
	"django.middleware.common.CommonMiddleware":  true,
	"whitenoise.middleware.WhiteNoiseMiddleware": true,
}

var ruleCORSMiddlewareOrder = finding.Rule{
	ID: "django-cors-middleware-order", Family: "django", Severity: finding.Low, CWE: []string{"CWE-942"}, OWASP: "API8:2023",
	Title:   "CorsMiddleware missing or placed too late",
	Summary: "CorsMiddleware missing from, or placed after, middleware that can return responses (CommonMiddleware, auth/mTLS middleware).",
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
				f := finding.New(ruleCORSMiddlewareOrder.ID)
				f.Detail = "corsheaders is in INSTALLED_APPS but corsheaders.middleware.CorsMiddleware is not in MIDDLEWARE: the CORS settings do nothing, and whatever adds CORS headers instead is not the audited configuration."
				if b.cond != "" {
					f.Detail = "When " + b.cond + ", " + f.Detail
					if b.file != nil && b.at != nil {
						f.Evidence.Notes = append(f.Evidence.Notes, fmt.Sprintf("conditional: this MIDDLEWARE is the one in effect when %s (%s:%d)", b.cond, filepath.Base(b.file.path), b.at.row+1))
					}
				}
				f.Remediation = "MIDDLEWARE = [\n    \"corsheaders.middleware.CorsMiddleware\",  # first, before anything that can return a response\n    \"django.middleware.security.SecurityMiddleware\",\n    \"django.middleware.common.CommonMiddleware\",\n    # ...\n]"
				file, at := appsB.position(*corsApp)
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
		file, at := b.position(cors)
		f := finding.New(ruleCORSMiddlewareOrder.ID)
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
			return classReturnsResponse(file, cls, a.opts)
		}
	}
	return false
}

func classReturnsResponse(file, cls string, opts Options) bool {
	src, err := opts.read(file)
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

var ruleCORSBroadPreflight = finding.Rule{
	ID: "django-cors-broad-preflight", Family: "django", Severity: finding.Medium, CWE: []string{"CWE-942"}, OWASP: "API8:2023",
	Title:   "Very broad CORS preflight settings",
	Summary: "very broad CORS_ALLOW_METHODS / CORS_ALLOW_HEADERS / max-age.",
}

func (a *auditor) corsPreflight(sm *settingsModule) {
	for _, b := range sm.get("CORS_ALLOW_METHODS") {
		have := map[string]bool{}
		for _, it := range b.val.strs() {
			have[strings.ToUpper(strings.TrimSpace(it.s))] = true
		}
		all := !slices.ContainsFunc(allMethods, func(m string) bool { return !have[m] })
		if have["*"] || all || have["TRACE"] || have["CONNECT"] {
			f := finding.New(ruleCORSBroadPreflight.ID)
			f.Detail = "CORS_ALLOW_METHODS = " + b.val.describe() + ": preflights approve every method (or TRACE/CONNECT) for allowed origins; list only the methods the front end uses."
			f.Remediation = "CORS_ALLOW_METHODS = [\"GET\", \"POST\"]  # only what the browser app calls"
			a.emit(f, sm, b.file, b.at, bindingSnippet(b), "methods")
		}
	}
	for _, b := range sm.get("CORS_ALLOW_HEADERS") {
		for _, it := range b.val.strs() {
			if strings.TrimSpace(it.s) == "*" {
				f := finding.New(ruleCORSBroadPreflight.ID)
				f.Detail = "CORS_ALLOW_HEADERS contains \"*\": preflights approve any request header, including identity headers a proxy should own (X-SSL-Client-*)."
				f.Remediation = "from corsheaders.defaults import default_headers\nCORS_ALLOW_HEADERS = (*default_headers, \"x-my-header\")  # name the extra headers"
				file, at := b.position(it)
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
			f := finding.New(ruleCORSBroadPreflight.ID)
			f.Detail = fmt.Sprintf("CORS_PREFLIGHT_MAX_AGE = %s seconds: browsers cache preflight approvals longer than a day (Chromium caps at 2 hours, Firefox at 24), so a revoked origin or method stays approved.", v.describe())
			f.Remediation = "CORS_PREFLIGHT_MAX_AGE = 3600"
			a.emit(f, sm, b.file, b.at, bindingSnippet(b), "max-age")
		}
	}
}
