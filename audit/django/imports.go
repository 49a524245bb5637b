package django

import (
	"os"
	"path/filepath"
	"strings"
)

// Imports: settings split over modules (from .base import *, from x import NAME) are
// followed on disk, within the project.

// Known names from packages we do not read from disk.
var knownModuleValues = map[string]Value{
	"corsheaders.defaults.default_headers": {kind: vTuple, items: strItems("accept", "accept-encoding", "authorization", "content-type", "dnt", "origin", "user-agent", "x-csrftoken", "x-requested-with")},
	"corsheaders.defaults.default_methods": {kind: vTuple, items: strItems("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")},
}

func strItems(ss ...string) []Value {
	out := make([]Value, len(ss))
	for i, s := range ss {
		out[i] = strVal(s)
	}
	return out
}

func (fr *frame) execImportFrom(st *node) {
	modNode := st.child("module_name")
	if modNode == nil {
		return
	}
	level := 0
	dotted := fr.f.text(modNode)
	if modNode.kind == "relative_import" {
		dotted = ""
		for _, c := range modNode.children {
			switch c.kind {
			case "import_prefix":
				level = strings.Count(fr.f.text(c), ".")
			case "dotted_name":
				dotted = fr.f.text(c)
			}
		}
	}
	wildcard := false
	for _, c := range st.children {
		if c.kind == "wildcard_import" {
			wildcard = true
		}
	}
	file := fr.ev.resolveModule(fr.f.path, level, dotted)
	qual := dotted
	if level > 0 {
		qual = strings.Repeat(".", level) + dotted
	}
	if wildcard {
		if file == "" {
			return
		}
		fr.ev.imported[fr.f.path] = append(fr.ev.imported[fr.f.path], file)
		sub, _, err := fr.ev.evalFile(file, moduleNameFor(fr.ev.root, file))
		if err != nil {
			fr.ev.notes = append(fr.ev.notes, "cannot read star-imported module "+file+": "+err.Error())
			return
		}
		cond := fr.condText()
		for name, bs := range sub {
			if strings.HasPrefix(name, "_") {
				continue
			}
			if cond != "" {
				bs = withCond(bs, cond)
			}
			fr.env[name] = bs
		}
		return
	}
	var sub scope
	if file != "" {
		var err error
		fr.ev.imported[fr.f.path] = append(fr.ev.imported[fr.f.path], file)
		sub, _, err = fr.ev.evalFile(file, moduleNameFor(fr.ev.root, file))
		if err != nil {
			sub = nil
		}
	}
	for _, c := range st.children {
		if c.field != "name" {
			continue
		}
		nameN, aliasN := c, c
		if c.kind == "aliased_import" {
			nameN, aliasN = c.child("name"), c.child("alias")
		}
		if nameN == nil || aliasN == nil {
			continue
		}
		name, as := fr.f.text(nameN), fr.f.text(aliasN)
		if bs, ok := sub[name]; ok {
			fr.env[as] = withCond(bs, fr.condText())
			continue
		}
		if v, ok := knownModuleValues[qual+"."+name]; ok {
			fr.bindQuiet(as, v)
			continue
		}
		fr.bindQuiet(as, Value{kind: vModule, s: qual + "." + name})
	}
}

// resolveModule finds the file of a Python module: relative imports from the importing
// file's directory, absolute ones from the project root, then from the top of the
// importing file's package tree.
func (ev *evaluator) resolveModule(from string, level int, dotted string) string {
	var parts []string
	if dotted != "" {
		parts = strings.Split(dotted, ".")
	}
	try := func(dir string) string {
		if len(parts) == 0 {
			p := filepath.Join(dir, "__init__.py")
			if isFile(p) {
				return p
			}
			return ""
		}
		base := filepath.Join(append([]string{dir}, parts...)...)
		if isFile(base + ".py") {
			return base + ".py"
		}
		if isFile(filepath.Join(base, "__init__.py")) {
			return filepath.Join(base, "__init__.py")
		}
		return ""
	}
	if level > 0 {
		dir := filepath.Dir(from)
		for i := 1; i < level; i++ {
			dir = filepath.Dir(dir)
		}
		return try(dir)
	}
	if len(parts) == 0 {
		return ""
	}
	if ev.root != "" {
		if p := try(ev.root); p != "" {
			return p
		}
	}
	if top := packageTop(filepath.Dir(from)); top != "" {
		return try(top)
	}
	return ""
}

// packageTop is the directory above the outermost package holding dir.
func packageTop(dir string) string {
	top := dir
	for i := 0; i < 32 && isFile(filepath.Join(top, "__init__.py")); i++ {
		top = filepath.Dir(top)
	}
	return top
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// moduleNameFor is the dotted module name of file relative to root.
func moduleNameFor(root, file string) string {
	if root == "" {
		root = packageTop(filepath.Dir(file))
	}
	rel, err := filepath.Rel(root, file)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = filepath.Base(file)
	}
	rel = strings.TrimSuffix(filepath.ToSlash(rel), ".py")
	rel = strings.TrimSuffix(rel, "/__init__")
	return strings.ReplaceAll(rel, "/", ".")
}

// ---- expressions ----
