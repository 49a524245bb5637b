package django

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// Which settings modules of a project are audited: every one Django could run with. The
// modules an entry point names (manage.py, wsgi.py, asgi.py, a .env file), then every
// settings module (settings.py, or a module of a settings/ package) that no other one
// imports: a base.py that dev.py and production.py star-import is audited through them.
// The user narrows the set with --settings (Choose), and the environment's
// DJANGO_SETTINGS_MODULE adds its module (Add). A module found but not audited on its own
// is listed with why, so the report never passes over settings in silence.

// SkippedModule is a settings module found but not audited on its own.
type SkippedModule struct {
	Module string // dotted name, or "" when the file has none
	File   string // relative to the project root, slash-separated
	Reason string
}

// namedModule is a DJANGO_SETTINGS_MODULE value and the file that names it.
type namedModule struct {
	mod, from string
}

func (p *Project) settingsModules(named []namedModule, cands []string, opts Options) {
	seen := map[string]bool{}
	for _, n := range named {
		if seen[n.mod] {
			continue
		}
		seen[n.mod] = true
		if moduleFile(p.Root, n.mod) == "" {
			p.skip(n.mod, "", fmt.Sprintf("named in %s, but there is no such module under the project", p.rel(n.from)))
			continue
		}
		p.SettingsModules = append(p.SettingsModules, n.mod)
	}
	for _, mod := range p.leafModules(cands, opts) {
		if !seen[mod] {
			seen[mod] = true
			p.SettingsModules = append(p.SettingsModules, mod)
		}
	}
	p.NotAudited = slices.DeleteFunc(p.NotAudited, func(s SkippedModule) bool { return s.Module != "" && seen[s.Module] })
}

func (p *Project) rel(file string) string {
	if r, err := filepath.Rel(p.Root, file); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(file)
}

func (p *Project) skip(mod, file, reason string) {
	p.NotAudited = append(p.NotAudited, SkippedModule{Module: mod, File: file, Reason: reason})
}

// leafModules returns the settings candidates no other candidate imports, sorted, and
// records the others in NotAudited.
func (p *Project) leafModules(cands []string, opts Options) []string {
	root := p.Root
	ev := newEvaluator(root)
	ev.read = opts.read
	defines, django := map[string]bool{}, map[string]bool{}
	overBudget := map[string]string{}
	for _, c := range cands {
		env, _, err := ev.evalFile(c, moduleNameFor(root, c))
		var be *BudgetError
		if errors.As(err, &be) {
			opts.budget(err)
			overBudget[c] = be.Reason
		}
		for name := range env {
			if name == strings.ToUpper(name) && !strings.HasPrefix(name, "_") {
				defines[c] = true
			}
			if coreSettingNames[name] {
				django[c] = true // itself or through what it imports
			}
		}
	}
	importers := map[string][]string{}
	for from, tos := range ev.imported {
		for _, to := range tos {
			if to != from && slices.Contains(cands, from) {
				importers[to] = append(importers[to], moduleNameFor(root, from))
			}
		}
	}
	var mods []string
	for _, c := range cands {
		mod := moduleNameFor(root, c)
		switch {
		case !importable(c):
			p.skip("", p.rel(c), "not an importable module name (a template or a backup?): Django cannot load it; scanned for secrets only")
		case len(importers[c]) > 0:
			by := slices.Compact(slices.Sorted(slices.Values(importers[c])))
			p.skip(mod, p.rel(c), "imported by "+strings.Join(by, ", ")+": audited through "+pronoun(len(by)))
		case filepath.Base(c) == "__init__.py" && (len(ev.imported[c]) > 0 || !defines[c]):
			// a settings package's __init__.py that is empty, or only star-imports a
			// sibling, is not a settings module of its own
			if len(ev.imported[c]) == 0 {
				p.skip(mod, p.rel(c), "the settings package's __init__.py defines no setting")
			}
		case overBudget[c] != "":
			p.skip(mod, p.rel(c), "not analysed as Python: "+overBudget[c]+"; scanned for secrets only")
		case !django[c]:
			// taiga/projects/settings/api.py, documents/settings.py: an app's own
			// settings or code in a package named settings, not a Django settings module
			p.skip(mod, p.rel(c), "sets no Django setting (SECRET_KEY, INSTALLED_APPS, DEBUG, MIDDLEWARE, ...), itself or through its imports: not a Django settings module")
		default:
			mods = append(mods, mod)
		}
	}
	sort.Strings(mods)
	return mods
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// Choose keeps only the modules in mods (--settings) that the project has, listing the
// others it would have audited as not chosen, and returns the ones it has.
func (p *Project) Choose(mods []string) []string {
	var found []string
	for _, m := range mods {
		if moduleFile(p.Root, m) != "" && !slices.Contains(found, m) {
			found = append(found, m)
		}
	}
	for _, m := range p.SettingsModules {
		if !slices.Contains(found, m) {
			p.skip(m, "", "not chosen with --settings")
		}
	}
	p.SettingsModules = found
	return found
}

// Add audits mod too when the project has it (the environment's DJANGO_SETTINGS_MODULE),
// and reports whether it does.
func (p *Project) Add(mod string) bool {
	if moduleFile(p.Root, mod) == "" {
		return false
	}
	if !slices.Contains(p.SettingsModules, mod) {
		p.SettingsModules = append(p.SettingsModules, mod)
	}
	p.NotAudited = slices.DeleteFunc(p.NotAudited, func(s SkippedModule) bool { return s.Module == mod })
	return true
}

// mergeAcrossModules reports a line once when several settings modules reach it (base.py
// through dev.py and production.py): the finding of the module that rates it worst (the
// first such module: entry points' modules come first) stays, naming the others in a note.
func mergeAcrossModules(fs []finding.Finding, discs []string) []finding.Finding {
	type loc struct {
		rule, file, disc string
		line, col        int
	}
	first := map[loc]int{}
	var out []finding.Finding
	var also [][]string
	for j, f := range fs {
		if f.Settings == "" {
			out = append(out, f)
			also = append(also, nil)
			continue
		}
		k := loc{f.Rule, f.File, discs[j], f.Line, f.Column}
		i, ok := first[k]
		if !ok {
			first[k] = len(out)
			out = append(out, f)
			also = append(also, nil)
			continue
		}
		if f.Severity > out[i].Severity {
			f, out[i] = out[i], f
		}
		if f.Settings != out[i].Settings && !slices.Contains(also[i], f.Settings) {
			also[i] = append(also[i], f.Settings)
		}
	}
	for i, mods := range also {
		if len(mods) > 0 {
			out[i].Evidence.Notes = append(out[i].Evidence.Notes, "the same line is in effect through settings module "+strings.Join(mods, ", ")+" too")
		}
	}
	return out
}

// devBase returns the first development or test settings module (by name; a settings.py or
// a module of a settings package) that file imports, directly or through other modules, or "".
func (ev *evaluator) devBase(file, root string) string {
	seen := map[string]bool{file: true}
	queue := append([]string(nil), ev.imported[file]...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		// settings modules only: saleor.settings imports saleor.patch_local, which is code
		if mod := moduleNameFor(root, p); isSettingsCandidate(p) && demotedName(mod) {
			return mod
		}
		queue = append(queue, ev.imported[p]...)
	}
	return ""
}
