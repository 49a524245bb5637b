package django

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// Settings modules: what a setting may hold on each path through the module, and the
// emit that turns a rule's verdict into a finding at the assignment responsible.

type auditor struct {
	opts Options
	root string
	out  []finding.Finding
	// discs are the discriminators emit sealed out's findings with, index for index.
	discs []string
}

// position is where v was written: its own place when it has one, else the assignment of b
// that produced it (a value computed or read from elsewhere).
func (b *binding) position(v Value) (*pyFile, *node) {
	if v.file != nil {
		return v.file, v.n
	}
	return b.file, b.at
}

type settingsModule struct {
	name string
	file *pyFile
	env  scope
	root string
	// devBase is the development or test settings module this one imports, if any
	// (docker.py built on dev.py is development settings too).
	devBase string
}

// demotedNames are module names that say "not production". Such a module is audited like
// every other, and its findings are lowered by one step with a note: a dev.py with
// DEBUG = True is expected, not a leak.
var demotedNames = map[string]bool{
	"local": true, "locals": true, "dev": true, "develop": true, "development": true,
	"test": true, "tests": true, "testing": true, "ci": true, "local_settings": true, "settings_local": true,
}

// testPackages are package names that hold test settings (tests/settings.py of a reusable
// app, tests/testproject/settings.py).
var testPackages = map[string]bool{
	"test": true, "tests": true, "testing": true, "testproject": true, "test_project": true,
	"testapp": true, "testsite": true,
}

func (sm *settingsModule) demoted() bool {
	return sm.devBase != "" || demotedName(sm.name)
}

func demotedName(name string) bool {
	parts := strings.Split(name, ".")
	last := parts[len(parts)-1]
	if demotedNames[last] || strings.HasPrefix(last, "test_") || demotedWords(last) {
		return true
	}
	for _, p := range parts[:len(parts)-1] {
		if testPackages[p] {
			return true
		}
	}
	return false
}

func (sm *settingsModule) get(name string) []*binding { return sm.env[name] }

// pick returns the bindings of the first name that is set: django-cors-headers reads the
// new setting name and falls back to the old one.
func (sm *settingsModule) pick(names ...string) (string, []*binding) {
	for _, n := range names {
		if bs := sm.env[n]; len(bs) > 0 && !allUnset(bs) {
			return n, bs
		}
	}
	return names[0], nil
}

func allUnset(bs []*binding) bool {
	for _, b := range bs {
		if !b.unset {
			return false
		}
	}
	return true
}

// tri is a three-valued truth.
type tri int8

const (
	triUnknown tri = iota
	triTrue
	triFalse
)

// judge says whether a binding makes the setting truthy, and how we know, in words.
func judge(name string, b *binding) (tri, string) {
	if b.unset {
		return triFalse, name + " is not set on this path"
	}
	v := b.val
	var t tri
	var how string
	switch v.kind {
	case vEnv:
		how = fmt.Sprintf("%s comes from the environment variable %s", name, v.env.Var)
		if v.env.Default == nil {
			return triUnknown, how + " (no default)"
		}
		how += ", default " + v.env.Default.describe()
		if tv, ok := v.env.Default.truth(); ok {
			t = triFalse
			if tv {
				t = triTrue
			}
		}
	default:
		tv, ok := v.truth()
		if !ok {
			return triUnknown, name + " is set to an expression crossgate does not evaluate"
		}
		t = triFalse
		if tv {
			t = triTrue
		}
		how = name + " = " + v.describe()
	}
	if b.cond != "" {
		how += " (set only when " + b.cond + ")"
	}
	return t, how
}

// truthy reports the first binding that can make the setting true.
func (sm *settingsModule) truthy(names ...string) (*binding, string, bool) {
	name, bs := sm.pick(names...)
	for _, b := range bs {
		if t, how := judge(name, b); t == triTrue {
			return b, how, true
		}
	}
	return nil, "", false
}

// falsyOrUnset reports the bindings that leave a boolean setting off.
func (sm *settingsModule) falsyOrUnset(name string) (bs []*binding, hows []string, unsetAll bool) {
	all := sm.get(name)
	if len(all) == 0 {
		return nil, []string{name + " is not set (Django's default is False)"}, true
	}
	for _, b := range all {
		t, how := judge(name, b)
		if t == triFalse {
			if b.unset {
				how = name + " is not set when " + orOtherwise(b.cond)
			}
			bs = append(bs, b)
			hows = append(hows, how)
		}
	}
	return bs, hows, false
}

func orOtherwise(cond string) string {
	if cond == "" {
		return "the if statement's conditions are false"
	}
	return cond
}

func (sm *settingsModule) listHas(name, item string) bool {
	for _, b := range sm.get(name) {
		for _, it := range b.val.strs() {
			if it.s == item {
				return true
			}
		}
	}
	return false
}

func (a *auditor) emit(f finding.Finding, sm *settingsModule, file *pyFile, at *node, snippet, disc string) {
	if file == nil && sm != nil {
		file = sm.file
	}
	if file != nil {
		f.File = file.path
		if at != nil {
			f.Line, f.Column = file.pos(at)
		} else {
			f.Line, f.Column = 1, 1
		}
	}
	f.Evidence.Snippet = snippet
	if sm != nil {
		f.Settings = sm.name
		if sm.demoted() {
			why := "the module name " + sm.name + " says development or test settings"
			if sm.devBase != "" && !demotedName(sm.name) {
				why = sm.name + " imports the development or test settings " + sm.devBase
			}
			f.SetSeverity(f.Severity.Raise(-1), "lowered one step: "+why)
			f.Evidence.Notes = append(f.Evidence.Notes, "settings module "+sm.name+" looks like development/test settings ("+why+"): reported one step lower; make sure production does not run with it")
		}
	}
	// Fingerprint over the path relative to the audited root, so it is stable across checkouts.
	abs := f.File
	if rel, err := filepath.Rel(a.root, abs); err == nil && !strings.HasPrefix(rel, "..") {
		f.File = filepath.ToSlash(rel)
	}
	f.Seal(f.Settings + "\x00" + disc)
	f.File = abs
	a.out = append(a.out, f)
	a.discs = append(a.discs, disc)
}

// bindingSnippet is the statement that made the binding.
func bindingSnippet(b *binding) string {
	if b == nil || b.file == nil {
		return ""
	}
	if b.stmt != nil {
		return b.file.snippet(b.stmt)
	}
	return b.file.snippet(b.at)
}

// lineSnippet is the whole source line holding n.
func lineSnippet(f *pyFile, n *node) string {
	if f == nil || n == nil {
		return ""
	}
	s, e := int(n.start), int(n.end)
	for s > 0 && f.src[s-1] != '\n' {
		s--
	}
	for e < len(f.src) && f.src[e] != '\n' {
		e++
	}
	if e-s > 400 {
		return f.snippet(n)
	}
	return strings.TrimSpace(string(f.src[s:e]))
}

func (a *auditor) auditSettings(sm *settingsModule) {
	a.corsAllowAll(sm)
	a.corsOrigins(sm)
	a.corsRegexes(sm)
	a.corsMiddleware(sm)
	a.corsPreflight(sm)
	a.debug(sm)
	a.secretKey(sm)
	a.allowedHosts(sm)
	a.cookies(sm)
	a.sslRedirect(sm)
	a.loggingConfig(sm)
}
