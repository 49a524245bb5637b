package django

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func evalSource(t testing.TB, src string) scope {
	t.Helper()
	f, err := parsePython("settings.py", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return newEvaluator("").evalParsed(f, "settings")
}

// render shows every binding of a name: value, and " if COND" for conditional ones.
func render(bs []*binding) string {
	var parts []string
	for _, b := range bs {
		s := "unset"
		if !b.unset {
			s = b.val.describe()
			if b.val.kind == vEnv {
				s = "env " + b.val.env.Var
				if b.val.env.Default != nil {
					s += " default " + b.val.env.Default.describe()
				}
			}
		}
		if b.cond != "" {
			s += " if " + b.cond
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " | ")
}

func TestEvaluateSettings(t *testing.T) {
	cases := []struct {
		name, src, setting, want string
	}{
		{"literal", `DEBUG = True`, "DEBUG", "True"},
		{"int arithmetic", `X = 60 * 60 * 24 * 7`, "X", "604800"},
		{"string concat", `X = "a" "b" + 'c'`, "X", `"abc"`},
		{"escapes", `X = "a\.b\n" + r"\d"`, "X", `"a\\.b\n\\d"`},
		{"list +=", "M = ['a']\nM += ['b']\nM += ('c',)", "M", `["a", "b", "c"]`},
		{"append insert extend", "M = ['b']\nM.append('c')\nM.insert(0, 'a')\nM.extend(['d'])\nM.remove('c')", "M", `["a", "b", "d"]`},
		{"tuple + splat", "A = ('x',)\nB = (*A, 'y')", "B", `("x", "y")`},
		{"dict subscript", "L = {'loggers': {}}\nL['loggers']['db'] = {'level': 'DEBUG'}\nV = L['loggers']['db']['level']", "V", `"DEBUG"`},
		{"dict update and get", "D = {'a': 1}\nD.update({'b': 2})\nV = D.get('b')", "V", "2"},
		{"chained assignment", "A = B = 'x'", "B", `"x"`},
		{"tuple unpack", "A, B = 1, 2", "B", "2"},
		{"path join", "from pathlib import Path\nBASE = Path('/srv/app/settings.py').resolve().parent\nS = BASE / 'static' / 'x'", "S", `"/srv/app/static/x"`},
		{"os.path", "import os\nS = os.path.join(os.path.dirname('/a/b/c.py'), 'logs')", "S", `"/a/b/logs"`},
		{"environ.get default", `import os
DEBUG = os.environ.get("DJANGO_DEBUG", "True") == "True"`, "DEBUG", "env DJANGO_DEBUG default True"},
		{"environ.get no default", `import os
X = os.environ.get("X")`, "X", "env X default None"},
		{"environ subscript", `import os
K = os.environ["K"]`, "K", "env K"},
		{"getenv lower in", `import os
D = os.getenv("D", "Yes").lower() in ("yes", "1")`, "D", "env D default True"},
		{"from os import environ", `from os import environ
D = environ.get("D", "0") == "1"`, "D", "env D default False"},
		{"bool int", `import os
D = bool(int(os.environ.get("D", "1")))`, "D", "env D default True"},
		{"or default", `import os
H = os.environ.get("H") or "*"`, "H", `env H default "*"`},
		{"conditional expression", `import os
D = True if os.environ.get("ENV", "dev") == "dev" else False`, "D", "env ENV default True"},
		{"django-environ", `import environ
env = environ.Env()
D = env.bool("D", default=True)`, "D", "env D default True"},
		{"django-environ scheme", `import environ
env = environ.Env(D=(bool, False))
D = env("D")`, "D", "env D default False"},
		{"django-environ list", `import environ
env = environ.Env()
H = env.list("H", default=["*"])`, "H", `env H default ["*"]`},
		{"decouple bool string", `from decouple import config
D = config("D", default="off", cast=bool)`, "D", "env D default False"},
		{"decouple Csv", `from decouple import config, Csv
H = config("H", default="a.example.com, *", cast=Csv())`, "H", `env H default ["a.example.com", "*"]`},
		{"decouple no default", `from decouple import config
S = config("S")`, "S", "env S"},
		{"if undecidable", `import os
DEBUG = False
if os.environ.get("STAGING"):
    DEBUG = True`, "DEBUG", "True if `os.environ.get(\"STAGING\")` | False"},
		{"if decidable", "DEBUG = False\nif not DEBUG:\n    X = 1\nelse:\n    X = 2", "X", "1"},
		{"if unset path", "import os\nif os.environ.get('P'):\n    X = 1", "X", "1 if `os.environ.get('P')` | unset if not `os.environ.get('P')`"},
		{"elif else", "import os\nif os.environ.get('A'):\n    X = 1\nelif os.environ.get('B'):\n    X = 2\nelse:\n    X = 3", "X",
			"1 if `os.environ.get('A')` | 2 if not `os.environ.get('A')` and `os.environ.get('B')` | 3 if not `os.environ.get('A')` and not `os.environ.get('B')`"},
		{"nested if", "import os\nif os.environ.get('A'):\n    if os.environ.get('B'):\n        X = 1", "X", "1 if `os.environ.get('A')` and `os.environ.get('B')` | unset if `os.environ.get('A')` and not `os.environ.get('B')` | unset if not `os.environ.get('A')`"},
		{"not in", `X = "a" not in ["b"]`, "X", "True"},
		{"is not", `X = None is not None`, "X", "False"},
		{"chained comparison", `X = 1 < 2 < 3`, "X", "True"},
		{"not in", `X = "a" not in ["b"]`, "X", "True"},
		{"is not", `X = None is not None`, "X", "False"},
		{"chained comparison", `X = 1 < 2 < 3`, "X", "True"},
		{"try except", "try:\n    X = 1\nexcept ImportError:\n    X = 2", "X", "1 if the try block at line 1 succeeds | 2 if the try block at line 1 fails (except at line 3)"},
		{"try except pass", "X = 0\ntry:\n    X = 1\nexcept ImportError:\n    pass\nfinally:\n    Y = 2", "X", "1 if the try block at line 2 succeeds | 0"},
		{"try finally", "try:\n    X = 1\nfinally:\n    X = 2", "X", "2"},
		{"corsheaders defaults", "from corsheaders.defaults import default_methods\nM = list(default_methods) + ['HEAD']", "M", `["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT", "HEAD"]`},
		{"function defs ignored", "def f():\n    DEBUG = True\nDEBUG = False", "DEBUG", "False"},
		{"unknown call", "X = compute()", "X", "an expression crossgate does not evaluate"},
		{"huge repeat capped", "X = 'a' * 10**9", "X", "an expression crossgate does not evaluate"},
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

func TestStarImports(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("site/__init__.py", "")
	write("site/settings/__init__.py", "")
	write("site/settings/base.py", "DEBUG = True\nMIDDLEWARE = ['a']\n_PRIVATE = 1\nSECRET_KEY = 'base'\n")
	write("site/settings/common.py", "from site.settings.base import *\nMIDDLEWARE += ['b']\n")
	write("site/settings/prod.py", "from .common import *\nfrom .base import SECRET_KEY as OLD_KEY\nDEBUG = False\nMIDDLEWARE.append('c')\n")
	write("site/settings/loop_a.py", "from .loop_b import *\nA = 1\n")
	write("site/settings/loop_b.py", "from .loop_a import *\nB = 2\n")
	ev := newEvaluator(dir)
	env, _, err := ev.evalFile(filepath.Join(dir, "site/settings/prod.py"), "site.settings.prod")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"DEBUG":      "False",
		"MIDDLEWARE": `["a", "b", "c"]`,
		"OLD_KEY":    `"base"`,
		"_PRIVATE":   "",
	} {
		if got := render(env[name]); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	if b := env["SECRET_KEY"]; len(b) != 1 || filepath.Base(b[0].file.path) != "base.py" {
		t.Errorf("SECRET_KEY should be located in base.py")
	}
	// an import cycle terminates
	env, _, err = newEvaluator(dir).evalFile(filepath.Join(dir, "site/settings/loop_a.py"), "site.settings.loop_a")
	if err != nil || render(env["A"]) != "1" || render(env["B"]) != "2" {
		t.Errorf("cycle: %v A=%s B=%s", err, render(env["A"]), render(env["B"]))
	}
}

func FuzzEvaluateSettings(f *testing.F) {
	for _, seed := range []string{
		"DEBUG = True\nMIDDLEWARE = ['a']\nMIDDLEWARE += ['b']\n",
		"import os\nif os.environ.get('X'):\n    DEBUG = os.environ.get('D', '1') == '1'\nelse:\n    DEBUG = False\n",
		"from .base import *\nfrom decouple import config\nX = config('X', default='a,b', cast=Csv())\n",
		"L = {}\nL['a']['b'] = 1\nX = [1] * 10\nX = X * X\nY = 'a' * -1\n",
		"CORS_ALLOWED_ORIGIN_REGEXES = [r'^https://a.b$', '(?P<x>a)\\\\1']\n",
		"def f(request):\n    s = request.META['HTTP_X_SSL_CLIENT_S_DN']\n    return 'CN=a' in s\n",
		"x = (((((((((((1)))))))))))\nA, B = C = [D] = 1, 2\n",
		"LOGGING = {'loggers': {'django.db.backends': {'level': 'DEBUG'}}}\n",
		"def f(request):\n    dn = request.META.get('HTTP_X_SSL_CLIENT_S_DN') if request.META.get('HTTP_X_SSL_CLIENT_VERIFY') == 'SUCCESS' else None\n    log.debug('%s', request.headers['date'])\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		pf, err := parsePython("settings.py", []byte(src))
		if err != nil {
			return
		}
		ev := newEvaluator("")
		env := ev.evalParsed(pf, "settings")
		if ev.steps > maxSteps {
			t.Fatalf("evaluation ran %d steps, cap %d", ev.steps, maxSteps)
		}
		a := &auditor{root: "/"}
		a.auditSettings(&settingsModule{name: "settings", file: pf, env: env, root: "/"})
		a.auditCode(pf)
		for _, fd := range a.out {
			if fd.Line < 1 || fd.Column < 1 {
				t.Fatalf("bad position %d:%d for %s", fd.Line, fd.Column, fd.Rule)
			}
		}
	})
}
