package django

import (
	"cmp"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
)

// Every settings module is audited, not only the one an entry point names: split settings
// (base star-imported by dev and production), the module manage.py, wsgi.py and asgi.py
// name, and a module named only by an entry point although not called settings. A module
// found but not audited on its own is listed with why.
func TestEverySettingsModuleAudited(t *testing.T) {
	dir := t.TempDir()
	for p, s := range map[string]string{
		"manage.py":                             "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings.dev\")\n",
		"mysite/__init__.py":                    "",
		"mysite/wsgi.py":                        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings.production\")\n",
		"mysite/asgi.py":                        "import os\nos.environ[\"DJANGO_SETTINGS_MODULE\"] = \"mysite.deploy_conf\"\n",
		"mysite/deploy_conf.py":                 "from mysite.settings.production import *\nALLOWED_HOSTS = [\"*\"]\n",
		"mysite/settings/__init__.py":           "",
		"mysite/settings/base.py":               "DEBUG = False\nSECRET_KEY = \"k3y-committed-in-base-0123456789abcdef\"\n",
		"mysite/settings/dev.py":                "from .base import *\nDEBUG = True\n",
		"mysite/settings/production.py":         "from .base import *\n",
		"mysite/settings/staging.py":            "from .production import *\nDEBUG = True\n",
		"mysite/settings/production.example.py": "SECRET_KEY = \"change-me\"\n",
	} {
		writeFile(t, filepath.Join(dir, p), s)
	}
	ps, err := Discover(dir)
	if err != nil || len(ps) != 1 {
		t.Fatalf("Discover: %v %+v", err, ps)
	}
	p := ps[0]
	got := strings.Join(slices.Sorted(slices.Values(p.SettingsModules)), ",")
	want := "mysite.deploy_conf,mysite.settings.dev,mysite.settings.production,mysite.settings.staging"
	if got != want {
		t.Errorf("settings modules %s, want %s", got, want)
	}
	skipped := map[string]string{}
	for _, s := range p.NotAudited {
		skipped[cmp.Or(s.Module, s.File)] = s.Reason
	}
	for mod, why := range map[string]string{
		"mysite.settings.base":                  "imported by mysite.settings.dev, mysite.settings.production",
		"mysite/settings/production.example.py": "not an importable module name",
	} {
		if !strings.Contains(skipped[mod], why) {
			t.Errorf("%s: not-audited reason %q, want it to say %q (all: %v)", mod, skipped[mod], why, skipped)
		}
	}
	fs, err := Audit(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mods := map[string][]string{}
	for _, f := range fs {
		if f.Settings == "" {
			t.Errorf("%s at %s:%d names no settings module", f.Rule, f.File, f.Line)
		}
		mods[f.Rule] = append(mods[f.Rule], f.Settings)
	}
	for _, m := range mods {
		slices.Sort(m)
	}
	for rule, want := range map[string]string{
		"django-debug-enabled":          "mysite.settings.dev,mysite.settings.staging",
		"django-allowed-hosts-wildcard": "mysite.deploy_conf",
	} {
		if got := strings.Join(mods[rule], ","); got != want {
			t.Errorf("%s in %s, want %s", rule, got, want)
		}
	}
}

// Choose narrows the audit to the modules given (--settings), listing the others as not
// chosen; Add audits one more (DJANGO_SETTINGS_MODULE from the environment).
func TestChooseAndAddSettings(t *testing.T) {
	ps, err := Discover("testdata/split")
	if err != nil || len(ps) != 1 {
		t.Fatalf("Discover: %v", err)
	}
	p := ps[0]
	if found := p.Choose([]string{"mysite.settings.dev", "nope.settings"}); strings.Join(found, ",") != "mysite.settings.dev" {
		t.Errorf("Choose found %v", found)
	}
	if strings.Join(p.SettingsModules, ",") != "mysite.settings.dev" {
		t.Errorf("chosen: %v", p.SettingsModules)
	}
	var why string
	for _, s := range p.NotAudited {
		if s.Module == "mysite.settings.production" {
			why = s.Reason
		}
	}
	if !strings.Contains(why, "--settings") {
		t.Errorf("production not listed as not chosen: %+v", p.NotAudited)
	}
	if !p.Add("mysite.settings.production") || strings.Join(p.SettingsModules, ",") != "mysite.settings.dev,mysite.settings.production" {
		t.Errorf("Add: %v", p.SettingsModules)
	}
	if p.Add("nope.settings") {
		t.Error("Add of a module the project lacks succeeded")
	}
}

// Found on real projects (docs/audit-triage.md): code in an app's package named settings
// (taiga's projects/settings/api.py, paperless's documents/settings.py) sets no Django
// setting and is not a settings module; a module built on development settings (Django's
// docker.py on dev.py) is development settings too, and its findings are one step lower.
func TestSettingsModuleLookalikesAndDevBases(t *testing.T) {
	dir := t.TempDir()
	for p, s := range map[string]string{
		"manage.py":                 "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site.settings.prod\")\n",
		"site/__init__.py":          "",
		"site/settings/__init__.py": "",
		"site/settings/common.py":   "INSTALLED_APPS = []\nSECURE_SSL_REDIRECT = True\n",
		"site/settings/prod.py":     "from .common import *\nDEBUG = False\n",
		"site/settings/dev.py":      "from .common import *\nDEBUG = True\n",
		"site/settings/docker.py":   "from .dev import *\nDATABASES = {}\n",
		"shop/__init__.py":          "",
		"shop/settings/__init__.py": "",
		"shop/settings/api.py":      "from . import models\n\ndef view(request):\n    return None\n",
		"shop/settings/choices.py":  "HOMEPAGE_CHOICES = [(1, 'a')]\n",
		"documents/__init__.py":     "",
		"documents/settings.py":     "EXPORTER_FILE_NAME = \"__exported_file_name__\"\n",
	} {
		writeFile(t, filepath.Join(dir, p), s)
	}
	ps, err := Discover(dir)
	if err != nil || len(ps) != 1 {
		t.Fatalf("Discover: %v %+v", err, ps)
	}
	if got := strings.Join(slices.Sorted(slices.Values(ps[0].SettingsModules)), ","); got != "site.settings.docker,site.settings.prod" { // dev.py through docker.py
		t.Errorf("settings modules %s", got)
	}
	for _, mod := range []string{"shop.settings.api", "shop.settings.choices", "documents.settings"} {
		if !slices.ContainsFunc(ps[0].NotAudited, func(s SkippedModule) bool {
			return s.Module == mod && strings.Contains(s.Reason, "not a Django settings module")
		}) {
			t.Errorf("%s not listed as not a settings module: %+v", mod, ps[0].NotAudited)
		}
	}
	fs, err := Audit(ps[0], Options{})
	if err != nil {
		t.Fatal(err)
	}
	debug := findRule(fs, "django-debug-enabled")
	if len(debug) != 1 || debug[0].Severity != finding.Low || !strings.Contains(debug[0].SeverityReason, "imports the development or test settings site.settings.dev") {
		t.Fatalf("DEBUG = True in dev.py, through dev and docker: want one low finding, got %+v", debug)
	}
}

// Only settings modules make a module development settings: saleor.settings imports its
// patch_local helper, code whose name merely says local.
func TestDevBaseIsASettingsModule(t *testing.T) {
	dir := t.TempDir()
	for p, s := range map[string]string{
		"manage.py":           "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"shop.settings\")\n",
		"shop/__init__.py":    "",
		"shop/patch_local.py": "def patch():\n    pass\n",
		"shop/settings.py":    "from .patch_local import patch\nINSTALLED_APPS = []\nDEBUG = True\n",
	} {
		writeFile(t, filepath.Join(dir, p), s)
	}
	ps, err := Discover(dir)
	if err != nil || len(ps) != 1 {
		t.Fatalf("Discover: %v", err)
	}
	fs, err := Audit(ps[0], Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := findRule(fs, "django-debug-enabled"); len(d) != 1 || d[0].Severity != finding.Medium {
		t.Errorf("DEBUG in shop.settings: %+v", d)
	}
}
