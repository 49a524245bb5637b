package django

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

var ruleLoggingSensitive = finding.Rule{
	ID: "django-logging-sensitive", Family: "django", Severity: finding.Medium, CWE: []string{"CWE-532"}, OWASP: "API8:2023",
	Title:   "Logging writes sensitive request data",
	Summary: "logging configuration or code that writes request headers/bodies, certificates or tokens.",
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
				f := finding.New(ruleLoggingSensitive.ID)
				f.Detail = "LOGGING sets the " + k.s + " logger to DEBUG: every SQL statement is logged with its parameters (passwords, tokens, personal data) whenever DEBUG is on."
				f.Remediation = "LOGGING[\"loggers\"][\"" + k.s + "\"] = {\"level\": \"WARNING\"}  # never DEBUG outside a developer machine"
				file, at := b.position(lv)
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
				f := finding.New(ruleLoggingSensitive.ID)
				f.Detail = fmt.Sprintf("log handler %s writes %s, inside %s (%s), which the web server publishes: the log can be downloaded.", hk.describe(), fn.s, name, dir)
				f.Remediation = "Write log files outside STATIC_ROOT and MEDIA_ROOT, e.g. \"filename\": \"/var/log/myapp/django.log\", or log to stderr and let the service manager collect it."
				file, at := b.position(fn)
				a.emit(f, sm, file, at, lineSnippet(file, at), "file:"+fn.s)
			}
		}
	}
}

func underDir(p, dir string) bool {
	p, dir = filepath.Clean(p), filepath.Clean(dir)
	return p == dir || strings.HasPrefix(p, dir+"/")
}

var sensitiveKeys = map[string]bool{
	"AUTHORIZATION": true, "PROXY_AUTHORIZATION": true, "COOKIE": true, "X_SSL_CLIENT_CERT": true,
	"SSL_CLIENT_CERT": true, "X_FORWARDED_CLIENT_CERT": true, "CLIENT_CERT": true, "X_CLIENT_CERT": true,
	"X_API_KEY": true, "X_AUTH_TOKEN": true, "X_CSRFTOKEN": true,
}

var logMethods = map[string]bool{
	"debug": true, "info": true, "warning": true, "warn": true, "error": true,
	"exception": true, "critical": true, "fatal": true, "log": true,
}

func (cf *codeFile) checkLogCall(n *node, vars map[string]bool) {
	fn := unparen(n.child("function"))
	if fn == nil || fn.kind != "attribute" || !logMethods[cf.f.text(fn.child("attribute"))] || !cf.isLogger(fn.child("object")) {
		return
	}
	for _, arg := range n.child("arguments").namedChildren() {
		target := arg
		if arg.kind == "keyword_argument" {
			if name := cf.f.text(arg.child("name")); name == "exc_info" || name == "stack_info" || name == "stacklevel" {
				continue
			}
			target = arg.child("value")
		}
		if what := cf.sensitiveExpr(target, vars); what != "" {
			fnd := finding.New(ruleLoggingSensitive.ID)
			fnd.Detail = "a log call writes " + what + ": request headers and bodies carry session cookies, Authorization tokens and client certificates, which end up in log files and log shippers."
			fnd.Remediation = "Log only what identifies the request without granting access (method, path, a request id, the verified user name); never request.META, request.headers, request.body, Authorization, cookies or certificates. If a header must appear, log a hash or the first 4 characters."
			cf.a.emit(fnd, nil, cf.f, n, lineSnippet(cf.f, n), "log")
			return
		}
	}
}

// isLogger: logger.info(...), log.warning(...), logging.error(...), self.logger.debug(...).
func (cf *codeFile) isLogger(obj *node) bool {
	obj = unparen(obj)
	if obj == nil {
		return false
	}
	if obj.kind == "call" {
		// logging.getLogger(__name__).info(...)
		return strings.HasSuffix(cf.f.text(obj.child("function")), "getLogger")
	}
	return strings.Contains(strings.ToLower(cf.f.lastName(obj)), "log")
}

var sensitiveNameParts = []string{"token", "password", "passwd", "secret", "api_key", "apikey", "authorization", "credential", "private_key"}

func sensitiveName(s string) bool {
	l := strings.ToLower(s)
	return slices.ContainsFunc(sensitiveNameParts, func(p string) bool { return strings.Contains(l, p) && !onlyInsideWord(s, p) })
}

// sensitiveExpr describes the sensitive request data an expression carries, or "".
func (cf *codeFile) sensitiveExpr(root *node, vars map[string]bool) string {
	f := cf.f
	what := ""
	walk(root, func(n *node) bool {
		if what != "" || n.kind == "lambda" {
			return false
		}
		switch n.kind {
		case "subscript", "call":
			if k, ok := cf.headerKey(n); ok {
				if sensitiveKeys[normKey(k)] {
					what = k
				}
				return false
			}
			if k, ok := cf.namedHeaderLookup(n); ok {
				if sensitiveKeys[normKey(k)] || sensitiveName(k) {
					what = f.text(n)
				}
				return false
			}
			// x["max-age"] picks one named field out of whatever x holds: it is
			// sensitive when the field is (x["Authorization"], token["access_token"]),
			// not because x is a header mapping.
			if n.kind == "subscript" {
				if key := n.child("subscript"); key != nil && key.kind == "string" {
					if k, ok := decodeString(f, key); ok {
						if sensitiveKeys[normKey(k)] || sensitiveName(k) {
							what = k
						}
						return false
					}
				}
			}
		case "attribute":
			attr := f.text(n.child("attribute"))
			switch attr {
			case "META", "headers", "body", "COOKIES":
				if !cf.requestLike(n.child("object")) {
					return true // a response's headers, an exception's body
				}
				// request.META as a whole (a key lookup on it was handled above)
				if p := n.parent; p != nil && p.kind == "attribute" && p.child("object") == n {
					return false
				}
				what = f.text(n)
				return false
			}
			if sensitiveName(attr) && !(n.parent != nil && n.parent.kind == "call" && n.field == "function") {
				what = f.text(n)
				return false
			}
			if cf.harmlessFieldOfVar(n, vars) {
				return false
			}
		case "identifier":
			if n.field == "function" || n.field == "attribute" || n.field == "name" {
				return false
			}
			name := f.text(n)
			if vars[name] || sensitiveName(name) {
				what = name
			}
		case "string":
			// literal text is not data; its interpolations are walked below
			return true
		}
		return true
	})
	return what
}
