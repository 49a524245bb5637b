package audit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/crossgate/crossgate/audit/django"
	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/report"
)

// The Django side of an audit: each project found under the root, and every Python file
// outside a project, analysed by package django.

// noteSyntaxErrors says, for each Python file with findings, where it stops being valid
// Python: the analysis went on past that point, but may have missed what it could not parse.
func (pa *pathAudit) noteSyntaxErrors() {
	seen := map[string]bool{}
	for _, f := range pa.out {
		if !strings.HasSuffix(f.File, ".py") || seen[f.File] {
			continue
		}
		seen[f.File] = true
		p := filepath.Join(pa.root, filepath.FromSlash(f.File))
		if _, kept := pa.kept.get(p); !kept && !smallFile(p, django.MaxSourceBytes) {
			continue // not analysed as Python: not read again either
		}
		data, err := pa.readQuiet(p)
		if err != nil || len(data) > django.MaxSourceBytes {
			continue
		}
		if line, err := django.SyntaxErrorLine(data); err == nil && line > 0 {
			pa.target.Notes = append(pa.target.Notes, fmt.Sprintf("%s:%d: not valid Python from here on; crossgate analysed what it could parse, and may have missed settings after this point", f.File, line))
		}
	}
}

func (pa *pathAudit) django(single bool, keys map[string]bool) error {
	opts := django.Options{Mask: exposure.Mask, ShowSecrets: pa.opts.ShowSecrets, Read: pa.readQuiet, Files: pa.texts,
		NotAnalysed: func(p, reason string) { pa.skip(p, "not analysed as Python: "+reason) }}
	var fs []finding.Finding
	if single {
		if !strings.HasSuffix(pa.given, ".py") {
			return nil
		}
		got, err := django.AuditFile(pa.given, opts)
		var be *django.BudgetError
		if errors.As(err, &be) {
			opts.NotAnalysed(be.Path, be.Reason)
			return nil
		}
		if err != nil {
			pa.extra = append(pa.extra, report.Target{Path: pa.display(pa.given), Error: err.Error()})
		}
		fs = got
	} else {
		if len(pa.pyFiles) == 0 {
			return nil
		}
		var roots []string
		projects, err := django.DiscoverWith(pa.root, opts)
		if err != nil {
			pa.extra = append(pa.extra, report.Target{Path: pa.target.Path, Error: "django discovery: " + err.Error()})
			return nil
		}
		chosen := map[string]bool{}
		for _, p := range projects {
			if pa.ig.match(pa.rel(p.Root), true) {
				continue
			}
			pa.chooseSettings(&p, chosen)
			got, err := django.Audit(p, opts)
			var be *django.BudgetError
			if errors.As(err, &be) {
				opts.NotAnalysed(be.Path, be.Reason)
				continue
			}
			if broken := syntaxErrors(err); len(broken) > 0 {
				// Partly audited: the findings stand, and the module's target fails.
				for _, se := range broken {
					pa.extra = append(pa.extra, report.Target{Path: pa.display(filepath.Join(p.Root, se.File)), Error: se.Error()})
				}
			} else if err != nil {
				pa.extra = append(pa.extra, report.Target{Path: pa.display(p.Root), Error: err.Error()})
				continue
			}
			pa.target.Settings = append(pa.target.Settings, p.SettingsModules...)
			for _, s := range p.NotAudited {
				file := s.File
				if file != "" {
					file = pa.rel(filepath.Join(p.Root, file))
				}
				pa.target.SettingsNotAudited = append(pa.target.SettingsNotAudited, report.SkippedModule{Module: s.Module, File: file, Reason: s.Reason})
			}
			fs = append(fs, got...)
			roots = append(roots, p.Root)
			if abs, err := filepath.Abs(p.Root); err == nil {
				pa.projects = append(pa.projects, abs)
			}
		}
		for _, m := range pa.opts.Settings {
			if !chosen[m] && len(projects) > 0 {
				pa.extra = append(pa.extra, report.Target{Path: pa.target.Path, Error: fmt.Sprintf("settings module %s (--settings) is not in any Django project under this path", m)})
			}
		}
		// Python outside every project (libraries, scripts, a tree without manage.py) still
		// gets the code rules, file by file.
		var loose []string
		for _, py := range pa.pyFiles {
			if !under(py, roots) {
				loose = append(loose, py)
			}
		}
		got := make([][]finding.Finding, len(loose))
		parallel(pa.ctx, len(loose), func(i int) {
			// A file tree-sitter cannot read as Python 3 yields nothing; the secret scan saw it.
			var err error
			got[i], err = django.AuditFile(loose[i], opts)
			var be *django.BudgetError
			if errors.As(err, &be) {
				opts.NotAnalysed(be.Path, be.Reason)
			}
		})
		if err := pa.ctx.Err(); err != nil {
			return err
		}
		for _, g := range got {
			fs = append(fs, g...)
		}
	}
	seen := map[string]bool{}
	for _, f := range fs {
		if f.File != "" {
			if pa.ig.match(pa.rel(f.File), false) {
				continue
			}
			f.File = pa.rel(f.File)
		}
		f.Seal(fmt.Sprintf("%d|%s|%s", f.Column, f.Settings, f.Detail))
		if seen[f.Fingerprint] {
			continue // one file reached through two settings modules
		}
		seen[f.Fingerprint] = true
		if f.Rule == "django-secret-key-hardcoded" {
			keys[fmt.Sprintf("%s:%d", f.File, f.Line)] = true
		}
		pa.out = append(pa.out, f)
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

// syntaxErrors lists the settings modules of err that are not valid Python; nil when err is
// nil or says something else.
func syntaxErrors(err error) []*django.SyntaxError {
	var out []*django.SyntaxError
	var se *django.SyntaxError
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			if errors.As(e, &se) {
				out = append(out, se)
			}
		}
	} else if errors.As(err, &se) {
		out = append(out, se)
	}
	return out
}

// chooseSettings applies --settings and the environment's DJANGO_SETTINGS_MODULE to a
// project, recording in chosen the --settings modules it has.
func (pa *pathAudit) chooseSettings(p *django.Project, chosen map[string]bool) {
	if pa.opts.EnvSettings != "" {
		p.Add(pa.opts.EnvSettings)
	}
	if len(pa.opts.Settings) > 0 {
		for _, m := range p.Choose(pa.opts.Settings) {
			chosen[m] = true
		}
	}
}

// smallFile reports whether p's size, as the file system gives it, is at most n bytes.
func smallFile(p string, n int64) bool {
	st, err := os.Stat(p)
	return err == nil && st.Size() <= n
}
