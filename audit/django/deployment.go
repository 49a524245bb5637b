package django

import (
	"fmt"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

var ruleDebugEnabled = finding.Rule{
	ID: "django-debug-enabled", Family: "django", Severity: finding.Medium, CWE: []string{"CWE-215"}, OWASP: "API8:2023",
	Title:   "DEBUG enabled",
	Summary: "DEBUG = True reachable in production settings.",
}

func (a *auditor) debug(sm *settingsModule) {
	for _, b := range sm.get("DEBUG") {
		t, how := judge("DEBUG", b)
		if t != triTrue {
			continue
		}
		f := finding.New(ruleDebugEnabled.ID)
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

var ruleSecretKeyHardcoded = finding.Rule{
	ID: "django-secret-key-hardcoded", Family: "django", Severity: finding.High, CWE: []string{"CWE-540", "CWE-798"}, OWASP: "API8:2023",
	Title:   "Hard-coded SECRET_KEY",
	Summary: "a literal SECRET_KEY.",
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
		f := finding.New(ruleSecretKeyHardcoded.ID)
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

var ruleAllowedHostsWildcard = finding.Rule{
	ID: "django-allowed-hosts-wildcard", Family: "django", Severity: finding.Medium, CWE: []string{"CWE-20"}, OWASP: "API8:2023",
	Title:   "ALLOWED_HOSTS contains *",
	Summary: "ALLOWED_HOSTS contains *.",
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
			f := finding.New(ruleAllowedHostsWildcard.ID)
			f.Detail = "ALLOWED_HOSTS contains \"*\": Django accepts any Host header, so password-reset links and absolute URLs can be poisoned with an attacker's host (Django's check --deploy does not flag this)."
			if b.val.kind == vEnv {
				f.Detail = "ALLOWED_HOSTS comes from the environment variable " + b.val.env.Var + " with a default containing \"*\": Django accepts any Host header when it is unset."
			}
			if b.cond != "" {
				f.Evidence.Notes = append(f.Evidence.Notes, "conditional: set only when "+b.cond)
			}
			f.Remediation = "ALLOWED_HOSTS = [\"api.example.com\"]  # the exact host names the site answers to"
			file, at := b.position(it)
			a.emit(f, sm, file, at, lineSnippet(file, at), "")
			break
		}
	}
}

var ruleInsecureCookies = finding.Rule{
	ID: "django-insecure-cookies", Family: "django", Severity: finding.Medium, CWE: []string{"CWE-614"}, OWASP: "API8:2023",
	Title:   "Session or CSRF cookie not marked Secure",
	Summary: "SESSION_COOKIE_SECURE / CSRF_COOKIE_SECURE false or unset.",
}

func (a *auditor) cookies(sm *settingsModule) {
	// Mirror Django's W010-W012 and W016 preconditions: no sessions app or middleware means
	// no session cookie; no CsrfViewMiddleware (Django's default MIDDLEWARE is empty), or
	// CSRF_USE_SESSIONS, means no CSRF cookie. HttpOnly is not judged: Django leaves
	// csrftoken readable on purpose (CSRF_COOKIE_HTTPONLY's documentation says why).
	sessions := sm.listHas("INSTALLED_APPS", "django.contrib.sessions") || sm.listHas("MIDDLEWARE", "django.contrib.sessions.middleware.SessionMiddleware")
	csrfCookie := sm.listHas("MIDDLEWARE", "django.middleware.csrf.CsrfViewMiddleware")
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
		f := finding.New(ruleInsecureCookies.ID)
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

var ruleSSLRedirectOff = finding.Rule{
	ID: "django-ssl-redirect-off", Family: "django", Severity: finding.Low, CWE: []string{"CWE-319"}, OWASP: "API8:2023",
	Title:   "SECURE_SSL_REDIRECT off",
	Summary: "SECURE_SSL_REDIRECT false or unset with no proxy doing it.",
}

func (a *auditor) sslRedirect(sm *settingsModule) {
	bs, hows, unset := sm.falsyOrUnset("SECURE_SSL_REDIRECT")
	if !unset && len(bs) == 0 {
		return
	}
	f := finding.New(ruleSSLRedirectOff.ID)
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
