package exposurecheck

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Content validators. Each is a parser of untrusted bytes: bounded (they read the first
// lines only) and total (garbage returns false).

const validateLines = 200

func firstLines(body []byte) []string {
	if len(body) > signBytes {
		body = body[:signBytes]
	}
	lines := strings.Split(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n")
	if len(lines) > validateLines {
		lines = lines[:validateLines]
	}
	return lines
}

// meaningful returns the non-empty lines that are not comments.
func meaningful(lines []string, comment string) []string {
	var out []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || (comment != "" && strings.HasPrefix(t, comment)) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// isHTML: soft-404 pages and SPA shells are HTML; none of the files probed is.
func isHTML(body []byte, contentType string) bool {
	if strings.Contains(strings.ToLower(contentType), "html") {
		return true
	}
	head := body
	if len(head) > 1024 {
		head = head[:1024]
	}
	h := bytes.ToLower(bytes.TrimSpace(head))
	return bytes.HasPrefix(h, []byte("<!doctype")) || bytes.Contains(h, []byte("<html")) ||
		bytes.Contains(h, []byte("<body")) || bytes.Contains(h, []byte("<head"))
}

var reEnvLine = regexp.MustCompile(`^(?:export\s+)?[A-Z][A-Z0-9_]*\s*=`)

// validateEnv: at least two KEY=value lines with upper-case keys, and the first meaningful
// line is one of them (prose, JSON and HTML never start that way).
func validateEnv(body []byte, ct string) (bool, string) {
	if isHTML(body, ct) {
		return false, ""
	}
	lines := meaningful(firstLines(body), "#")
	n := 0
	for _, l := range lines {
		if reEnvLine.MatchString(l) {
			n++
		}
	}
	if n < 2 || !reEnvLine.MatchString(lines[0]) {
		return false, ""
	}
	return true, fmt.Sprintf("%d KEY=value lines", n)
}

var reHex40 = regexp.MustCompile(`^[0-9a-f]{40}(?:[0-9a-f]{24})?$`)

func validateGitHEAD(body []byte, ct string) (bool, string) {
	if isHTML(body, ct) {
		return false, ""
	}
	lines := meaningful(firstLines(body), "")
	if len(lines) == 0 || len(lines) > 2 {
		return false, ""
	}
	switch {
	case strings.HasPrefix(lines[0], "ref: refs/"):
		return true, "a Git HEAD reference (the repository under .git/ can likely be downloaded)"
	case reHex40.MatchString(lines[0]):
		return true, "a detached Git HEAD commit id (the repository under .git/ can likely be downloaded)"
	}
	return false, ""
}

func validateGitConfig(body []byte, ct string) (bool, string) {
	if isHTML(body, ct) {
		return false, ""
	}
	core, remotes := false, 0
	for _, l := range meaningful(firstLines(body), "#") {
		switch {
		case l == "[core]":
			core = true
		case strings.HasPrefix(l, "[remote "):
			remotes++
		}
	}
	if !core {
		return false, ""
	}
	what := "a Git repository configuration ([core] section)"
	if remotes > 0 {
		what += fmt.Sprintf(" naming %d remote(s)", remotes)
	}
	return true, what
}

// validateSVNEntries: since Subversion 1.7 the file holds only the format number (12);
// older working copies start with the format number (8-10) followed by entries, and
// format 4 is XML with <wc-entries.
func validateSVNEntries(body []byte, ct string) (bool, string) {
	if bytes.Contains(body, []byte("<wc-entries")) {
		return true, "Subversion working-copy entries (XML format)"
	}
	if isHTML(body, ct) {
		return false, ""
	}
	lines := meaningful(firstLines(body), "")
	if len(lines) == 0 {
		return false, ""
	}
	n, err := strconv.Atoi(lines[0])
	if err != nil || n < 4 || n > 12 {
		return false, ""
	}
	if len(lines) == 1 || bytes.Contains(body, []byte("\ndir\n")) {
		return true, fmt.Sprintf("Subversion working-copy entries (format %d)", n)
	}
	return false, ""
}

var hgSections = map[string]bool{"[paths]": true, "[ui]": true, "[extensions]": true, "[hooks]": true,
	"[web]": true, "[auth]": true, "[phases]": true}

var reINIKey = regexp.MustCompile(`^[A-Za-z0-9_.-]+\s*=`)

func validateHgrc(body []byte, ct string) (bool, string) {
	if isHTML(body, ct) {
		return false, ""
	}
	section, keys := false, 0
	for _, l := range meaningful(firstLines(body), "#") {
		switch {
		case hgSections[l]:
			section = true
		case reINIKey.MatchString(l):
			keys++
		}
	}
	if !section || keys == 0 {
		return false, ""
	}
	return true, "a Mercurial repository configuration"
}

var reLogLine = []*regexp.Regexp{
	// ISO timestamps: Python logging's asctime, gunicorn, most frameworks.
	regexp.MustCompile(`^\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?`),
	// Django runserver: [02/Dec/2026 10:00:00]
	regexp.MustCompile(`^\[\d{2}/[A-Z][a-z]{2}/\d{4}[ :]\d{2}:\d{2}:\d{2}\]`),
	// Common/combined access log: host ident user [02/Dec/2026:10:00:00 +0000]
	regexp.MustCompile(`^\S+ \S+ \S+ \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]`),
	// syslog: Dec  2 10:00:00 host
	regexp.MustCompile(`^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} `),
	// Python logging's default format (LEVEL:logger:message) and [LEVEL] prefixes.
	regexp.MustCompile(`^\[?(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\]?(?::[\w.]+:|\s)`),
}

func validateLog(body []byte, ct string) (bool, string) {
	if isHTML(body, ct) {
		return false, ""
	}
	n := 0
	for _, l := range meaningful(firstLines(body), "") {
		for _, re := range reLogLine {
			if re.MatchString(l) {
				n++
				break
			}
		}
	}
	if n < 2 {
		return false, ""
	}
	return true, fmt.Sprintf("%d log lines with timestamps or levels in the first %d lines", n, validateLines)
}

var sqliteMagic = []byte("SQLite format 3\x00")

func validateSQLite(body []byte, _ string) (bool, string) {
	if !bytes.HasPrefix(body, sqliteMagic) {
		return false, ""
	}
	return true, "an SQLite 3 database file"
}

var reSQLStmt = regexp.MustCompile(`(?i)^(?:CREATE TABLE|INSERT INTO|DROP TABLE|ALTER TABLE|LOCK TABLES|COPY \S+ .*FROM stdin|PRAGMA |BEGIN TRANSACTION|-- MySQL dump|-- PostgreSQL database dump)`)
var reSQLData = regexp.MustCompile(`(?i)^(?:CREATE TABLE|INSERT INTO|COPY \S+ .*FROM stdin)`)

func validateSQLDump(body []byte, ct string) (bool, string) {
	if isHTML(body, ct) {
		return false, ""
	}
	stmts, data := 0, 0
	for _, l := range meaningful(firstLines(body), "") {
		if reSQLStmt.MatchString(l) {
			stmts++
		}
		if reSQLData.MatchString(l) {
			data++
		}
	}
	if data == 0 || stmts < 2 {
		return false, ""
	}
	return true, fmt.Sprintf("an SQL dump (%d schema/data statements in the first %d lines)", stmts, validateLines)
}

var reSettingsAssign = regexp.MustCompile(`^(SECRET_KEY|DATABASES|INSTALLED_APPS|ALLOWED_HOSTS|DEBUG|MIDDLEWARE|ROOT_URLCONF|TEMPLATES|WSGI_APPLICATION|STATIC_URL|STATIC_ROOT|EMAIL_HOST_PASSWORD|AUTH_PASSWORD_VALIDATORS|CACHES)\s*=\s*(.?)`)

// validateSettings: Python assignments of Django settings names, at least two distinct ones
// or a SECRET_KEY assigned a string literal.
func validateSettings(body []byte, ct string) (bool, string) {
	if isHTML(body, ct) {
		return false, ""
	}
	names := map[string]bool{}
	var order []string
	secretLiteral := false
	for _, l := range meaningful(firstLines(body), "#") {
		m := reSettingsAssign.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if !names[m[1]] {
			names[m[1]] = true
			order = append(order, m[1])
		}
		if m[1] == "SECRET_KEY" && (m[2] == "'" || m[2] == `"`) {
			secretLiteral = true
		}
	}
	if len(order) < 2 && !secretLiteral {
		return false, ""
	}
	return true, "Django settings assignments (" + strings.Join(order, ", ") + ")"
}

var reHtpasswd = regexp.MustCompile(`^[^:\s#]+:(?:\$apr1\$|\{SHA\}|\$2[abxy]?\$|\$1\$|\$5\$|\$6\$|\$argon2|[A-Za-z0-9./]{13}$)`)

func validateHtpasswd(body []byte, ct string) (bool, string) {
	if isHTML(body, ct) {
		return false, ""
	}
	return mostLinesMatch(meaningful(firstLines(body), "#"), reHtpasswd, "password hash line(s) (user:hash)")
}

var reGitCred = regexp.MustCompile(`^https?://[^:/\s@]+:[^@\s]+@[^\s/]+`)

func validateGitCredentials(body []byte, ct string) (bool, string) {
	if isHTML(body, ct) {
		return false, ""
	}
	return mostLinesMatch(meaningful(firstLines(body), "#"), reGitCred, "stored Git credential URL(s) (user:password@host)")
}

// mostLinesMatch: at least one line, and at least 80% of the lines, match re.
func mostLinesMatch(lines []string, re *regexp.Regexp, what string) (bool, string) {
	n := 0
	for _, l := range lines {
		if re.MatchString(l) {
			n++
		}
	}
	if n == 0 || n*5 < len(lines)*4 {
		return false, ""
	}
	return true, fmt.Sprintf("%d %s", n, what)
}

func validateNetrc(body []byte, ct string) (bool, string) {
	if isHTML(body, ct) {
		return false, ""
	}
	toks := strings.Fields(string(body[:min(len(body), signBytes)]))
	machines, login, password := 0, false, false
	for i := 0; i+1 < len(toks); i++ {
		switch toks[i] {
		case "machine":
			machines++
		case "default":
			machines++
		case "login":
			login = true
		case "password":
			password = true
		}
	}
	if machines == 0 || !login || !password {
		return false, ""
	}
	return true, fmt.Sprintf("%d netrc machine entr(ies) with login and password", machines)
}

var reAWSKeyLine = regexp.MustCompile(`(?i)^aws_access_key_id\s*=`)

func validateAWSCredentials(body []byte, ct string) (bool, string) {
	if isHTML(body, ct) {
		return false, ""
	}
	section, keys := false, 0
	for _, l := range meaningful(firstLines(body), "#") {
		switch {
		case strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]"):
			section = true
		case reAWSKeyLine.MatchString(l):
			keys++
		}
	}
	if !section || keys == 0 {
		return false, ""
	}
	return true, fmt.Sprintf("an AWS shared credentials file (%d profile key(s))", keys)
}

var (
	reNpmLine = regexp.MustCompile(`^[@/\w.:-]+\s*=`)
	reNpmAuth = regexp.MustCompile(`(?:^|:)(?:_authToken|_auth|_password)\s*=|^(?:@[\w.-]+:)?registry\s*=\s*https?://|^always-auth\s*=`)
)

func validateNpmrc(body []byte, ct string) (bool, string) {
	if isHTML(body, ct) {
		return false, ""
	}
	lines := meaningful(firstLines(body), "#")
	if len(lines) == 0 || !reNpmLine.MatchString(lines[0]) {
		return false, ""
	}
	auth := 0
	for _, l := range lines {
		if reNpmAuth.MatchString(l) {
			auth++
		}
	}
	if auth == 0 {
		return false, ""
	}
	return true, fmt.Sprintf("an npm configuration (%d registry/auth line(s))", auth)
}
