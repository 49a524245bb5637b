package exposurecheck

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	pathpkg "path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/similar"
	"github.com/crossgate/crossgate/probe"
)

// wellKnown is a file that should never be served, with the rule it proves and a content
// validator: a 200 alone proves nothing (soft-404 pages, SPAs and catch-all routes answer
// 200 for every path), so a hit needs the file's own structure.
type wellKnown struct {
	path string
	rule string
	// validate reports whether body has the file's structure, and says what it holds
	// (counts and kinds, never values).
	validate func(body []byte, contentType string) (bool, string)
}

// wellKnownFiles is the bounded list probed at the site root and at the target's directory:
// 27 paths, the ones a Django deployment behind nginx leaks most (environment files, VCS
// metadata, Django/gunicorn logs, settings backups, SQLite databases and dumps) and the
// credential files nuclei's templates and ZAP's file finders look for. Credential stores
// (.htpasswd, .netrc, .npmrc, .aws/credentials, .git-credentials) are reported as
// exposed-env-file: like .env, they are configuration that holds credentials.
var wellKnownFiles = []wellKnown{
	{".env", "exposed-env-file", validateEnv},
	{".env.local", "exposed-env-file", validateEnv},
	{".env.production", "exposed-env-file", validateEnv},
	{".env.bak", "exposed-env-file", validateEnv},
	{".git/HEAD", "exposed-vcs-metadata", validateGitHEAD},
	{".git/config", "exposed-vcs-metadata", validateGitConfig},
	{".svn/entries", "exposed-vcs-metadata", validateSVNEntries},
	{".hg/hgrc", "exposed-vcs-metadata", validateHgrc},
	{"debug.log", "exposed-log-file", validateLog},
	{"django.log", "exposed-log-file", validateLog},
	{"error.log", "exposed-log-file", validateLog},
	{"logs/debug.log", "exposed-log-file", validateLog},
	{"logs/django.log", "exposed-log-file", validateLog},
	{"logs/error.log", "exposed-log-file", validateLog},
	{"settings.py.bak", "exposed-backup-file", validateSettings},
	{"settings.py~", "exposed-backup-file", validateSettings},
	{"settings.py.old", "exposed-backup-file", validateSettings},
	{"local_settings.py.bak", "exposed-backup-file", validateSettings},
	{"db.sqlite3", "exposed-backup-file", validateSQLite},
	{"dump.sql", "exposed-backup-file", validateSQLDump},
	{"backup.sql", "exposed-backup-file", validateSQLDump},
	{"database.sql", "exposed-backup-file", validateSQLDump},
	{".htpasswd", "exposed-env-file", validateHtpasswd},
	{".netrc", "exposed-env-file", validateNetrc},
	{".aws/credentials", "exposed-env-file", validateAWSCredentials},
	{".npmrc", "exposed-env-file", validateNpmrc},
	{".git-credentials", "exposed-env-file", validateGitCredentials},
}

// nestedFiles are the few also probed in the target's own directory (an app folder served by
// a root directive leaks these there); the full list is probed at the site root only, which
// keeps a scan of /api/profile to 5 extra requests instead of 27.
var nestedFiles = map[string]bool{".env": true, ".git/HEAD": true, "debug.log": true, "logs/debug.log": true, "db.sqlite3": true}

// soft404Threshold: a candidate at least this similar to a soft-404 answer is that answer.
const soft404Threshold = 0.9

// fileWorkers bounds concurrent file probes; the client's rate limit still applies.
const fileWorkers = 3

// bases returns the directories to probe: the site root, and the target's directory when
// it differs.
func bases(u *url.URL) []string {
	out := []string{"/"}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	dir := p
	if !strings.HasSuffix(dir, "/") {
		dir = pathpkg.Dir(dir)
		if !strings.HasSuffix(dir, "/") {
			dir += "/"
		}
	}
	if dir != "/" && dir != "./" {
		out = append(out, dir)
	}
	return out
}

type candidate struct {
	file wellKnown
	path string // URL path, e.g. /api/.env
	url  string
}

// fileFindings learns each base's soft-404 answers, probes the well-known files and
// reports those whose content validates and that do not look like a soft-404.
func (r *sweep) fileFindings(ctx context.Context) []finding.Finding {
	origin := r.env.URL.Scheme + "://" + r.env.URL.Host
	var soft [][]signature
	var cands []candidate
	seen := map[string]bool{}
	for _, base := range bases(r.env.URL) {
		tok := randomHex(8)
		paths := []string{base + "crossgate-" + tok, base + ".crossgate-" + tok + ".log"}
		urls := []string{origin + paths[0], origin + paths[1]}
		exs := r.fetchAll(ctx, urls)
		var sigs []signature
		for i, ex := range exs {
			if ex.OK() {
				sigs = append(sigs, sign(ex, paths[i], tok))
			}
		}
		if len(sigs) == 0 {
			// The base answers nothing (refused, timed out): probing files there is waste.
			soft = append(soft, nil)
			continue
		}
		soft = append(soft, sigs)
		for _, f := range wellKnownFiles {
			p := base + f.path
			if base != "/" && !nestedFiles[f.path] {
				continue
			}
			if seen[p] {
				continue
			}
			seen[p] = true
			cands = append(cands, candidate{file: f, path: p, url: origin + p})
		}
	}
	urls := make([]string, len(cands))
	for i, c := range cands {
		urls[i] = c.url
	}
	exs := r.fetchAll(ctx, urls)
	var fs []finding.Finding
	// The same bytes at two paths (/.env and /api/.env behind one alias) are one leak.
	sameContent := map[string]int{}
	for i, c := range cands {
		ex := exs[i]
		if !ex.OK() || ex.Status != 200 || len(ex.Body) == 0 {
			continue
		}
		if isSoft404(ex, c.path, soft) {
			continue
		}
		ok, what := c.file.validate(ex.Body, ex.Header.Get("Content-Type"))
		if !ok {
			continue
		}
		// A traceback inside a served log is the log's content, reported by the file rule,
		// not an error page of this endpoint.
		if r.servedFile == nil {
			r.servedFile = map[*probe.Exchange]bool{}
		}
		r.servedFile[ex] = true
		key := c.file.rule + "\x00" + string(ex.Body)
		if j, dup := sameContent[key]; dup {
			fs[j].Evidence.Notes = append(fs[j].Evidence.Notes, "the same content is also served at "+c.path)
			continue
		}
		sameContent[key] = len(fs)
		fs = append(fs, r.fileFinding(c, ex, what))
	}
	return fs
}

// fetchAll GETs urls with a few workers and records the exchanges in order.
func (r *sweep) fetchAll(ctx context.Context, urls []string) []*probe.Exchange {
	out := make([]*probe.Exchange, len(urls))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(fileWorkers, len(urls)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i] = r.env.Client.Do(ctx, probe.Request{URL: urls[i], Identity: r.env.User})
			}
		}()
	}
	for i := range urls {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	var got []*probe.Exchange
	for i, ex := range out {
		if ex == nil {
			ex = &probe.Exchange{Method: "GET", URL: urls[i], Err: ctx.Err(), Alert: -1}
			out[i] = ex
		}
		got = append(got, ex)
	}
	r.seen = append(r.seen, got...)
	return out
}

func isSoft404(ex *probe.Exchange, path string, soft [][]signature) bool {
	s := sign(ex, path, pathpkg.Base(path))
	for _, sigs := range soft {
		for _, t := range sigs {
			if similarity(s, t) >= soft404Threshold {
				return true
			}
		}
	}
	return false
}

// signature summarises a response for soft-404 comparison: status, length and the set of
// hashed 3-token shingles of the body with the requested path removed (many not-found pages
// echo the path).
type signature struct {
	status   int
	length   int
	shingles similar.Set
}

// signBytes is how much of a body the signature reads; not-found pages are small.
const signBytes = 64 << 10

func sign(ex *probe.Exchange, strip ...string) signature {
	b := ex.Body
	if len(b) > signBytes {
		b = b[:signBytes]
	}
	s := string(b)
	for _, x := range strip {
		if x != "" {
			s = strings.ReplaceAll(s, x, " ")
		}
	}
	return signature{status: ex.Status, length: len(ex.Body), shingles: shingles(s)}
}

func shingles(s string) similar.Set {
	return similar.Shingles(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
}

// similarity is the Jaccard index of the shingle sets; two empty bodies are the same page.
func similarity(a, b signature) float64 {
	if len(a.shingles) == 0 && len(b.shingles) == 0 {
		if a.length == 0 && b.length == 0 {
			return 1
		}
		// Bodies without a single word (binary, punctuation): compare by size only.
		if a.length == b.length {
			return 1
		}
		return 0
	}
	return similar.Jaccard(a.shingles, b.shingles)
}

func (r *sweep) fileFinding(c candidate, ex *probe.Exchange, what string) finding.Finding {
	f := finding.New(c.file.rule)
	ms := exposure.Scan(ex.Body)
	pii, secrets := exposure.Labels(ms)
	spans := make([]span, 0, len(ms))
	for _, m := range ms {
		spans = append(spans, span{Start: m.Start, End: m.End, Value: m.Value})
	}
	size := fmt.Sprintf("%d bytes", len(ex.Body))
	if ex.BodyTruncated {
		size = fmt.Sprintf("more than %d bytes; only the first %d were read", len(ex.Body), len(ex.Body))
	}
	detail := fmt.Sprintf("%s is served (HTTP 200, %s): %s", c.path, size, what)
	var holds []string
	if len(secrets) > 0 {
		holds = append(holds, describeMatches(ms, exposure.Secret))
	}
	if len(pii) > 0 {
		holds = append(holds, describeMatches(ms, exposure.PII))
	}
	if len(holds) > 0 {
		detail += "; it holds " + strings.Join(holds, " and ") + " (redacted)"
	}
	f.Detail = detail + "."

	switch {
	case len(secrets) == 0:
		f.SetSeverity(f.BaseSeverity, "Base severity: the file is served to anyone who asks, but no secret was found in what was read.")
	case c.file.rule == "exposed-log-file":
		f.SetSeverity(finding.High, "the served log holds "+describeMatches(ms, exposure.Secret)+".")
	default:
		// Env files, backups and VCS metadata with credentials inside hand them to any reader.
		f.SetSeverity(finding.Critical, "the served file holds "+describeMatches(ms, exposure.Secret)+", usable by anyone who fetches it.")
	}
	notes := []string{"validated: " + what, "soft-404 baseline: two random paths; this answer differs from both"}
	for i, m := range ms {
		if i == maxNotes {
			notes = append(notes, fmt.Sprintf("… and %d more matches", len(ms)-maxNotes))
			break
		}
		v := exposure.Mask(m.Value)
		if r.show() {
			v = m.Value
		}
		notes = append(notes, fmt.Sprintf("%s at offset %d: %s", m.Label, m.Start, v))
	}
	proof := ex
	if c.file.rule == "exposed-env-file" || c.file.rule == "exposed-backup-file" {
		// Configuration files hold credentials the detectors cannot all recognise (a
		// password is any string): every assigned value is masked, not only the matched ones.
		cp := *ex
		cp.Body = maskAssignments(ex.Body)
		if !r.show() {
			proof = &cp
		}
	}
	f.Evidence = r.evidence(proof, spans, notes...)
	f.Remediation = remediationFile(c.file.rule, stack(r.env))
	r.stampAt(&f, c.url, c.path)
	return f
}

func remediationFile(rule, stack string) string {
	var s string
	switch rule {
	case "exposed-env-file":
		s = "Move environment and credential files out of the web root (or deny them) and rotate every credential they held."
	case "exposed-vcs-metadata":
		s = "Deploy build artefacts, not a working copy; deny the VCS directory in the web server, and treat the repository's history (and any credentials in it) as public."
	case "exposed-log-file":
		s = "Write logs outside the web root (e.g. /var/log/app), deny *.log in the web server, and rotate any credential the logs held."
	default:
		s = "Remove backups, dumps and database files from the web root; keep them outside anything the web server serves, and rotate credentials they held."
	}
	if stack == "nginx" || stack == "django" {
		s += " nginx: serve only STATIC_ROOT/MEDIA_ROOT (never the project directory) and add `location ~ /\\. { deny all; }` for dotfiles."
	}
	return s
}

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
	toks := strings.Fields(string(firstN(body, signBytes)))
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

func firstN(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// reAssignment finds "KEY=value", "KEY = 'value'", "'KEY': 'value'," and "key: value" lines
// of env, INI, npmrc and Python settings files; group 2 is the value.
var reAssignment = regexp.MustCompile(`(?m)^(\s*(?:export\s+)?['"]?[A-Za-z_/@][\w.:/@-]*['"]?\s*[=:]\s*)([^\r\n]*?)(,?\s*)$`)

// reNetrcPassword: the token after "password" in a .netrc.
var reNetrcPassword = regexp.MustCompile(`(\bpassword\s+)(\S+)`)

// maskAssignments masks every assigned value longer than five characters that is not a
// boolean, number or opening bracket, keeping quotes, so the evidence shows the file's
// shape (which keys it sets) and none of its values.
func maskAssignments(body []byte) []byte {
	out := reAssignment.ReplaceAllFunc(body, func(line []byte) []byte {
		m := reAssignment.FindSubmatch(line)
		if m == nil {
			return line
		}
		v := string(m[2])
		core := strings.Trim(v, `"'`)
		if len(core) <= 5 || isPlainValue(core) {
			return line
		}
		q := v[:len(v)-len(strings.TrimLeft(v, `"'`))]
		tail := v[len(strings.TrimRight(v, `"'`)):]
		return []byte(string(m[1]) + q + exposure.Mask(core) + tail + string(m[3]))
	})
	return reNetrcPassword.ReplaceAllFunc(out, func(b []byte) []byte {
		m := reNetrcPassword.FindSubmatch(b)
		return []byte(string(m[1]) + exposure.Mask(string(m[2])))
	})
}

func isPlainValue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "none", "null", "yes", "no", "on", "off":
		return true
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return true
	}
	return strings.ContainsAny(v[:1], "{[(")
}
