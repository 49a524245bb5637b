package exposure

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"sync/atomic"
)

// ErrorType separates a framework's debug page from a bare stack trace or internal path:
// the first discloses the application's internals wholesale, the second one failure.
type ErrorType string

const (
	DebugPage  ErrorType = "debug-page"
	StackTrace ErrorType = "stack-trace"
)

// ErrorPage is a framework debug page, a stack trace or an internal path
// found in a response body.
type ErrorPage struct {
	Type      ErrorType
	Framework string // "django", "werkzeug", "rails", "laravel", "spring", "express", "aspnet", "python", ...
	Kind      string // "technical-500", "technical-404", "disallowed-host", "traceback", "internal-path", ...
	Excerpt   string // short redacted proof, e.g. "Django Version: 3.2.25"
	Format    string // "html" or "text"
}

// maxErrorBody bounds the work on one body; debug pages put their markers
// in the first few kilobytes, tracebacks anywhere, so keep a generous cap.
const maxErrorBody = 4 << 20

var (
	reDjangoTextHead = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_.]*(?:Error|Exception|Host|DoesNotExist|Warning|Exit|Interrupt|Found|Denied|Operation|Failure|Fault|[A-Za-z]))(?: at (/\S*))`)
	reDjangoVersion  = regexp.MustCompile(`Django Version:\s*([0-9][0-9A-Za-z.]*)`)
	reHTMLTitle      = regexp.MustCompile(`(?is)<title>\s*(.*?)\s*</title>`)
	rePyFrame        = regexp.MustCompile(`File "([^"\n]{1,300})", line \d+, in \S+`)
	rePyExcLine      = regexp.MustCompile(`(?m)^\s*([A-Za-z_][A-Za-z0-9_.]*(?:Error|Exception|Exit|Interrupt|Warning|DoesNotExist|Host)(?::[^\n]{0,160})?)\s*$`)
	reJavaFrame      = regexp.MustCompile(`\n\s*at [a-zA-Z_$][\w$]*(?:\.[\w$<>]+)+\((?:[\w$]+\.(?:java|kt|scala|groovy):\d+|Native Method|Unknown Source)\)`)
	reNodeFrame      = regexp.MustCompile(`\n\s*at (?:[^\n()]{1,200} )?\(?(?:/|[A-Za-z]:\\|node:)[^\n()]{1,300}:\d+:\d+\)?`)
	reGoPanic        = regexp.MustCompile(`goroutine \d+ \[running\]:`)
	reRubyFrame      = regexp.MustCompile(`(?:/|[A-Za-z]:\\)[^\s:'"]{1,300}\.rb:\d+:in [` + "`" + `']`)
	rePHPFatal       = regexp.MustCompile(`(?:Fatal error|Parse error|Warning|Notice)</b>:\s.{0,300} on line <b>\d+</b>|PHP (?:Fatal|Parse) error:\s.{0,300} on line \d+`)
	reDotNetFrame    = regexp.MustCompile(`\n\s*at [\w.<>` + "`" + `]+\([^\n)]*\) in [A-Za-z]:\\[^\n]{1,300}:line \d+`)
	reInternalPath   = regexp.MustCompile(`(?:^|[\s"'(=\[,;>])((?:/(?:home|var|usr|opt|srv|root|tmp|Users|app|code|workspace|mnt)/[A-Za-z0-9_.@+\-]+(?:/[A-Za-z0-9_.@+\-]+)+\.(?:py|pyc|rb|php|js|ts|mjs|java|go|cs|jsp|erb|html|conf|ini|yml|yaml|json|env))|[A-Za-z]:\\(?:Users|inetpub|Program Files|Windows|www|app|src)\\[^\s"'<>|:*?]{1,200}\.(?:cs|aspx|vb|config|dll|py|php|js|java))`)
)

// DetectErrorPages finds framework debug pages (Django technical 500 and 404
// in HTML and the plain-text form Django serves to non-browser clients,
// DisallowedHost, Werkzeug, Rails, Laravel, Spring, Express, ASP.NET), stack
// traces and internal absolute paths in body. contentType may be empty.
func DetectErrorPages(body []byte, contentType string) []ErrorPage {
	if len(body) > maxErrorBody {
		body = body[:maxErrorBody]
	}
	format := "text"
	ct := strings.ToLower(contentType)
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if strings.Contains(ct, "html") || hasPrefixFold(trimmed, "<!doctype html") || hasPrefixFold(trimmed, "<html") {
		format = "html"
	} else if strings.Contains(ct, "json") || len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && !bytes.Contains(body, []byte("Traceback (most recent call last)")) {
		// Structured errors (RFC 9457 problem details, {"detail": ...}) are
		// not debug pages unless they embed a traceback.
		format = "json"
	}
	text := string(body)
	if format == "html" {
		text = htmlText(body)
	} else if bytes.Contains(body, []byte(`\n`)) && (len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[' || trimmed[0] == '"')) {
		// A traceback or debug page inside a JSON string.
		text = strings.NewReplacer(`\n`, "\n", `\"`, `"`, `\t`, "\t", `\\`, `\`, `\/`, `/`).Replace(text)
	}
	norm := collapseSpace(text)

	var out []ErrorPage
	add := func(typ ErrorType, fw, kind, excerpt string) {
		out = append(out, ErrorPage{Type: typ, Framework: fw, Kind: kind, Excerpt: redactExcerpt(excerpt), Format: outFormat(format)})
	}
	debugFooter := strings.Contains(norm, "seeing this error because you have") && strings.Contains(norm, "DEBUG = True")

	// Django.
	djangoVersion := ""
	if !strings.Contains(norm, "Django Version:") {
		// no Django debug page
	} else if m := reDjangoVersion.FindStringSubmatch(norm); m != nil {
		djangoVersion = "Django Version: " + m[1]
	}
	switch {
	case strings.Contains(norm, "DisallowedHost") && strings.Contains(norm, "Invalid HTTP_HOST header") && (djangoVersion != "" || debugFooter):
		add(DebugPage, "django", "disallowed-host", firstNonEmpty(exceptionHead(text, body, format), "DisallowedHost: Invalid HTTP_HOST header"))
	case djangoVersion != "" && (strings.Contains(norm, "Request Method:") || strings.Contains(norm, "Exception Type:")) &&
		(strings.Contains(norm, "Traceback") || strings.Contains(norm, "Exception Value:") || debugFooter || strings.Contains(norm, "Python Executable:")):
		add(DebugPage, "django", "technical-500", firstNonEmpty(exceptionHead(text, body, format), djangoVersion))
	case strings.Contains(norm, "Page not found") && debugFooter &&
		(strings.Contains(norm, "Using the URLconf defined in") || strings.Contains(norm, "Django tried these URL patterns") || strings.Contains(norm, "The current path")):
		ex := "Page not found"
		if i := strings.Index(norm, "Using the URLconf defined in"); i >= 0 {
			ex = clip(norm[i:], 90)
		}
		add(DebugPage, "django", "technical-404", ex)
	}
	// Werkzeug / Flask.
	if strings.Contains(norm, "Werkzeug Debugger") || strings.Contains(text, "__debugger__") && strings.Contains(norm, "Traceback") ||
		strings.Contains(norm, "The debugger caught an exception in your WSGI application") {
		add(DebugPage, "werkzeug", "debugger", firstNonEmpty(exceptionHead(text, body, format), "Werkzeug Debugger"))
	}
	// Rails.
	if strings.Contains(norm, "Action Controller: Exception caught") || strings.Contains(norm, "Rails.root:") && strings.Contains(norm, "Application Trace") {
		add(DebugPage, "rails", "technical-500", firstNonEmpty(titleOf(body), "Action Controller: Exception caught"))
	}
	// Laravel (Whoops / Ignition).
	if strings.Contains(norm, "Whoops! There was an error.") || strings.Contains(text, "ignition-") && strings.Contains(norm, "Illuminate\\") ||
		strings.Contains(norm, "Symfony\\Component\\ErrorHandler") && strings.Contains(norm, "Stack trace") {
		add(DebugPage, "laravel", "technical-500", firstNonEmpty(titleOf(body), "Whoops! There was an error."))
	}
	// Spring Boot.
	if strings.Contains(norm, "Whitelabel Error Page") && strings.Contains(norm, "This application has no explicit mapping for /error") {
		ex := "Whitelabel Error Page"
		if reJavaFrame.MatchString(text) {
			add(DebugPage, "spring", "whitelabel-trace", ex)
		} else {
			add(DebugPage, "spring", "whitelabel", ex)
		}
	}
	// ASP.NET yellow screen.
	if strings.Contains(norm, "Server Error in '/") && (strings.Contains(norm, "Stack Trace:") || strings.Contains(norm, "Version Information:")) {
		add(DebugPage, "aspnet", "yellow-screen", firstNonEmpty(titleOf(body), "Server Error in application"))
	}

	// Stack traces, when no debug page already explains them. Each regex
	// runs only when a literal it needs is present: bodies are mostly not
	// errors, and a regex pass costs far more than a substring search.
	haveDebug := len(out) > 0
	if !haveDebug {
		if i := strings.Index(text, "Traceback (most recent call last)"); i >= 0 && rePyFrame.MatchString(text[i:min(len(text), i+4000)]) {
			add(StackTrace, "python", "traceback", firstNonEmpty(pyException(text[i:]), "Traceback (most recent call last)"))
		} else if loc := findIf(text, reJavaFrame, ".java:", "Native Method", "Unknown Source", ".kt:", ".scala:"); loc != nil {
			add(StackTrace, "java", "stack-trace", strings.TrimSpace(lineBefore(text, loc[0])+" "+strings.TrimSpace(text[loc[0]:loc[1]])))
		} else if loc := findIf(text, reDotNetFrame, ":line "); loc != nil {
			add(StackTrace, "aspnet", "stack-trace", strings.TrimSpace(text[loc[0]:loc[1]]))
		} else if loc := findIf(text, reNodeFrame, ".js:", ".ts:", ".mjs:", ".cjs:", "node:"); loc != nil && nodeTrace(text, loc[0]) {
			fw := "node"
			if strings.Contains(text, "node_modules/express") || strings.Contains(text, "node_modules\\express") {
				fw = "express"
			}
			add(StackTrace, fw, "stack-trace", strings.TrimSpace(lineBefore(text, loc[0])+" "+strings.TrimSpace(text[loc[0]:loc[1]])))
		} else if loc := findIf(text, reGoPanic, "goroutine "); loc != nil && strings.Contains(text, "panic: ") {
			add(StackTrace, "go", "panic", text[loc[0]:loc[1]])
		} else if loc := findIf(text, reRubyFrame, ".rb:"); loc != nil {
			add(StackTrace, "ruby", "stack-trace", text[loc[0]:loc[1]])
		} else if loc := findIf(string(body), rePHPFatal, " on line "); loc != nil {
			add(StackTrace, "php", "fatal-error", htmlText([]byte(string(body)[loc[0]:loc[1]])))
		}
	}
	if len(out) == 0 {
		if p := internalPath(text); p != "" {
			add(StackTrace, "", "internal-path", p)
		}
	}
	return out
}

// findIf runs re only when one of the literals occurs in text.
func findIf(text string, re *regexp.Regexp, literals ...string) []int {
	for _, l := range literals {
		if strings.Contains(text, l) {
			return re.FindStringIndex(text)
		}
	}
	return nil
}

var pathMarkers = []string{"/home/", "/var/", "/usr/", "/opt/", "/srv/", "/root/", "/tmp/", "/Users/", "/app/", "/code/",
	"/workspace/", "/mnt/", ":\\"}

// internalPath finds the first absolute server path, running the path
// regex only in short windows around the directory markers.
func internalPath(text string) string {
	best, bestAt := "", len(text)
	for _, mk := range pathMarkers {
		from := 0
		for tries := 0; tries < 64 && from < bestAt; tries++ {
			j := strings.Index(text[from:], mk)
			if j < 0 {
				break
			}
			at := from + j
			if mk == ":\\" {
				at-- // the drive letter
			}
			lo := max(0, at-1)
			if m := reInternalPath.FindStringSubmatchIndex(text[lo:min(len(text), at+320)]); m != nil && m[2] >= 0 && lo+m[2] <= at+1 {
				if lo+m[2] < bestAt {
					best, bestAt = text[lo+m[2]:lo+m[3]], lo+m[2]
				}
				break
			}
			from = at + len(mk)
		}
	}
	return best
}

func outFormat(f string) string {
	if f == "html" {
		return "html"
	}
	return "text"
}

func hasPrefixFold(b []byte, p string) bool {
	return len(b) >= len(p) && strings.EqualFold(string(b[:len(p)]), p)
}

// htmlText drops tags, scripts and styles and unescapes entities, so markers
// split by markup ("<code>DEBUG = True</code>") read as plain text.
func htmlText(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	// unclosed[k] is set once a search for the closing tag of skipTags[k]
	// failed: it fails from every later position too, and searching again
	// from each opening tag made a body of unclosed <style> tags quadratic.
	var unclosed [len(skipTags)]bool
	for i := 0; i < len(b); {
		c := b[i]
		if c != '<' {
			j := bytes.IndexByte(b[i:], '<')
			if j < 0 {
				j = len(b) - i
			}
			sb.Write(b[i : i+j])
			i += j
			continue
		}
		for k, skip := range skipTags {
			if !unclosed[k] && hasPrefixFold(b[i+1:], skip) {
				closingSearches.Add(1)
				if e := indexFold(b[i:], "</"+skip); e > 0 {
					i += e
				} else {
					unclosed[k] = true
				}
			}
		}
		j := bytes.IndexByte(b[i:], '>')
		if j < 0 {
			break
		}
		tag := b[i : i+j]
		i += j + 1
		// Block-level tags end a line.
		if len(tag) > 1 && (hasPrefixFold(tag[1:], "br") || hasPrefixFold(tag[1:], "/p") || hasPrefixFold(tag[1:], "/tr") ||
			hasPrefixFold(tag[1:], "/h") || hasPrefixFold(tag[1:], "/div") || hasPrefixFold(tag[1:], "/li") || hasPrefixFold(tag[1:], "/title")) {
			sb.WriteByte('\n')
		} else {
			sb.WriteByte(' ')
		}
	}
	return strings.ReplaceAll(html.UnescapeString(sb.String()), "\u00a0", " ")
}

var skipTags = [...]string{"script", "style"}

// closingSearches counts the searches for a closing tag, so a test can
// check that the work stays linear without timing it.
var closingSearches atomic.Int64

// indexFold is bytes.Index for an ASCII needle that starts with '<',
// ignoring case, without copying the haystack.
func indexFold(b []byte, needle string) int {
	for off := 0; ; {
		j := bytes.IndexByte(b[off:], '<')
		if j < 0 {
			return -1
		}
		if hasPrefixFold(b[off+j:], needle) {
			return off + j
		}
		off += j + 1
	}
}

// collapseSpace turns every whitespace run into one space and the
// typographic apostrophe into ASCII, so the Django footer matches however
// its sentence is broken.
func collapseSpace(s string) string {
	s = strings.ReplaceAll(s, "\u2019", "'")
	var sb strings.Builder
	sb.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v' {
			space = true
			continue
		}
		if c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0 { // non-breaking space
			space = true
			i++
			continue
		}
		if space && sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		space = false
		sb.WriteByte(c)
	}
	return sb.String()
}

func exceptionHead(text string, body []byte, format string) string {
	if format == "html" {
		return titleOf(body)
	}
	if m := reDjangoTextHead.FindStringSubmatch(text); m != nil {
		return clip(m[0], 120)
	}
	return ""
}

func titleOf(body []byte) string {
	if m := reHTMLTitle.FindSubmatch(body[:min(len(body), 64<<10)]); m != nil {
		return clip(collapseSpace(html.UnescapeString(string(m[1]))), 120)
	}
	return ""
}

func pyException(tb string) string {
	tb = tb[:min(len(tb), 64<<10)]
	ms := rePyExcLine.FindAllStringSubmatch(tb, -1)
	if len(ms) == 0 {
		return ""
	}
	return clip(strings.TrimSpace(ms[len(ms)-1][1]), 120)
}

// nodeTrace requires two frames, so one "at /path:1:2" in prose is not a
// stack trace.
func nodeTrace(text string, at int) bool {
	return len(reNodeFrame.FindAllStringIndex(text[at:min(len(text), at+4000)], 2)) == 2
}

func lineBefore(text string, at int) string {
	s := strings.LastIndexByte(text[:at], '\n')
	if s < 0 {
		s = 0
	}
	return clip(strings.TrimSpace(text[s:at]), 100)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// redactExcerpt masks secrets and PII that an exception message might carry.
func redactExcerpt(s string) string {
	return clip(string(Redact([]byte(s))), 200)
}
