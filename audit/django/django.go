// Package django audits Django projects statically: it finds the settings modules a
// project really runs with, evaluates what they hold (literals, star imports between split
// settings, environment lookups with their defaults, values set under if), and checks them
// and the project's Python code against the django-* rules of rules.md. Python is parsed
// with tree-sitter; nothing here matches regular expressions over source text.
//
// Choices worth knowing:
//
//   - Settings rules run on every settings module Django could run with (settingsmods.go):
//     the modules an entry point names (manage.py, wsgi.py, asgi.py, a .env file's
//     DJANGO_SETTINGS_MODULE), and every settings module no other one imports. A line reached
//     through several modules is reported once, for the module that rates it worst. A module
//     whose name says development or test (dev, local, test, ...) has its findings lowered
//     one step, with a note.
//   - django-ssl-redirect-off stays low when SECURE_SSL_REDIRECT is off or unset, and drops to
//     info when SECURE_PROXY_SSL_HEADER is set: a TLS-terminating proxy is then expected to
//     redirect (Django's W008 still fires, so the finding is kept).
//   - The cookie rule mirrors Django's preconditions: no session finding without the sessions
//     app or middleware, no CSRF finding without CsrfViewMiddleware or with CSRF_USE_SESSIONS,
//     and no finding for a csrftoken readable by JavaScript (Django's design).
//   - A setting whose value comes from the environment is judged by its default, and the
//     detail names the variable and the default; without a default it is not reported.
//   - Code findings (mTLS, logging calls) carry no settings module.
//   - Columns count characters (runes), 1-based.
package django

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/crossgate/crossgate/audit/source"
	"github.com/crossgate/crossgate/finding"
)

// The rules register in the order the catalogue (docs/rules.md) lists them; each is declared
// beside its check (cors.go, identity.go, deployment.go, logging.go).
func init() {
	finding.Register(ruleCORSAllowAll, ruleCORSAllowAllCredentials, ruleCORSRegexUnsafe, ruleCORSNullOrigin,
		ruleCORSHTTPOrigin, ruleCORSMiddlewareOrder, ruleCORSBroadPreflight, ruleMTLSDNSubstring,
		ruleMTLSHeaderUnverified, ruleDebugEnabled, ruleSecretKeyHardcoded, ruleAllowedHostsWildcard,
		ruleInsecureCookies, ruleSSLRedirectOff, ruleLoggingSensitive)
}

// Project is a Django project found under a root.
type Project struct {
	Root            string // directory holding manage.py (or the root given)
	ManagePy        string
	SettingsModules []string // dotted names, e.g. "mysite.settings.production"
	// NotAudited are the settings modules found but not audited on their own, with why.
	NotAudited []SkippedModule
}

// Options tune an audit.
type Options struct {
	// Mask masks a secret value for evidence; nil keeps the first 4 characters and "…".
	Mask        func(string) string
	ShowSecrets bool
	// Read reads a file of the audited tree (the audit's one opener: regular files inside
	// the tree, bounded); nil reads regular files anywhere, bounded the same way.
	Read func(path string) ([]byte, error)
	// Files, when set, are the files of the tree as the audit walked it: discovery and the
	// code scan use them instead of walking again.
	Files []string
	// NotAnalysed, when set, hears of each file read but not analysed as Python because it
	// is over the parse budget (size, nodes, depth or time).
	NotAnalysed func(path, reason string)
}

func (o Options) budget(err error) {
	var be *BudgetError
	if o.NotAnalysed != nil && errors.As(err, &be) {
		o.NotAnalysed(be.Path, be.Reason)
	}
}

var anywhere, _ = source.NewOpener("/")

func (o Options) read(p string) ([]byte, error) {
	if o.Read != nil {
		return o.Read(p)
	}
	return anywhere.Read(context.Background(), p)
}

func (o Options) mask(s string) string {
	if o.ShowSecrets {
		return s
	}
	if o.Mask != nil {
		return o.Mask(s)
	}
	r := []rune(s)
	if len(r) <= 4 {
		return "…"
	}
	return string(r[:4]) + "…"
}

// maxWalkFiles bounds discovery and the code scan on enormous trees.
const maxWalkFiles = 200_000

var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "node_modules": true, "__pycache__": true,
	".venv": true, "venv": true, ".tox": true, ".nox": true, "site-packages": true,
	".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true,
}

// eachFile calls fn for the files under root that discovery and the code scan look at:
// o.Files when the audit walked the tree already (one walk), else a walk of root.
func (o Options) eachFile(root string, ownOnly bool, fn func(path string)) error {
	if o.Files == nil {
		return walkFiles(root, ownOnly, func(p string, d fs.DirEntry) {
			if d.Type().IsRegular() {
				fn(p)
			}
		})
	}
	for _, p := range o.Files {
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		if skipped(root, rel, ownOnly) {
			continue
		}
		fn(abs)
	}
	return nil
}

// skipped applies walkFiles' directory rules to a file found by another walk.
func skipped(root, rel string, ownOnly bool) bool {
	dirs := strings.Split(filepath.Dir(rel), string(filepath.Separator))
	d := root
	for _, name := range dirs {
		if name == "." {
			break
		}
		d = filepath.Join(d, name)
		if skipDirs[name] || isFile(filepath.Join(d, "pyvenv.cfg")) || ownOnly && isFile(filepath.Join(d, "manage.py")) {
			return true
		}
	}
	return false
}

// walkFiles walks root; ownOnly also skips directories holding their own manage.py, which
// are projects of their own and audited as such.
func walkFiles(root string, ownOnly bool, fn func(path string, d fs.DirEntry)) error {
	n := 0
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil
		}
		if d.IsDir() {
			if p != root && (skipDirs[d.Name()] || isFile(filepath.Join(p, "pyvenv.cfg")) || ownOnly && isFile(filepath.Join(p, "manage.py"))) {
				return filepath.SkipDir
			}
			return nil
		}
		if n++; n > maxWalkFiles {
			return filepath.SkipAll
		}
		fn(p, d)
		return nil
	})
}

// Discover finds Django projects under root: manage.py, wsgi.py/asgi.py,
// DJANGO_SETTINGS_MODULE values (os.environ.setdefault calls, .env files), settings
// modules and split settings.
//
// A project's SettingsModules are the modules its entry points name, then every settings
// candidate that no other candidate imports (so settings/base.py is audited through
// production.py and dev.py, not on its own); NotAudited lists the others with why.
func Discover(root string) ([]Project, error) { return DiscoverWith(root, Options{}) }

// DiscoverWith is Discover reading through opts.Read, over opts.Files when set.
func DiscoverWith(root string, opts Options) ([]Project, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", root)
	}
	var manages, entries, envFiles, candidates []string
	err = opts.eachFile(root, false, func(p string) {
		name := filepath.Base(p)
		switch {
		case name == "manage.py":
			manages = append(manages, p)
			entries = append(entries, p)
		case name == "wsgi.py" || name == "asgi.py":
			entries = append(entries, p)
		case name == ".env" || strings.HasPrefix(name, ".env."):
			envFiles = append(envFiles, p)
		}
		if isSettingsCandidate(p) {
			candidates = append(candidates, p)
		}
	})
	if err != nil {
		return nil, err
	}
	roots := map[string]*Project{}
	var order []string
	for _, m := range manages {
		dir := filepath.Dir(m)
		if _, ok := roots[dir]; !ok {
			roots[dir] = &Project{Root: dir, ManagePy: m}
			order = append(order, dir)
		}
	}
	owner := func(p string) string {
		best := ""
		for dir := range roots {
			if (p == dir || strings.HasPrefix(p, dir+string(filepath.Separator))) && len(dir) > len(best) {
				best = dir
			}
		}
		if best == "" {
			if _, ok := roots[root]; !ok {
				roots[root] = &Project{Root: root}
				order = append(order, root)
			}
			best = root
		}
		return best
	}
	refs := map[string][]namedModule{}
	for _, e := range entries {
		if src, err := opts.read(e); err == nil {
			o := owner(e)
			for _, mod := range settingsModuleRefs(e, src) {
				refs[o] = append(refs[o], namedModule{mod, e})
			}
		}
	}
	for _, e := range envFiles {
		src, err := opts.read(e)
		if err != nil {
			continue
		}
		if mod := dotenvSettingsModule(src); mod != "" {
			o := owner(e)
			refs[o] = append(refs[o], namedModule{mod, e})
		}
	}
	cands := map[string][]string{}
	for _, c := range candidates {
		o := owner(c)
		cands[o] = append(cands[o], c)
	}
	var out []Project
	for _, dir := range order {
		p := roots[dir]
		p.settingsModules(refs[dir], cands[dir], opts)
		if len(p.SettingsModules) == 0 && p.ManagePy == "" {
			continue
		}
		out = append(out, *p)
	}
	return out, nil
}

// isSettingsCandidate: settings.py, or a module inside a settings/ package.
func isSettingsCandidate(p string) bool {
	if !strings.HasSuffix(p, ".py") {
		return false
	}
	base, dir := filepath.Base(p), filepath.Dir(p)
	if base == "settings.py" {
		return true
	}
	return filepath.Base(dir) == "settings" && isFile(filepath.Join(dir, "__init__.py"))
}

// moduleFile is the file of a dotted module under root, or "".
func moduleFile(root, dotted string) string {
	if dotted == "" {
		return ""
	}
	base := filepath.Join(append([]string{root}, strings.Split(dotted, ".")...)...)
	if isFile(base + ".py") {
		return base + ".py"
	}
	if isFile(filepath.Join(base, "__init__.py")) {
		return filepath.Join(base, "__init__.py")
	}
	return ""
}

// settingsModuleRefs reads DJANGO_SETTINGS_MODULE from the source of manage.py, wsgi.py or
// asgi.py: os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x") and
// os.environ["DJANGO_SETTINGS_MODULE"] = "x". Only dotted Python names are returned: the
// value comes from a file of the audited tree and becomes a path under it.
func settingsModuleRefs(p string, src []byte) []string {
	f, err := parsePython(p, src)
	if err != nil {
		return nil
	}
	var out []string
	walk(f.root, func(n *node) bool {
		switch n.kind {
		case "call":
			fn := n.child("function")
			if fn == nil || fn.kind != "attribute" || f.text(fn.child("attribute")) != "setdefault" {
				return true
			}
			args := n.child("arguments").namedChildren()
			if len(args) == 2 {
				k, ok1 := decodeString(f, args[0])
				v, ok2 := decodeString(f, args[1])
				if ok1 && ok2 && k == "DJANGO_SETTINGS_MODULE" && isModuleName(v) {
					out = append(out, v)
				}
			}
		case "assignment":
			l, r := n.child("left"), n.child("right")
			if l != nil && l.kind == "subscript" && r != nil {
				k, ok1 := decodeString(f, l.child("subscript"))
				v, ok2 := decodeString(f, r)
				if ok1 && ok2 && k == "DJANGO_SETTINGS_MODULE" && isModuleName(v) {
					out = append(out, v)
				}
			}
		}
		return true
	})
	return out
}

// dotenvSettingsModule reads DJANGO_SETTINGS_MODULE=... from a dotenv file (a line format,
// not Python): the first line that sets it to a dotted Python name.
func dotenvSettingsModule(src []byte) string {
	for line := range strings.Lines(string(src)) {
		line = strings.TrimSpace(line)
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) != "DJANGO_SETTINGS_MODULE" {
			continue
		}
		v = strings.TrimSpace(v)
		if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		if v = strings.Trim(v, `"'`); isModuleName(v) {
			return v
		}
	}
	return ""
}

// isModuleName reports whether s is a dotted Python module name (mysite.settings.prod):
// identifiers of letters, digits and underscores, not starting with a digit. A value from
// the audited tree that is not one (a path, "..", a NUL) never becomes a file name.
func isModuleName(s string) bool {
	if s == "" || len(s) > 512 {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if part == "" || part[0] >= '0' && part[0] <= '9' {
			return false
		}
		for _, r := range part {
			if !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return false
			}
		}
	}
	return true
}

// Audit analyses every settings module of the project and the Python middleware and views
// in it. File is the absolute path of the offending file; Line and Column are 1-based
// (the column counts characters); Settings names the settings module a settings finding
// belongs to. A settings module that is not valid Python yields its findings and a
// *SyntaxError (joined with the others).
func Audit(p Project, opts Options) ([]finding.Finding, error) {
	root, err := filepath.Abs(p.Root)
	if err != nil {
		return nil, err
	}
	a := &auditor{opts: opts, root: root}
	var broken []error
	for _, mod := range p.SettingsModules {
		file := moduleFile(root, mod)
		if file == "" {
			return nil, fmt.Errorf("settings module %s: no %s.py under %s", mod, strings.ReplaceAll(mod, ".", "/"), root)
		}
		ev := newEvaluator(root)
		ev.read = opts.read
		env, f, err := ev.evalFile(file, mod)
		var be *BudgetError
		if errors.As(err, &be) && opts.NotAnalysed != nil {
			opts.budget(err) // the other settings modules are still audited
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("settings module %s: %w", mod, err)
		}
		a.auditSettings(&settingsModule{name: mod, file: f, env: env, root: root, devBase: ev.devBase(file, root)})
		if se := ev.brokenSettings(file, mod, root); se != nil {
			broken = append(broken, se)
		}
	}
	var files []string
	err = opts.eachFile(root, true, func(path string) {
		if strings.HasSuffix(path, ".py") && !strings.Contains(path, string(filepath.Separator)+"migrations"+string(filepath.Separator)) {
			files = append(files, path)
		}
	})
	if err != nil {
		return nil, err
	}
	for _, path := range files {
		src, err := opts.read(path)
		if err != nil || !needsCodeScan(src) {
			continue
		}
		f, err := parsePython(path, src)
		if err != nil {
			opts.budget(err)
			continue
		}
		a.auditCode(f)
	}
	a.out = mergeAcrossModules(a.out, a.discs)
	finding.Sort(a.out)
	return a.out, errors.Join(broken...)
}

// AuditFile analyses one Python file on its own (used when the user points at a single
// settings.py). The settings rules run when the file looks like a settings module; the
// code rules always run. Star imports are resolved from the file's package tree.
func AuditFile(path string, opts Options) ([]finding.Finding, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	src, err := opts.read(abs)
	if err != nil {
		return nil, err
	}
	settingsLike := isSettingsCandidate(abs) || mayBeSettings(src)
	if !settingsLike && !needsCodeScan(src) {
		return nil, nil
	}
	f, err := parsePython(abs, src)
	if err != nil {
		return nil, err
	}
	root := packageTop(filepath.Dir(abs))
	a := &auditor{opts: opts, root: root}
	if mod := moduleNameFor(root, abs); settingsLike && mod != djangoDefaults && looksLikeSettings(f) {
		ev := newEvaluator(root)
		ev.read = opts.read
		ev.parsed[abs] = f
		env, _, err := ev.evalFile(abs, mod)
		if err != nil {
			return nil, err
		}
		a.auditSettings(&settingsModule{name: mod, file: f, env: env, root: root})
		if se := ev.brokenSettings(abs, mod, root); se != nil {
			a.auditCode(f)
			finding.Sort(a.out)
			return a.out, se
		}
	}
	a.auditCode(f)
	finding.Sort(a.out)
	return a.out, nil
}

// djangoDefaults is Django's own defaults module: every insecure default lives there by
// design, and a project overrides them in its own settings.
const djangoDefaults = "django.conf.global_settings"

var coreSettingNames = map[string]bool{
	"SECRET_KEY": true, "INSTALLED_APPS": true, "MIDDLEWARE": true, "DATABASES": true,
	"ROOT_URLCONF": true, "ALLOWED_HOSTS": true, "WSGI_APPLICATION": true, "DEBUG": true,
	"TEMPLATES": true, "STATIC_URL": true, "CORS_ALLOWED_ORIGINS": true, "CORS_ALLOW_ALL_ORIGINS": true,
}

// mayBeSettings is the word-level gate for looksLikeSettings: three core setting names at
// the start of a line (code that reads settings.DEBUG does not count).
func mayBeSettings(src []byte) bool {
	hits := 0
	for name := range coreSettingNames {
		if bytes.HasPrefix(src, []byte(name)) || bytes.Contains(src, []byte("\n"+name)) {
			hits++
		}
	}
	return hits >= 3
}

// looksLikeSettings: named like settings, or assigning several core settings at top level.
func looksLikeSettings(f *pyFile) bool {
	if isSettingsCandidate(f.path) {
		return true
	}
	hits := 0
	for _, st := range f.root.namedChildren() {
		if st.kind != "expression_statement" {
			continue
		}
		for _, c := range st.namedChildren() {
			if c.kind == "assignment" {
				if l := c.child("left"); l != nil && l.kind == "identifier" && coreSettingNames[f.text(l)] {
					hits++
				}
			}
		}
	}
	return hits >= 3
}
