// Package audit runs crossgate's static checks over directories and files: nginx configs,
// Django projects, and secrets committed in any text file. It walks the tree once, honours
// .crossgateignore and inline "crossgate:ignore" comments, and returns one report.
package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/crossgate/crossgate/audit/django"
	"github.com/crossgate/crossgate/audit/nginx"
	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/prose"
	"github.com/crossgate/crossgate/report"
)

// Options tune an audit.
type Options struct {
	// ShowSecrets prints secret values unmasked in evidence.
	ShowSecrets bool
	// Ignore holds extra .crossgateignore-style patterns, relative to each root.
	Ignore []string
}

const (
	maxFileSize = 5 << 20
	binarySniff = 8 << 10
)

var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "vendor": true, "node_modules": true,
	"__pycache__": true, ".venv": true, "venv": true, "site-packages": true, ".tox": true,
	".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true,
	// pip, setuptools and others vendor whole libraries under _vendor / _vendored.
	"_vendor": true, "_vendored": true, "vendored": true,
}

// lockfiles hold package hashes and registry URLs that look like secrets and never are.
var lockfiles = map[string]bool{
	"package-lock.json": true, "yarn.lock": true, "pnpm-lock.yaml": true, "poetry.lock": true,
	"Pipfile.lock": true, "go.sum": true, "Cargo.lock": true, "composer.lock": true,
	"Gemfile.lock": true, "uv.lock": true, "pdm.lock": true, "npm-shrinkwrap.json": true,
}

// NotFoundError is returned when a path given to Run does not exist or cannot be read.
type NotFoundError struct {
	Path string
	Err  error
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("cannot audit %s: %v", e.Path, e.Err) }
func (e *NotFoundError) Unwrap() error { return e.Err }

// Run audits every path (directories or files) and returns one report with a target per path,
// plus a failed target for each config file that could not be parsed. A path that does not
// exist is an error; a broken file inside a tree is not.
func Run(ctx context.Context, paths []string, opts Options) (*report.Report, error) {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, &NotFoundError{Path: p, Err: unwrapPathError(err)}
		}
	}
	r := &report.Report{Tool: "crossgate", Command: "audit"}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fs, targets, err := auditPath(ctx, p, opts)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil, err
			}
			targets = []report.Target{{Path: p, Error: err.Error()}}
		}
		r.Findings = append(r.Findings, fs...)
		r.Targets = append(r.Targets, targets...)
	}
	r.Finalize()
	return r, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// run is the state of one audited path.
type run struct {
	ctx     context.Context
	opts    Options
	given   string // the path as given
	root    string // directory findings are relative to
	ig      *ignorer
	target  report.Target
	extra   []report.Target
	out     []finding.Finding
	texts   []string // text files examined (absolute or as joined)
	nginx   []string
	pyFiles []string
	lines   map[string][]string
	pending []pendingSecret
	files   []string // regular files found by walk, in walk order
	// appHeaders caches appIdentityHeaders.
	appHeaders *[]nginx.AppHeader
}

type pendingSecret struct {
	f        finding.Finding
	detector string
}

func auditPath(ctx context.Context, p string, opts Options) ([]finding.Finding, []report.Target, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	ru := &run{ctx: ctx, opts: opts, given: p, target: report.Target{Path: filepath.ToSlash(p)}, lines: map[string][]string{}}
	single := !st.IsDir()
	if single {
		ru.root = filepath.Dir(p)
	} else {
		ru.root = p
	}
	ru.ig, err = loadIgnorer(ru.root, opts.Ignore)
	if err != nil {
		return nil, nil, err
	}
	if single {
		ru.files = []string{p}
	} else if err := ru.walk(); err != nil {
		return nil, nil, err
	}
	ru.visitFiles()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	djangoKeys := map[string]bool{}
	if err := ru.django(single, djangoKeys); err != nil {
		return nil, nil, err
	}
	ru.auditNginx(single)
	for _, s := range ru.pending {
		if s.detector == "django-secret-key" && djangoKeys[fmt.Sprintf("%s:%d", s.f.File, s.f.Line)] {
			continue // the Django analyser reported this SECRET_KEY already
		}
		ru.out = append(ru.out, s.f)
	}
	ru.applyInlineIgnores()
	ru.noteSyntaxErrors()
	ru.target.Files = len(ru.texts)
	ru.target.Findings = len(ru.out)
	ru.target.Grade = report.Grade(ru.out)
	if single && ru.target.Error == "" && len(ru.extra) == 1 {
		// The one file given could not be parsed: the target itself failed.
		ru.target.Error = ru.extra[0].Error
		ru.extra = nil
	}
	return ru.out, append([]report.Target{ru.target}, ru.extra...), nil
}

func (ru *run) rel(p string) string {
	abs, err1 := filepath.Abs(p)
	root, err2 := filepath.Abs(ru.root)
	if err1 == nil && err2 == nil {
		if r, err := filepath.Rel(root, abs); err == nil {
			return filepath.ToSlash(r)
		}
	}
	return filepath.ToSlash(p)
}

// display names a file the way the user can find it: under the path they gave.
// relOrAbs is p relative to the audited root when it is inside it, else p itself.
func (ru *run) relOrAbs(p string) string {
	if r := ru.rel(p); r != ".." && !strings.HasPrefix(r, "../") {
		return r
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return filepath.ToSlash(p)
}

func (ru *run) display(p string) string {
	return filepath.ToSlash(filepath.Join(ru.root, ru.rel(p)))
}

func (ru *run) walk() error {
	return filepath.WalkDir(ru.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == ru.root {
				return err
			}
			return nil // unreadable entries are skipped, as git and grep do
		}
		if cerr := ru.ctx.Err(); cerr != nil {
			return cerr
		}
		if p == ru.root {
			return nil
		}
		rel := ru.rel(p)
		if d.IsDir() {
			if skipDirs[d.Name()] || ru.ig.match(rel, true) || isFile(filepath.Join(p, "pyvenv.cfg")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || ru.ig.match(rel, false) {
			return nil
		}
		ru.files = append(ru.files, p)
		return nil
	})
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// visited is what reading one file found.
type visited struct {
	text, nginx, python bool
	secrets             []pendingSecret
}

// visitFiles reads and classifies every file, on all cores (reading and the secret scan
// dominate an audit), then records the results in walk order so reports are deterministic.
func (ru *run) visitFiles() {
	res := make([]visited, len(ru.files))
	parallel(ru.ctx, len(ru.files), func(i int) { res[i] = ru.visitFile(ru.files[i]) })
	for i, v := range res {
		p := ru.files[i]
		if !v.text {
			continue
		}
		ru.texts = append(ru.texts, p)
		ru.pending = append(ru.pending, v.secrets...)
		if v.nginx {
			ru.nginx = append(ru.nginx, p)
		}
		if v.python {
			ru.pyFiles = append(ru.pyFiles, p)
		}
	}
}

// metaKey and dashedKey find identity header names in application code: the WSGI form
// (request.META["HTTP_X_SSL_CLIENT_S_DN"]) and the dashed form (request.headers["X-SSL-Client-S-DN"]).
// This is a lexical cross-reference between the app and its proxy config, not an analysis of
// the Python: a name that appears is a name the code may read.
var (
	metaKey   = regexp.MustCompile(`\bHTTP_([A-Z0-9_]+)\b`)
	dashedKey = regexp.MustCompile(`["']([Xx]-[A-Za-z0-9-]+|[Cc]lient-[Cc]ert(?:-[Cc]hain)?)["']`)
)

// appIdentityHeaders lists the identity headers the audited Python code names, once each,
// with the first place that names it. Computed once per audited path.
func (ru *run) appIdentityHeaders() []nginx.AppHeader {
	if ru.appHeaders != nil {
		return *ru.appHeaders
	}
	var out []nginx.AppHeader
	seen := map[string]bool{}
	for _, p := range ru.pyFiles {
		data, err := os.ReadFile(p)
		if err != nil || (!bytes.Contains(data, []byte("HTTP_")) && !bytes.Contains(bytes.ToLower(data), []byte("client"))) {
			continue
		}
		add := func(name string, off int) {
			key := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
			if !nginx.IsIdentityHeader(name) || seen[key] {
				return
			}
			seen[key] = true
			line, _, _ := position(data, off)
			out = append(out, nginx.AppHeader{Name: name, Where: fmt.Sprintf("%s:%d", ru.rel(p), line)})
		}
		for _, m := range metaKey.FindAllSubmatchIndex(data, -1) {
			add(strings.ReplaceAll(string(data[m[2]:m[3]]), "_", "-"), m[0])
		}
		for _, m := range dashedKey.FindAllSubmatchIndex(data, -1) {
			add(string(data[m[2]:m[3]]), m[0])
		}
	}
	ru.appHeaders = &out
	return out
}

// noteSyntaxErrors says, for each Python file with findings, where it stops being valid
// Python: the analysis went on past that point, but may have missed what it could not parse.
func (ru *run) noteSyntaxErrors() {
	seen := map[string]bool{}
	for _, f := range ru.out {
		if !strings.HasSuffix(f.File, ".py") || seen[f.File] {
			continue
		}
		seen[f.File] = true
		data, err := os.ReadFile(filepath.Join(ru.root, filepath.FromSlash(f.File)))
		if err != nil {
			continue
		}
		if line, err := django.SyntaxErrorLine(data); err == nil && line > 0 {
			ru.target.Notes = append(ru.target.Notes, fmt.Sprintf("%s:%d: not valid Python from here on; crossgate analysed what it could parse, and may have missed settings after this point", f.File, line))
		}
	}
}

// parallel calls fn(0..n-1) on every core and returns when all calls have; it stops handing
// out work once ctx is done.
func parallel(ctx context.Context, n int, fn func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// visitFile classifies one file: text or not, nginx config or not, Python or not, and
// scans it for committed secrets. It touches no shared state.
func (ru *run) visitFile(p string) visited {
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxFileSize {
		return visited{}
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return visited{}
	}
	if bytes.IndexByte(data[:min(len(data), binarySniff)], 0) >= 0 {
		return visited{}
	}
	return visited{text: true, secrets: ru.secrets(p, data), nginx: isNginxConfig(p, data), python: strings.HasSuffix(p, ".py")}
}

var nginxBlock = regexp.MustCompile(`(?m)^\s*(server|http)\s*\{`)

// isNginxConfig: nginx.conf, *.conf under a directory whose name says nginx, files in
// sites-available/sites-enabled that are nginx's, or any *.conf holding a server or http block.
func isNginxConfig(p string, data []byte) bool {
	base := filepath.Base(p)
	if base == "nginx.conf" {
		return true
	}
	dirs := strings.Split(filepath.ToSlash(filepath.Dir(p)), "/")
	for _, d := range dirs {
		// apache2/sites-available holds Apache files: ask for nginx syntax there.
		if d == "sites-available" || d == "sites-enabled" {
			return inNginxDir(dirs) || nginxBlock.Match(data)
		}
	}
	if !strings.HasSuffix(base, ".conf") {
		return false
	}
	return inNginxDir(dirs) || nginxBlock.Match(data)
}

func inNginxDir(dirs []string) bool {
	for _, d := range dirs {
		if strings.Contains(strings.ToLower(d), "nginx") {
			return true
		}
	}
	return false
}

// auditNginx parses each config once: a file already included by an earlier one (nginx.conf
// files first, shallowest first) is audited through it, not again on its own.
func (ru *run) auditNginx(single bool) {
	cands := append([]string(nil), ru.nginx...)
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		an, bn := filepath.Base(a) == "nginx.conf", filepath.Base(b) == "nginx.conf"
		if an != bn {
			return an
		}
		da, db := strings.Count(filepath.ToSlash(a), "/"), strings.Count(filepath.ToSlash(b), "/")
		if da != db {
			return da < db
		}
		return a < b
	})
	covered := map[string]bool{}
	// Keys resolve symlinks: sites-enabled/x is usually a link to sites-available/x.
	key := func(p string) string {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		if abs, err := filepath.Abs(p); err == nil {
			return abs
		}
		return p
	}
	for _, c := range cands {
		if covered[key(c)] {
			continue
		}
		covered[key(c)] = true
		cfg, err := nginx.ParseFileIn(c, nginxPrefix(c))
		if err != nil {
			var pe *nginx.Error
			if errors.As(err, &pe) {
				covered[key(pe.File)] = true
			}
			ru.extra = append(ru.extra, report.Target{Path: ru.display(c), Error: ru.relError(err)})
			continue
		}
		for _, f := range cfg.Files {
			covered[key(f)] = true
		}
		for _, m := range cfg.Missing {
			ru.target.Notes = append(ru.target.Notes, fmt.Sprintf("%s:%d:%d: include %q not found (%s); audited without it", ru.rel(m.Err.File), m.Err.Line, m.Err.Column, m.Pattern, ru.relOrAbs(m.Path)))
		}
		for _, f := range nginx.Check(cfg, nginx.Options{RelPath: ru.rel, AppReads: ru.appIdentityHeaders()}) {
			noteNonProductionConfig(&f)
			ru.out = append(ru.out, f)
		}
	}
}

// nginxPrefix is the directory relative includes resolve against: the nearest directory at
// or above p's that holds an nginx.conf (nginx resolves them against its conf prefix, not
// against the including file), else p's own directory.
func nginxPrefix(p string) string {
	dir := filepath.Dir(p)
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; ; {
		if isFile(filepath.Join(d, "nginx.conf")) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// relError rewrites the file name of a parse error to the path under the audited path.
func (ru *run) relError(err error) string {
	var pe *nginx.Error
	if errors.As(err, &pe) {
		e := *pe
		e.File = ru.display(pe.File)
		return e.Error()
	}
	return err.Error()
}

func (ru *run) django(single bool, keys map[string]bool) error {
	opts := django.Options{Mask: exposure.Mask, ShowSecrets: ru.opts.ShowSecrets}
	var fs []finding.Finding
	if single {
		if !strings.HasSuffix(ru.given, ".py") {
			return nil
		}
		got, err := django.AuditFile(ru.given, opts)
		if err != nil {
			ru.extra = append(ru.extra, report.Target{Path: ru.display(ru.given), Error: err.Error()})
			return nil
		}
		fs = got
	} else {
		if len(ru.pyFiles) == 0 {
			return nil
		}
		var roots []string
		projects, err := django.Discover(ru.root)
		if err != nil {
			ru.extra = append(ru.extra, report.Target{Path: ru.target.Path, Error: "django discovery: " + err.Error()})
			return nil
		}
		for _, p := range projects {
			if ru.ig.match(ru.rel(p.Root), true) {
				continue
			}
			got, err := django.Audit(p, opts)
			if err != nil {
				ru.extra = append(ru.extra, report.Target{Path: ru.display(p.Root), Error: err.Error()})
				continue
			}
			ru.target.Settings = append(ru.target.Settings, p.SettingsModules...)
			fs = append(fs, got...)
			roots = append(roots, p.Root)
		}
		// Python outside every project (libraries, scripts, a tree without manage.py) still
		// gets the code rules, file by file.
		var loose []string
		for _, py := range ru.pyFiles {
			if !under(py, roots) {
				loose = append(loose, py)
			}
		}
		got := make([][]finding.Finding, len(loose))
		parallel(ru.ctx, len(loose), func(i int) {
			// A file tree-sitter cannot read as Python 3 yields nothing; the secret scan saw it.
			got[i], _ = django.AuditFile(loose[i], opts)
		})
		if err := ru.ctx.Err(); err != nil {
			return err
		}
		for _, g := range got {
			fs = append(fs, g...)
		}
	}
	seen := map[string]bool{}
	for _, f := range fs {
		if f.File != "" {
			if ru.ig.match(ru.rel(f.File), false) {
				continue
			}
			f.File = ru.rel(f.File)
		}
		f.Seal(fmt.Sprintf("%d|%s|%s", f.Column, f.Settings, f.Detail))
		if seen[f.Fingerprint] {
			continue // one file reached through two settings modules
		}
		seen[f.Fingerprint] = true
		if f.Rule == "django-secret-key-hardcoded" {
			keys[fmt.Sprintf("%s:%d", f.File, f.Line)] = true
		}
		ru.out = append(ru.out, f)
	}
	return nil
}

// under reports whether p lies inside one of the directories.
func under(p string, dirs []string) bool {
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	for _, d := range dirs {
		d, err := filepath.Abs(d)
		if err != nil {
			continue
		}
		if r, err := filepath.Rel(d, abs); err == nil && r != ".." && !strings.HasPrefix(r, "../") {
			return true
		}
	}
	return false
}

// secrets returns every secret exposure.Scan finds in a text file as secret-in-source.
func (ru *run) secrets(p string, data []byte) []pendingSecret {
	if lockfiles[filepath.Base(p)] || filepath.Base(p) == ignoreFile {
		return nil
	}
	var out []pendingSecret
	rel := ru.rel(p)
	for _, m := range exposure.Scan(data) {
		if m.Kind != exposure.Secret || m.Start < 0 || m.Start > len(data) {
			continue
		}
		if shapeless[m.Detector] && codeExt[strings.ToLower(filepath.Ext(p))] && !quotedAt(data, m.Start) {
			// In code, "password = self.cleaned_data[...]" is an assignment, not a secret:
			// a format-free detector counts only string literals there.
			continue
		}
		if shapeless[m.Detector] && isDottedPath(m.Value) {
			continue
		}
		line, col, lineStart := position(data, m.Start)
		lineEnd := bytes.IndexByte(data[lineStart:], '\n')
		if lineEnd < 0 {
			lineEnd = len(data) - lineStart
		}
		text := string(data[lineStart : lineStart+lineEnd])
		vs, ve := m.Start-lineStart, min(m.End-lineStart, len(text))
		shown := m.Value
		if !ru.opts.ShowSecrets {
			shown = exposure.Mask(m.Value)
		}
		if ve > vs {
			text = text[:vs] + firstLine(shown) + text[ve:]
		}
		f := finding.New("secret-in-source")
		f.File, f.Line, f.Column = rel, line, col
		f.Detail = fmt.Sprintf("%s is committed in %s (detector %s).", prose.Capitalise(prose.Article(m.Label)), rel, m.Detector)
		f.Evidence.Snippet = strings.TrimRight(text, "\r")
		if m.Note != "" {
			f.Evidence.Notes = append(f.Evidence.Notes, m.Note)
		}
		if m.Confidence > 0 && m.Confidence < 0.5 {
			f.SetSeverity(finding.Medium, fmt.Sprintf("Low-confidence match (%.2f): it may be a placeholder.", m.Confidence))
		} else {
			f.SeverityReason = "Anyone with read access to the repository, or to any copy of it, holds the credential."
		}
		applySecretPolicy(&f, rel, data, m.Start)
		if why := notASecret(notSecretInput{rel: rel, detector: m.Detector, value: m.Value, line: string(data[lineStart : lineStart+lineEnd]), at: m.Start - lineStart}); why != "" {
			f.SetSeverity(finding.Info, "Not a committed secret: "+why+".")
			f.Evidence.Notes = append(f.Evidence.Notes, "reported at info: "+why)
		}
		f.Remediation = fmt.Sprintf("Revoke the %s now and issue a new one: removing it from the file does not remove it from version-control history. "+
			"Load the replacement from the environment or a secret manager at run time (for Django: SECRET = os.environ[\"NAME\"]), "+
			"and purge the old value from history (git filter-repo) if the repository is shared.", m.Label)
		f.Seal(fmt.Sprintf("%s|%d", m.Detector, col))
		out = append(out, pendingSecret{f: f, detector: m.Detector})
	}
	return out
}

// shapeless detectors recognise a secret by the name next to it, not by a format of its own.
var shapeless = map[string]bool{"generic-secret": true, "django-secret-key": true}

// codeExt are source languages where a value is a literal only when quoted.
var codeExt = map[string]bool{
	".py": true, ".pyi": true, ".js": true, ".mjs": true, ".cjs": true, ".jsx": true, ".ts": true,
	".tsx": true, ".go": true, ".rb": true, ".java": true, ".kt": true, ".php": true, ".cs": true,
	".rs": true, ".swift": true, ".scala": true, ".c": true, ".h": true, ".cc": true, ".cpp": true,
}

func quotedAt(data []byte, start int) bool {
	return start > 0 && strings.IndexByte("\"'`", data[start-1]) >= 0
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + "…"
	}
	return s
}

// position returns the 1-based line and column (in characters) of byte offset off.
func position(data []byte, off int) (line, col, lineStart int) {
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	lineStart = bytes.LastIndexByte(data[:off], '\n') + 1
	col = 1 + len([]rune(string(data[lineStart:off])))
	return line, col, lineStart
}

// applyInlineIgnores drops findings whose line, or the line above, says crossgate:ignore.
func (ru *run) applyInlineIgnores() {
	kept := ru.out[:0]
	for _, f := range ru.out {
		if f.File != "" && f.Line > 0 && ru.inlineIgnored(f) {
			continue
		}
		kept = append(kept, f)
	}
	ru.out = kept
}

func (ru *run) inlineIgnored(f finding.Finding) bool {
	p := filepath.Join(ru.root, filepath.FromSlash(f.File))
	lines, ok := ru.lines[p]
	if !ok {
		data, err := os.ReadFile(p)
		if err != nil {
			return false
		}
		lines = strings.Split(string(data), "\n")
		ru.lines[p] = lines
	}
	for _, n := range []int{f.Line, f.Line - 1} {
		if n >= 1 && n <= len(lines) && inlineIgnored(lines[n-1], f.Rule) {
			return true
		}
	}
	return false
}
