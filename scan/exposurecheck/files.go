package exposurecheck

import (
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
	"github.com/crossgate/crossgate/remedy"
)

var ruleExposedEnvFile = finding.Rule{
	ID: "exposed-env-file", Family: "exposure", Severity: finding.High, CWE: []string{"CWE-538", "CWE-540"}, OWASP: "API8:2023",
	Title:   "Environment file served",
	Summary: ".env-style files served, content-verified.",
	Advice:  "Move environment and credential files out of the web root (or deny them) and rotate every credential they held.",
}

var ruleExposedLogFile = finding.Rule{
	ID: "exposed-log-file", Family: "exposure", Severity: finding.Medium, CWE: []string{"CWE-532"}, OWASP: "API8:2023",
	Title:   "Log file served",
	Summary: "log files served, content-verified.",
	Advice:  "Write logs outside the web root (e.g. /var/log/app), deny *.log in the web server, and rotate any credential the logs held.",
}

var ruleExposedVCSMetadata = finding.Rule{
	ID: "exposed-vcs-metadata", Family: "exposure", Severity: finding.High, CWE: []string{"CWE-538"}, OWASP: "API8:2023",
	Title:   "Version-control metadata served",
	Summary: ".git/ (or .svn, .hg) metadata served.",
	Advice:  "Deploy build artefacts, not a working copy; deny the VCS directory in the web server, and treat the repository's history (and any credentials in it) as public.",
}

var ruleExposedBackupFile = finding.Rule{
	ID: "exposed-backup-file", Family: "exposure", Severity: finding.High, CWE: []string{"CWE-538"}, OWASP: "API8:2023",
	Title:   "Backup or database file served",
	Summary: "backups, dumps, db.sqlite3, settings.py.bak and friends served.",
	Advice:  "Remove backups, dumps and database files from the web root; keep them outside anything the web server serves, and rotate credentials they held.",
}

// wellKnown is a file that should never be served, with the rule it proves and a content
// validator: a 200 alone proves nothing (soft-404 pages, SPAs and catch-all routes answer
// 200 for every path), so a hit needs the file's own structure.
type wellKnown struct {
	path string
	rule finding.Rule
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
	{".env", ruleExposedEnvFile, validateEnv},
	{".env.local", ruleExposedEnvFile, validateEnv},
	{".env.production", ruleExposedEnvFile, validateEnv},
	{".env.bak", ruleExposedEnvFile, validateEnv},
	{".git/HEAD", ruleExposedVCSMetadata, validateGitHEAD},
	{".git/config", ruleExposedVCSMetadata, validateGitConfig},
	{".svn/entries", ruleExposedVCSMetadata, validateSVNEntries},
	{".hg/hgrc", ruleExposedVCSMetadata, validateHgrc},
	{"debug.log", ruleExposedLogFile, validateLog},
	{"django.log", ruleExposedLogFile, validateLog},
	{"error.log", ruleExposedLogFile, validateLog},
	{"logs/debug.log", ruleExposedLogFile, validateLog},
	{"logs/django.log", ruleExposedLogFile, validateLog},
	{"logs/error.log", ruleExposedLogFile, validateLog},
	{"settings.py.bak", ruleExposedBackupFile, validateSettings},
	{"settings.py~", ruleExposedBackupFile, validateSettings},
	{"settings.py.old", ruleExposedBackupFile, validateSettings},
	{"local_settings.py.bak", ruleExposedBackupFile, validateSettings},
	{"db.sqlite3", ruleExposedBackupFile, validateSQLite},
	{"dump.sql", ruleExposedBackupFile, validateSQLDump},
	{"backup.sql", ruleExposedBackupFile, validateSQLDump},
	{"database.sql", ruleExposedBackupFile, validateSQLDump},
	{".htpasswd", ruleExposedEnvFile, validateHtpasswd},
	{".netrc", ruleExposedEnvFile, validateNetrc},
	{".aws/credentials", ruleExposedEnvFile, validateAWSCredentials},
	{".npmrc", ruleExposedEnvFile, validateNpmrc},
	{".git-credentials", ruleExposedEnvFile, validateGitCredentials},
}

// companions maps a file to one that exists wherever it does: it is asked for only in a
// directory where that one was found served (.git/config lives beside .git/HEAD in every
// repository, so a directory that does not serve HEAD serves no config either).
var companions = map[string]string{".git/config": ".git/HEAD"}

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
	base string // the directory probed, e.g. /api/
	path string // URL path, e.g. /api/.env
	url  string
}

// fileFindings probes the well-known files and reports those whose content validates and
// that do not look like a soft-404, in two rounds: the files that stand alone, then those
// asked for only beside their companion found served. The soft-404 answers of the bases are
// learned only once a file validates: a file that is refused, missing or not of its kind is
// no finding whatever the server answers for missing paths, so on most sites that learning
// is never needed.
func (r *sweep) fileFindings(ctx context.Context) []finding.Finding {
	if !r.missing.OK() {
		// The site answered nothing for a missing path (refused, timed out): probing files
		// there is waste.
		return nil
	}
	origin := r.env.URL.Scheme + "://" + r.env.URL.Host
	var cands, later []candidate
	seen := map[string]bool{}
	for _, base := range bases(r.env.URL) {
		for _, f := range wellKnownFiles {
			p := base + f.path
			if base != "/" && !nestedFiles[f.path] {
				continue
			}
			if seen[p] {
				continue
			}
			seen[p] = true
			c := candidate{file: f, base: base, path: p, url: origin + p}
			if companions[f.path] != "" {
				later = append(later, c)
			} else {
				cands = append(cands, c)
			}
		}
	}
	served := r.judgeFiles(ctx, origin, cands)
	var next []candidate
	for _, c := range later {
		if served[c.base+companions[c.file.path]] {
			next = append(next, c)
		}
	}
	r.judgeFiles(ctx, origin, next)
	return r.files
}

// judgeFiles GETs the candidates and keeps a finding (in r.files) for each whose content
// validates and that does not look like a soft-404; it returns the paths of those.
func (r *sweep) judgeFiles(ctx context.Context, origin string, cands []candidate) map[string]bool {
	if len(cands) == 0 {
		return nil
	}
	urls := make([]string, len(cands))
	for i, c := range cands {
		urls[i] = c.url
	}
	exs := r.fetchAll(ctx, urls)
	served := map[string]bool{}
	for i, c := range cands {
		ex := exs[i]
		if !ex.OK() || ex.Status != 200 || len(ex.Body) == 0 {
			continue
		}
		ok, what := c.file.validate(ex.Body, ex.Header.Get("Content-Type"))
		if !ok {
			continue
		}
		if !r.softLearned {
			r.soft, r.softLearned = r.learnSoft404(ctx, origin), true
		}
		if isSoft404(ex, c.path, r.soft) {
			continue
		}
		served[c.path] = true
		// A traceback inside a served log is the log's content, reported by the file rule,
		// not an error page of this endpoint.
		if r.servedFile == nil {
			r.servedFile = map[*probe.Exchange]bool{}
		}
		r.servedFile[ex] = true
		// The same bytes at two paths (/.env and /api/.env behind one alias) are one leak.
		if r.sameContent == nil {
			r.sameContent = map[string]int{}
		}
		key := c.file.rule.ID + "\x00" + string(ex.Body)
		if j, dup := r.sameContent[key]; dup {
			r.files[j].Evidence.Notes = append(r.files[j].Evidence.Notes, "the same content is also served at "+c.path)
			continue
		}
		r.sameContent[key] = len(r.files)
		r.files = append(r.files, r.fileFinding(c, ex, what))
	}
	return served
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

// learnSoft404 asks each base for two random paths (a plain name and a dotfile) and returns
// the answers' signatures, per base.
func (r *sweep) learnSoft404(ctx context.Context, origin string) [][]signature {
	var soft [][]signature
	for _, base := range bases(r.env.URL) {
		tok := r.env.Token(8)
		paths := []string{base + "crossgate-" + tok, base + ".crossgate-" + tok + ".log"}
		exs := r.fetchAll(ctx, []string{origin + paths[0], origin + paths[1]})
		var sigs []signature
		for i, ex := range exs {
			if ex.OK() {
				sigs = append(sigs, sign(ex, paths[i], tok))
			}
		}
		soft = append(soft, sigs)
	}
	return soft
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
	f := finding.New(c.file.rule.ID)
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
	case c.file.rule.ID == ruleExposedLogFile.ID:
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
	if c.file.rule.ID == ruleExposedLogFile.ID && !r.show() {
		cp := *ex
		cp.Body = maskLogCredentials(ex.Body)
		proof = &cp
	}
	if c.file.rule.ID == ruleExposedEnvFile.ID || c.file.rule.ID == ruleExposedBackupFile.ID {
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

// remediationFile is the rule's advice, with the nginx rule that keeps dotfiles and the
// project directory unserved when the target runs nginx or Django.
func remediationFile(rule finding.Rule, stack remedy.Stack) string {
	s := rule.Advice
	if stack.Proxy == remedy.Nginx || stack.App == remedy.Django {
		s += " nginx: serve only STATIC_ROOT/MEDIA_ROOT (never the project directory) and add `location ~ /\\. { deny all; }` for dotfiles."
	}
	return s
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
