package exposurecheck

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/prose"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
)

var ruleCookieInsecure = finding.Rule{
	ID: "cookie-insecure", Family: "exposure", Severity: finding.Medium, CWE: []string{"CWE-614", "CWE-1004"}, OWASP: "API8:2023",
	Title:   "Session or CSRF cookie without secure attributes",
	Summary: "session/CSRF cookies without Secure, HttpOnly or with SameSite=None.",
}

// cookieClass says what a cookie guards.
type cookieClass int

const (
	notSession cookieClass = iota
	sessionCookie
	csrfCookie
)

// sessionNames are the default session cookie names of the common stacks (Django sessionid,
// Flask/Rails/Express "session"/"connect.sid", Java JSESSIONID, PHP PHPSESSID, ASP.NET),
// matched case-insensitively; names ending in _session, -session, sessionid or _sess
// (laravel_session, myapp_session) count too.
var sessionNames = map[string]bool{
	"sessionid": true, "session": true, "sid": true, "jsessionid": true, "phpsessid": true,
	"connect.sid": true, "asp.net_sessionid": true, ".aspnetcore.session": true, "_session_id": true,
	"session_id": true, "sessid": true, "remember_token": true, "auth_token": true,
}

// csrfNames: Django csrftoken, Angular XSRF-TOKEN, Express csurf _csrf, ...
var csrfNames = map[string]bool{
	"csrftoken": true, "csrf_token": true, "csrf": true, "_csrf": true, "xsrf-token": true,
	"_xsrf": true, "csrf-token": true, "x-csrf-token": true,
}

func classifyCookie(name string) cookieClass {
	n := strings.ToLower(name)
	n = strings.TrimPrefix(strings.TrimPrefix(n, "__host-"), "__secure-")
	switch {
	case csrfNames[n] || strings.Contains(n, "csrf") || strings.Contains(n, "xsrf"):
		return csrfCookie
	case sessionNames[n], strings.HasSuffix(n, "_session"), strings.HasSuffix(n, "-session"),
		strings.HasSuffix(n, "sessionid"), strings.HasSuffix(n, "_sess"), strings.HasSuffix(n, "_sid"):
		return sessionCookie
	}
	return notSession
}

type cookieIssue struct {
	text string
	sev  finding.Severity
}

type cookieHit struct {
	name   string
	class  cookieClass
	ex     *probe.Exchange
	issues []cookieIssue
	sev    finding.Severity
}

// cookieIssues rates one Set-Cookie of a session or CSRF cookie.
//
//   - no Secure on an https endpoint: medium (the cookie also goes out over any http:// URL
//     of the host; Django's SESSION_COOKIE_SECURE / CSRF_COOKIE_SECURE, W010/W016);
//   - no HttpOnly on a session cookie: medium (any XSS reads the session); on a CSRF cookie:
//     nothing, as Django's own checks say: it leaves csrftoken readable on purpose
//     (JavaScript clients copy it into X-CSRFToken; CSRF_COOKIE_HTTPONLY's documentation
//     says an XSS can read the token from the page anyway), and Angular's XSRF-TOKEN must be;
//   - SameSite=None: medium (sent on cross-site requests, so CSRF and credentialed
//     cross-origin reads carry it); without Secure as well: high, the weakest combination.
func cookieIssues(c *http.Cookie, class cookieClass, https bool) []cookieIssue {
	var out []cookieIssue
	if https && !c.Secure {
		out = append(out, cookieIssue{"no Secure attribute on an https site", finding.Medium})
	}
	if !c.HttpOnly && class != csrfCookie {
		out = append(out, cookieIssue{"no HttpOnly attribute (readable by any script on the page)", finding.Medium})
	}
	if c.SameSite == http.SameSiteNoneMode {
		if c.Secure {
			out = append(out, cookieIssue{"SameSite=None (sent on cross-site requests)", finding.Medium})
		} else {
			out = append(out, cookieIssue{"SameSite=None without Secure (sent cross-site, and over cleartext where browsers still accept it)", finding.High})
		}
	}
	return out
}

// cookieFindings reports cookie-insecure once per cookie name, from every Set-Cookie the
// endpoint sent (scan baseline, anonymous request and this package's probes), keeping the
// worst occurrence.
func (r *sweep) cookieFindings() []finding.Finding {
	https := r.env.URL.Scheme == "https"
	byName := map[string]*cookieHit{}
	var order []string
	for _, ex := range r.observed() {
		for _, line := range ex.Header.Values("Set-Cookie") {
			c, err := http.ParseSetCookie(line)
			if err != nil {
				continue
			}
			class := classifyCookie(c.Name)
			if class == notSession || c.MaxAge < 0 || (c.Value == "" && !c.Expires.IsZero() && c.Expires.Before(time.Now())) {
				// Deleting a cookie (Max-Age=0, empty value with a past Expires) sets nothing.
				continue
			}
			issues := cookieIssues(c, class, https)
			if len(issues) == 0 {
				continue
			}
			h := &cookieHit{name: c.Name, class: class, ex: ex, issues: issues}
			for _, is := range issues {
				h.sev = max(h.sev, is.sev)
			}
			old := byName[c.Name]
			if old == nil {
				order = append(order, c.Name)
			}
			if old == nil || h.sev > old.sev || (h.sev == old.sev && len(h.issues) > len(old.issues)) {
				byName[c.Name] = h
			}
		}
	}
	var fs []finding.Finding
	for _, name := range order {
		h := byName[name]
		f := finding.New(ruleCookieInsecure.ID)
		kind := "session"
		if h.class == csrfCookie {
			kind = "CSRF"
		}
		texts := make([]string, len(h.issues))
		for i, is := range h.issues {
			texts[i] = is.text
		}
		f.Detail = fmt.Sprintf("The %s cookie %s is set with %s (seen on %s).", kind, name, prose.JoinAnd(texts), describeRequest(h.ex))
		reason := fmt.Sprintf("%s: the worst issue of the %s cookie is %s.", prose.Capitalise(h.sev.String()), kind, worstIssue(h))
		f.SetSeverity(h.sev, reason)
		f.Evidence = r.evidence(h.ex, nil)
		f.Remediation = remediationCookie(h.class, stack(r.env))
		// A cookie's flags are the site's: every endpoint that sets it reports one finding.
		r.stampAt(&f, r.env.URL.Scheme+"://"+r.env.URL.Host+"/", name)
		fs = append(fs, f)
	}
	return fs
}

func worstIssue(h *cookieHit) string {
	w := h.issues[0]
	for _, is := range h.issues[1:] {
		if is.sev > w.sev {
			w = is
		}
	}
	return w.text
}

func remediationCookie(class cookieClass, stack remedy.Stack) string {
	if stack.App == remedy.Django {
		if class == csrfCookie {
			return "In settings.py set CSRF_COOKIE_SECURE = True and keep CSRF_COOKIE_SAMESITE = 'Lax' (or 'Strict')."
		}
		return "In settings.py set SESSION_COOKIE_SECURE = True, SESSION_COOKIE_HTTPONLY = True and SESSION_COOKIE_SAMESITE = 'Lax' (or 'Strict')."
	}
	return "Set session and CSRF cookies with Secure and SameSite=Lax or Strict, and session cookies with HttpOnly (a CSRF token cookie may stay readable: scripts copy it into a header); SameSite=None only for cookies that must travel cross-site, and always with Secure."
}
