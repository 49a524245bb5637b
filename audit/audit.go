// Package audit runs crossgate's static checks over directories and files: nginx configs,
// Django projects, and secrets committed in any text file. It walks the tree once, honours
// .crossgateignore and inline "crossgate:ignore" comments, and returns one report.
package audit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/crossgate/crossgate/audit/secrets"
	"github.com/crossgate/crossgate/audit/source"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/report"
)

// Options tune an audit.
type Options struct {
	// ShowSecrets prints secret values unmasked in evidence.
	ShowSecrets bool
	// Ignore holds extra .crossgateignore-style patterns, relative to each root.
	Ignore []string
	// Settings, when set, are the only Django settings modules audited (--settings); a path
	// whose projects have none of them fails.
	Settings []string
	// EnvSettings is the DJANGO_SETTINGS_MODULE of the environment: audited too, where a
	// project has it.
	EnvSettings string
}

// binaryExt are formats that are never text: not opened at all, and not listed as skipped.
var binaryExt = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".ico": true, ".webp": true, ".bmp": true,
	".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".eot": true, ".pdf": true,
	".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".zst": true, ".7z": true, ".jar": true,
	".whl": true, ".pyc": true, ".pyo": true, ".so": true, ".dylib": true, ".dll": true, ".exe": true,
	".o": true, ".a": true, ".class": true, ".mp3": true, ".mp4": true, ".mov": true, ".wasm": true,
}

var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "vendor": true, "node_modules": true,
	"__pycache__": true, ".venv": true, "venv": true, "site-packages": true, ".tox": true,
	".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true,
	// pip, setuptools and others vendor whole libraries under _vendor / _vendored.
	"_vendor": true, "_vendored": true, "vendored": true,
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
		base := fromWorkingDir(p)
		for i := range fs {
			fs[i].Base = base
		}
		for i := range targets {
			for j := range targets[i].NotAudited {
				targets[i].NotAudited[j].Base = base
			}
		}
		r.Findings = append(r.Findings, fs...)
		r.Targets = append(r.Targets, targets...)
	}
	r.Finalize()
	return r, nil
}

// fromWorkingDir is the directory the findings of PATH p are relative to, as a
// slash-separated path from the working directory when it lies below it (a workflow runs
// from the repository root, where code scanning resolves paths), else as given.
func fromWorkingDir(p string) string {
	dir := p
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		dir = filepath.Dir(p)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				dir = rel
			}
		}
	}
	dir = filepath.ToSlash(filepath.Clean(dir))
	if dir == "." {
		return ""
	}
	return dir
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// pathAudit is the state of the audit of one path given to Run.
type pathAudit struct {
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
	secrets []secrets.Secret // found while visiting, kept until Django's own SECRET_KEY findings are known
	// secretValues are every secret value the detectors found in the tree: masked in every
	// finding, whichever rule reported it (a snippet of one rule can hold another's secret).
	secretValues map[string]bool
	files        []string // regular files found by walk, in walk order
	// appHeaders caches appIdentityHeaders.
	appHeaders *[]appHeader
	// projects are the absolute roots of the Django projects found (projects.go).
	projects []string
	// clientCerts are the nginx configs that ask clients for certificates (corscontext.go).
	clientCerts []clientCertEvidence
	// src is the one way files are read.
	src *source.Opener
	// notAudited are the files not read or analysed in full, with why.
	mu         sync.Mutex
	notAudited []report.NotAudited
	// kept holds the text of the files read while visiting that the Django and nginx sides
	// read again (readonce.go).
	kept kept
	// ignoresKnown are the crossgate:ignore lines of the files visited (ignore.go).
	ignoresKnown map[string]map[int]string
	ignoreCount  int
}

// skip records a file that was not read or analysed in full.
func (pa *pathAudit) skip(p, reason string) {
	pa.mu.Lock()
	pa.notAudited = append(pa.notAudited, report.NotAudited{Path: pa.relOrAbs(p), Reason: reason})
	pa.mu.Unlock()
}

// read reads p through the opener; a file skipped for a reason is recorded.
func (pa *pathAudit) read(p string) ([]byte, error) {
	data, err := pa.readDisk(p)
	var sk *source.Skip
	if errors.As(err, &sk) {
		pa.skip(p, sk.Reason)
	}
	return data, err
}

func auditPath(ctx context.Context, p string, opts Options) ([]finding.Finding, []report.Target, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	pa := &pathAudit{ctx: ctx, opts: opts, given: p, target: report.Target{Path: filepath.ToSlash(p)}}
	single := !st.IsDir()
	if single {
		// The file the user names is audited where it really is (sites-enabled/x is usually a
		// link to sites-available/x).
		if real, err := filepath.EvalSymlinks(p); err == nil {
			pa.given, p = real, real
		}
		pa.root = filepath.Dir(p)
	} else {
		pa.root = p
	}
	if pa.src, err = source.NewOpener(pa.root); err != nil {
		return nil, nil, err
	}
	pa.ig, err = pa.loadIgnorer(opts.Ignore)
	if err != nil {
		return nil, nil, err
	}
	if single {
		pa.files = []string{p}
	} else if err := pa.walk(); err != nil {
		return nil, nil, err
	}
	pa.visitFiles()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if len(pa.texts) == 0 {
		// Nothing was read: a pass here would say nothing, and must not pass a CI gate.
		pa.target.Error = nothingToAudit(single)
		return nil, []report.Target{pa.target}, nil
	}
	djangoKeys := map[string]bool{}
	if err := pa.django(single, djangoKeys); err != nil {
		return nil, nil, err
	}
	pa.auditNginx()
	pa.rateCORSAllowAll()
	if len(pa.nginx) == 0 && len(pa.pyFiles) == 0 {
		pa.target.Notes = append(pa.target.Notes, "no nginx config and no Python code found: only committed secrets were checked")
	}
	for _, s := range pa.secrets {
		if s.Detector == "django-secret-key" && djangoKeys[fmt.Sprintf("%s:%d", s.Finding.File, s.Finding.Line)] {
			continue // the Django analyser reported this SECRET_KEY already
		}
		pa.out = append(pa.out, s.Finding)
	}
	pa.applyInlineIgnores()
	pa.noteSyntaxErrors()
	pa.target.Files = len(pa.texts)
	pa.target.Findings = len(pa.out)
	pa.target.Grade = report.Grade(pa.out)
	slices.SortStableFunc(pa.notAudited, func(a, b report.NotAudited) int { return cmp.Compare(a.Path, b.Path) })
	pa.target.NotAudited = slices.CompactFunc(pa.notAudited, func(a, b report.NotAudited) bool { return a.Path == b.Path })
	if single && pa.target.Error == "" && len(pa.extra) == 1 {
		// The one file given could not be parsed: the target itself failed.
		pa.target.Error = pa.extra[0].Error
		pa.extra = nil
	}
	pa.maskSecrets()
	return pa.out, append([]report.Target{pa.target}, pa.extra...), nil
}

func nothingToAudit(single bool) string {
	if single {
		return "nothing to audit: not a text file crossgate can read (binary, or over 5 MiB)"
	}
	return "nothing to audit: no text file under this path (empty, or only binary files, files over 5 MiB, skipped folders and ignored paths)"
}

// rel is p relative to the audited root, slash-separated: the path findings carry.
func (pa *pathAudit) rel(p string) string {
	abs, err1 := filepath.Abs(p)
	root, err2 := filepath.Abs(pa.root)
	if err1 == nil && err2 == nil {
		if r, err := filepath.Rel(root, abs); err == nil {
			return filepath.ToSlash(r)
		}
	}
	return filepath.ToSlash(p)
}

// relOrAbs is p relative to the audited root when it is inside it, else p made absolute.
func (pa *pathAudit) relOrAbs(p string) string {
	if r := pa.rel(p); r != ".." && !strings.HasPrefix(r, "../") {
		return r
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return filepath.ToSlash(p)
}

// display names a file the way the user can find it: under the path they gave.
func (pa *pathAudit) display(p string) string {
	return filepath.ToSlash(filepath.Join(pa.root, pa.rel(p)))
}

func (pa *pathAudit) walk() error {
	return filepath.WalkDir(pa.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == pa.root {
				return err
			}
			return nil // unreadable entries are skipped, as git and grep do
		}
		if cerr := pa.ctx.Err(); cerr != nil {
			return cerr
		}
		if p == pa.root {
			return nil
		}
		rel := pa.rel(p)
		if d.IsDir() {
			if skipDirs[d.Name()] || pa.ig.match(rel, true) || isFile(filepath.Join(p, "pyvenv.cfg")) {
				return filepath.SkipDir
			}
			return nil
		}
		if pa.ig.match(rel, false) {
			return nil
		}
		if !d.Type().IsRegular() {
			pa.irregular(p, d)
			return nil
		}
		pa.files = append(pa.files, p)
		return nil
	})
}

// irregular records what the walk does not read: a device, FIFO or socket, and a symbolic
// link that leads out of the tree or nowhere. A link to a file inside the tree is that
// file, audited under its own name.
func (pa *pathAudit) irregular(p string, d fs.DirEntry) {
	if d.Type()&fs.ModeSymlink == 0 {
		pa.skip(p, source.ReasonSpecial)
		return
	}
	real, inside := pa.src.Inside(p)
	switch {
	case real == "":
		pa.skip(p, source.ReasonBrokenLink)
	case !inside:
		pa.skip(p, source.ReasonOutside)
	case !isFile(real):
		if st, err := os.Stat(real); err == nil && !st.IsDir() {
			pa.skip(p, source.ReasonSpecial)
		}
	}
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// visited is what reading one file found.
type visited struct {
	text, nginx, python bool
	secrets             []secrets.Secret
	values              []string       // every secret value detected, reported or not
	ignores             map[int]string // lines saying crossgate:ignore
}

// visitFiles reads and classifies every file, on all cores (reading and the secret scan
// dominate an audit), then records the results in walk order so reports are deterministic.
func (pa *pathAudit) visitFiles() {
	res := make([]visited, len(pa.files))
	parallel(pa.ctx, len(pa.files), func(i int) { res[i] = pa.visitFile(pa.files[i]) })
	for i, v := range res {
		p := pa.files[i]
		if !v.text {
			continue
		}
		pa.texts = append(pa.texts, p)
		pa.noteIgnoreLines(pa.rel(p), v.ignores)
		pa.secrets = append(pa.secrets, v.secrets...)
		for _, s := range v.values {
			if pa.secretValues == nil {
				pa.secretValues = map[string]bool{}
			}
			pa.secretValues[s] = true
		}
		if v.nginx {
			pa.nginx = append(pa.nginx, p)
		}
		if v.python {
			pa.pyFiles = append(pa.pyFiles, p)
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
func (pa *pathAudit) visitFile(p string) visited {
	if binaryExt[strings.ToLower(filepath.Ext(p))] {
		return visited{}
	}
	data, ok := pa.kept.get(p) // the root's .crossgateignore, read before the walk
	if !ok {
		var err error
		if data, err = pa.read(p); err != nil {
			return visited{}
		}
	}
	v := visited{text: true, nginx: isNginxConfig(p, data), python: strings.HasSuffix(p, ".py")}
	pa.kept.keep(p, data, v.nginx)
	v.ignores = ignoreLines(data)
	if filepath.Base(p) != ignoreFile {
		v.secrets, v.values = secrets.Scan(pa.rel(p), data, pa.opts.ShowSecrets)
	}
	return v
}
