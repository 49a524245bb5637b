package django

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSettingsModuleValuesAreNames(t *testing.T) {
	for src, want := range map[string]string{
		"DJANGO_SETTINGS_MODULE=mysite.settings\n":                             "mysite.settings",
		"export DJANGO_SETTINGS_MODULE='a.b_2' # prod\n":                       "a.b_2",
		"DJANGO_SETTINGS_MODULE=../../etc/passwd\nDJANGO_SETTINGS_MODULE=ok\n": "ok",
		"DJANGO_SETTINGS_MODULE=/etc/nginx\n":                                  "",
		"DJANGO_SETTINGS_MODULE=a..b\n":                                        "",
		"DJANGO_SETTINGS_MODULE=1st.settings\n":                                "",
		"DJANGO_SETTINGS_MODULE=a.b\x00c\n":                                    "",
		strings.Repeat("x", 100<<10) + "\nDJANGO_SETTINGS_MODULE=after.long\n": "after.long",
	} {
		if got := dotenvSettingsModule([]byte(src)); got != want {
			t.Errorf("dotenvSettingsModule(%.60q) = %q, want %q", src, got, want)
		}
	}
	refs := settingsModuleRefs("manage.py", []byte(`import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
os.environ["DJANGO_SETTINGS_MODULE"] = "../../etc/passwd"
os.environ["DJANGO_SETTINGS_MODULE"] = "mysite.prod"
`))
	if strings.Join(refs, ",") != "mysite.settings,mysite.prod" {
		t.Errorf("settingsModuleRefs = %q", refs)
	}
}

// checkModuleNames: whatever a file of the audited tree says, discovery gets dotted names
// whose files lie under the project root.
func checkModuleNames(t *testing.T, mods ...string) {
	root := t.TempDir()
	for _, m := range mods {
		if !isModuleName(m) {
			t.Fatalf("not a module name: %q", m)
		}
		p := filepath.Join(append([]string{root}, strings.Split(m, ".")...)...)
		if r, err := filepath.Rel(root, p); err != nil || r == ".." || strings.HasPrefix(r, "../") {
			t.Fatalf("%q leads out of the root: %s", m, p)
		}
		_ = moduleFile(root, m)
	}
}

func FuzzDotenvSettingsModule(f *testing.F) {
	f.Add([]byte("DJANGO_SETTINGS_MODULE=mysite.settings\n"))
	f.Add([]byte("export DJANGO_SETTINGS_MODULE=\"a.b\" # c\r\nX=1\n"))
	f.Add([]byte("DJANGO_SETTINGS_MODULE=../x\n"))
	f.Add([]byte("\xff\xfeD\x00"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if m := dotenvSettingsModule(src); m != "" {
			checkModuleNames(t, m)
		}
	})
}

func FuzzSettingsModuleRefs(f *testing.F) {
	f.Add(`import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
`)
	f.Add(`os.environ['DJANGO_SETTINGS_MODULE'] = '../../etc'`)
	f.Add(`os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"{x}")`)
	f.Add("os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"a\\x2e\\x2e/b\")")
	f.Fuzz(func(t *testing.T, src string) {
		checkModuleNames(t, settingsModuleRefs("manage.py", []byte(src))...)
	})
}
