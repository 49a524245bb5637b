package django

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSettingsModuleNames(t *testing.T) {
	for _, c := range []struct {
		file       string
		importable bool
	}{
		{"site/settings/production.py", true},
		{"site/settings/clever-cloud.py", true}, // importlib reaches it, an import statement does not
		{"site/settings/production.example.py", false},
		{"site/settings.old.py", false},
	} {
		if got := importable(c.file); got != c.importable {
			t.Errorf("importable(%s) = %v, want %v", c.file, got, c.importable)
		}
	}
	for name, want := range map[string]bool{
		"smoketest_configuration": true, "settings_test": true, "ci_settings": true, "dev": true,
		"production": false, "contest": false, "settings": false, "latest": false,
	} {
		sm := &settingsModule{name: "scripts." + name}
		if got := sm.demoted(); got != want {
			t.Errorf("demoted(%s) = %v, want %v", name, got, want)
		}
	}
}

// TestDiscoverSkipsTemplateSettings: a production.example.py next to real settings is a
// template, not a module Django can load; it must not make the project fail.
func TestDiscoverSkipsTemplateSettings(t *testing.T) {
	dir := t.TempDir()
	for rel, src := range map[string]string{
		"manage.py":                           "import sys\n",
		"site/__init__.py":                    "",
		"site/settings/__init__.py":           "",
		"site/settings/base.py":               "DEBUG = False\nSECRET_KEY = None\nALLOWED_HOSTS = []\n",
		"site/settings/production.example.py": "from .base import *\nSECRET_KEY = ''\n",
		"site/settings/production.py":         "from .base import *\n",
	} {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := Discover(dir)
	if err != nil || len(ps) != 1 {
		t.Fatalf("Discover: %v %+v", err, ps)
	}
	if !slices.Equal(ps[0].SettingsModules, []string{"site.settings.production"}) {
		t.Errorf("settings modules %q, want only site.settings.production", ps[0].SettingsModules)
	}
	if _, err := Audit(ps[0], Options{}); err != nil {
		t.Errorf("Audit: %v", err)
	}
}
