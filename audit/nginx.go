package audit

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/audit/nginx"
	"github.com/crossgate/crossgate/report"
)

// The nginx side of an audit: which files are nginx configs, each parsed once with its
// includes, and the identity headers the audited application reads, for the nginx rules
// that compare the proxy with the application behind it.

// metaKey and dashedKey find identity header names in application code: the WSGI form
// (request.META["HTTP_X_SSL_CLIENT_S_DN"]) and the dashed form (request.headers["X-SSL-Client-S-DN"]).
// This is a lexical cross-reference between the app and its proxy config, not an analysis of
// the Python: a name that appears is a name the code may read.
var (
	metaKey   = regexp.MustCompile(`\bHTTP_([A-Z0-9_]+)\b`)
	dashedKey = regexp.MustCompile(`["']([Xx]-[A-Za-z0-9-]+|[Cc]lient-[Cc]ert(?:-[Cc]hain)?)["']`)
)

// appHeader is an identity header named in a Python file, at its first place there.
type appHeader struct {
	nginx.AppHeader
	key  string // folded name
	file string
}

// appReadsFor lists the identity headers the Python code of the nginx config's own project
// names (projects.go), once each, with the first place that names it.
func (pa *pathAudit) appReadsFor(config string) []nginx.AppHeader {
	var out []nginx.AppHeader
	seen := map[string]bool{}
	for _, h := range pa.appIdentityHeaders() {
		if seen[h.key] || !sameProject(h.file, config, pa.projects) {
			continue
		}
		seen[h.key] = true
		out = append(out, h.AppHeader)
	}
	return out
}

// appIdentityHeaders lists the identity headers each audited Python file names, once per
// file. Computed once per audited path.
func (pa *pathAudit) appIdentityHeaders() []appHeader {
	if pa.appHeaders != nil {
		return *pa.appHeaders
	}
	var out []appHeader
	for _, p := range pa.pyFiles {
		seen := map[string]bool{}
		data, err := pa.readQuiet(p)
		if err != nil || (!bytes.Contains(data, []byte("HTTP_")) && !bytes.Contains(bytes.ToLower(data), []byte("client"))) {
			continue
		}
		add := func(name string, off int) {
			key := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
			if !nginx.IsIdentityHeader(name) || seen[key] {
				return
			}
			seen[key] = true
			line := 1 + bytes.Count(data[:off], []byte{'\n'})
			out = append(out, appHeader{AppHeader: nginx.AppHeader{Name: name, Where: fmt.Sprintf("%s:%d", pa.rel(p), line)}, key: key, file: p})
		}
		for _, m := range metaKey.FindAllSubmatchIndex(data, -1) {
			add(strings.ReplaceAll(string(data[m[2]:m[3]]), "_", "-"), m[0])
		}
		for _, m := range dashedKey.FindAllSubmatchIndex(data, -1) {
			add(string(data[m[2]:m[3]]), m[0])
		}
	}
	pa.appHeaders = &out
	return out
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
	return slices.ContainsFunc(dirs, func(d string) bool { return strings.Contains(strings.ToLower(d), "nginx") })
}

// auditNginx parses each config once: a file already included by an earlier one (nginx.conf
// files first, shallowest first) is audited through it, not again on its own.
func (pa *pathAudit) auditNginx() {
	cands := slices.Clone(pa.nginx)
	slices.SortStableFunc(cands, func(a, b string) int {
		an, bn := filepath.Base(a) == "nginx.conf", filepath.Base(b) == "nginx.conf"
		if an != bn {
			if an {
				return -1
			}
			return 1
		}
		return cmp.Or(
			cmp.Compare(strings.Count(filepath.ToSlash(a), "/"), strings.Count(filepath.ToSlash(b), "/")),
			strings.Compare(a, b))
	})
	// Every file is read through the opener, and an absolute include is mapped into the
	// audited tree or not audited, so the machine's own configuration is never read.
	tree := &nginx.Tree{Read: pa.readQuiet, Inside: func(p string) bool {
		if _, err := os.Lstat(p); err != nil {
			// Not there (yet): judge by the path; a later read checks the file itself.
			root, _ := filepath.Abs(pa.root)
			r, err := filepath.Rel(root, filepath.Clean(p))
			return err == nil && r != ".." && !strings.HasPrefix(r, "../")
		}
		_, ok := pa.src.Inside(p)
		return ok
	}}
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
		cfg, err := nginx.ParseInTree(c, nginxPrefix(c), tree)
		if err != nil {
			var pe *nginx.Error
			if errors.As(err, &pe) {
				covered[key(pe.File)] = true
			}
			pa.extra = append(pa.extra, report.Target{Path: pa.display(c), Error: pa.relError(err)})
			continue
		}
		for _, f := range cfg.Files {
			covered[key(f)] = true
		}
		if d := nginx.ClientCertificateDirective(cfg); d != nil {
			abs, _ := filepath.Abs(c)
			pa.clientCerts = append(pa.clientCerts, clientCertEvidence{file: abs, where: fmt.Sprintf("%s:%d ssl_verify_client %s", pa.rel(d.File), d.Line, d.Arg(0))})
		}
		for _, m := range cfg.Missing {
			if m.NotAudited != "" {
				pa.target.Notes = append(pa.target.Notes, fmt.Sprintf("%s:%d:%d: include %q not audited: %s; audited without it", pa.rel(m.Err.File), m.Err.Line, m.Err.Column, m.Pattern, m.NotAudited))
				continue
			}
			pa.target.Notes = append(pa.target.Notes, fmt.Sprintf("%s:%d:%d: include %q not found (%s); audited without it", pa.rel(m.Err.File), m.Err.Line, m.Err.Column, m.Pattern, pa.relOrAbs(m.Path)))
		}
		for _, f := range nginx.Check(cfg, nginx.Options{RelPath: pa.rel, AppReads: pa.appReadsFor(c)}) {
			noteNonProductionConfig(&f)
			pa.out = append(pa.out, f)
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
func (pa *pathAudit) relError(err error) string {
	var pe *nginx.Error
	if errors.As(err, &pe) {
		e := *pe
		e.File = pa.display(pe.File)
		return e.Error()
	}
	return err.Error()
}
