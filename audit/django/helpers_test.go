package django

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSettingsHelpers: the default a setting falls back to when its variable is unset,
// whichever way the settings read the environment. Each row is a shape met in public
// Django projects (docs/audit-triage.md).
func TestSettingsHelpers(t *testing.T) {
	cases := []struct {
		name, src, setting, want string
	}{
		{"helper compares to a word", `import os
def envbool(s, default):
    v = os.getenv(s, default=default)
    if v not in ("", "True", "False"):
        raise ValueError(s)
    return v == "True"
DEBUG = envbool("DEBUG", "True")`, "DEBUG", "env DEBUG default True"},
		{"typed helper, default parameter", `import os
def env_int(name: str, default: str = "5") -> int:
    v = os.getenv(name, default)
    if v == "None":
        return None
    return int(v)
N = env_int("N")`, "N", "env N default 5"},
		{"helper with an optional file", `import os
from pathlib import Path
def envsecret(s, default=None):
    """Read s, or the file s_FILE names."""
    if secret_path := os.getenv(s + "_FILE"):
        return Path(secret_path).read_text().strip()
    return os.getenv(s, default)
SECRET_KEY = envsecret("SECRET_KEY", "---")`, "SECRET_KEY", `env SECRET_KEY default "---"`},
		{"strtobool copied into settings", `import os
def strtobool(val):
    val = val.lower()
    if val in ("y", "yes", "t", "true", "on", "1"):
        return 1
    elif val in ("n", "no", "f", "false", "off", "0"):
        return 0
    else:
        raise ValueError(val)
DEBUG = bool(strtobool(os.environ.get("DEBUG") or "True"))`, "DEBUG", "env DEBUG default True"},
		{"distutils strtobool", `import os
from distutils.util import strtobool
DEBUG = bool(strtobool(os.getenv("DEBUG", "no")))`, "DEBUG", "env DEBUG default False"},
		{"private helper", `import os
def __get_boolean(key, default="False"):
    return os.environ.get(key, default).lower() in ("true", "1", "yes")
DEBUG = __get_boolean("PAPERLESS_DEBUG", "YES")`, "DEBUG", "env PAPERLESS_DEBUG default True"},
		{"helper calls a helper", `import os
def get(name, default):
    return os.environ.get(name, default)
def get_bool(name, default="0"):
    return get(name, default) == "1"
DEBUG = get_bool("DEBUG", "1")`, "DEBUG", "env DEBUG default True"},
		{"keyword arguments", `import os
def get_secret(name, default=None):
    return os.environ.get(name, default)
SECRET_KEY = get_secret(default="dev-key-123", name="SECRET_KEY")`, "SECRET_KEY", `env SECRET_KEY default "dev-key-123"`},
		{"required variable raises", `import os
def required(name):
    v = os.environ.get(name)
    if v is None:
        raise RuntimeError(name)
    return v
SECRET_KEY = required("SECRET_KEY")`, "SECRET_KEY", "an expression crossgate does not evaluate"},
		{"loop is not followed", `import os
def first(*names):
    for n in names:
        if os.getenv(n):
            return os.getenv(n)
    return "fallback"
K = first("A", "B")`, "K", "an expression crossgate does not evaluate"},
		{"condition on a non-environment value", `import os, sys
def dbg():
    if "test" in sys.argv:
        return False
    return True
DEBUG = dbg()`, "DEBUG", "an expression crossgate does not evaluate"},
		{"recursion is bounded", `def f(x):
    return f(x)
X = f(1)`, "X", "an expression crossgate does not evaluate"},
		{"helper without return", `def setup():
    pass
X = setup()`, "X", "None"},
		{"function body not run at definition", "def f():\n    DEBUG = True\nDEBUG = False", "DEBUG", "False"},
		// libraries
		{"django-environ bool positional default", `import environ
env = environ.Env()
DEBUG = env.bool("DEBUG", True)`, "DEBUG", "env DEBUG default True"},
		{"django-environ call with default", `import environ
env = environ.Env()
SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key")`, "SECRET_KEY", `env SECRET_KEY default "insecure-dev-key"`},
		{"django-environ scheme", `import environ
env = environ.Env(DEBUG=(bool, True))
DEBUG = env("DEBUG")`, "DEBUG", "env DEBUG default True"},
		{"django-environ list cast first", `import environ
env = environ.Env()
H = env.list("H", str, ["*"])`, "H", `env H default ["*"]`},
		{"environs", `from environs import Env
env = Env()
env.read_env()
DEBUG = env.bool("DEBUG", True)`, "DEBUG", "env DEBUG default True"},
		{"environs keyword", `import environs
env = environs.Env()
SECRET_KEY = env.str("SECRET_KEY", default="abc123")`, "SECRET_KEY", `env SECRET_KEY default "abc123"`},
		{"decouple config", `from decouple import config
DEBUG = config("DEBUG", default=True, cast=bool)`, "DEBUG", "env DEBUG default True"},
		{"decouple AutoConfig", `from decouple import AutoConfig
config = AutoConfig(search_path="/srv")
DEBUG = config("DEBUG", default="yes", cast=bool)`, "DEBUG", "env DEBUG default True"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := render(evalSource(t, c.src)[c.setting])
			if got != c.want {
				t.Errorf("%s\n got: %s\nwant: %s", c.src, got, c.want)
			}
		})
	}
}

// TestHelperInSiblingModule: a helper defined in a module the settings import by name.
func TestHelperInSiblingModule(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("site/__init__.py", "")
	write("site/envtools.py", "import os\nPREFIX = 'APP_'\ndef flag(name, default='false'):\n    return os.environ.get(PREFIX + name, default).lower() == 'true'\n")
	write("site/settings.py", "from .envtools import flag\nDEBUG = flag('DEBUG', 'True')\n")
	env, _, err := newEvaluator(dir).evalFile(filepath.Join(dir, "site/settings.py"), "site.settings")
	if err != nil {
		t.Fatal(err)
	}
	if got := render(env["DEBUG"]); got != "env APP_DEBUG default True" {
		t.Errorf("DEBUG = %s", got)
	}
}

// TestHelperDefaultsReachTheRules: the DEBUG and SECRET_KEY rules name the variable and
// the default a helper falls back to.
func TestHelperDefaultsReachTheRules(t *testing.T) {
	src := `import os
def envbool(s, default):
    return os.getenv(s, default) == "True"
def envsecret(s, default=None):
    return os.getenv(s, default)
SECRET_KEY = envsecret("SECRET_KEY", "k3v9x2m7q1z8r5w4t6y0")
DEBUG = envbool("DEBUG", "True")
`
	pf, err := parsePython("settings.py", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a := &auditor{root: "/"}
	a.auditSettings(&settingsModule{name: "settings", file: pf, env: newEvaluator("").evalParsed(pf, "settings"), root: "/"})
	var debug, key string
	for _, f := range a.out {
		switch f.Rule {
		case "django-debug-enabled":
			debug = f.Detail
		case "django-secret-key-hardcoded":
			key = f.Detail
		}
	}
	if !strings.Contains(debug, "DEBUG") || !strings.Contains(debug, "default True") {
		t.Errorf("django-debug-enabled detail %q should name DEBUG and default True", debug)
	}
	if !strings.Contains(key, "environment variable SECRET_KEY") || !strings.Contains(key, "falls back") {
		t.Errorf("django-secret-key-hardcoded detail %q should name SECRET_KEY and its fallback", key)
	}
}
