package exposurecheck

import (
	"net/url"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/probe"
)

var spaShell = "<!DOCTYPE html><html><head><title>App</title></head><body><div id=app></div></body></html>"

// Each row is a body a server may answer for the file; ok says whether it proves the file.
var validatorCases = []struct {
	name string
	fn   func([]byte, string) (bool, string)
	body string
	ct   string
	ok   bool
}{
	{"env", validateEnv, "APP_KEY=base64:abc\nDB_HOST=db\n", "", true},
	{"env export and comments", validateEnv, "# env\nexport SECRET=1\nexport TOKEN=2\n", "", true},
	{"env one line", validateEnv, "DEBUG=1\n", "", false},
	{"env lower-case keys", validateEnv, "debug=1\nname=x\n", "", false},
	{"env html", validateEnv, spaShell + "\nA=1\nB=2", "", false},
	{"env served as html", validateEnv, "A=1\nB=2\n", "text/html", false},
	{"env prose first", validateEnv, "Welcome to our site\nA=1\nB=2\n", "", false},
	{"env json", validateEnv, `{"detail":"Not found."}`, "application/json", false},

	{"git head ref", validateGitHEAD, "ref: refs/heads/main\n", "", true},
	{"git head detached", validateGitHEAD, "3f786850e387550fdab836ed7e6dc881de23001b\n", "", true},
	{"git head sha256", validateGitHEAD, strings.Repeat("ab", 32) + "\n", "", true},
	{"git head prose", validateGitHEAD, "ref: refs/heads/main\nmore\nlines\n", "", false},
	{"git head short hex", validateGitHEAD, "3f786850e387550f\n", "", false},
	{"git head html", validateGitHEAD, spaShell, "", false},

	{"git config", validateGitConfig, "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = git@example:a/b\n", "", true},
	{"git config no core", validateGitConfig, "[user]\nname = x\n", "", false},
	{"git config html", validateGitConfig, "<html><body>[core]</body></html>", "", false},

	{"svn 1.7+", validateSVNEntries, "12\n", "", true},
	{"svn old", validateSVNEntries, "10\n\ndir\n1234\nhttps://svn.example/repo\n", "", true},
	{"svn xml", validateSVNEntries, "<?xml version=\"1.0\"?>\n<wc-entries xmlns=\"svn:\">", "", true},
	{"svn number out of range", validateSVNEntries, "404\n", "", false},
	{"svn number then prose", validateSVNEntries, "12\nNot found\n", "", false},

	{"hgrc", validateHgrc, "[paths]\ndefault = https://hg.example/repo\n", "", true},
	{"hgrc section only", validateHgrc, "[paths]\n", "", false},
	{"hgrc unknown section", validateHgrc, "[server]\nport = 1\n", "", false},

	{"log python default", validateLog, "WARNING:django.request:Not Found: /x\nERROR:django.request:Internal Server Error: /y\n", "", true},
	{"log iso", validateLog, "2026-12-01 10:00:01,123 INFO started\n2026-12-01T10:00:02 ERROR boom\n", "", true},
	{"log runserver", validateLog, "[01/Dec/2026 10:00:00] \"GET / HTTP/1.1\" 200 5\n[01/Dec/2026 10:00:01] \"GET /x HTTP/1.1\" 404 9\n", "", true},
	{"log access", validateLog, "10.0.0.1 - - [01/Dec/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5\n10.0.0.2 - - [01/Dec/2026:10:00:01 +0000] \"GET /a HTTP/1.1\" 200 5\n", "", true},
	{"log one line", validateLog, "2026-12-01 10:00:01 INFO only one\n", "", false},
	{"log prose with level words", validateLog, "An ERROR occurred. Please retry.\nINFO about us\n", "", false},
	{"log html", validateLog, spaShell + "\n2026-12-01 10:00:01 a\n2026-12-01 10:00:02 b", "", false},

	{"sqlite", validateSQLite, "SQLite format 3\x00\x10\x00rest", "", true},
	{"sqlite no nul", validateSQLite, "SQLite format 3 is a file format", "", false},

	{"sql dump", validateSQLDump, "-- PostgreSQL database dump\nCREATE TABLE users (id int);\nINSERT INTO users VALUES (1);\n", "", true},
	{"sql only comment", validateSQLDump, "-- MySQL dump 10.13\nPRAGMA foreign_keys=OFF;\n", "", false},
	{"sql prose", validateSQLDump, "How to use CREATE TABLE in SQL\n", "", false},
	{"sql html", validateSQLDump, "<html>\nCREATE TABLE a (b int);\nINSERT INTO a VALUES (1);\n", "", false},

	{"settings", validateSettings, "DEBUG = False\nALLOWED_HOSTS = ['shop.example']\n", "", true},
	{"settings secret literal", validateSettings, "SECRET_KEY = 'abc'\n", "", true},
	{"settings secret from env", validateSettings, "SECRET_KEY = os.environ['SECRET_KEY']\n", "", false},
	{"settings prose", validateSettings, "These are the settings.\n", "", false},

	{"htpasswd apr1", validateHtpasswd, "admin:$apr1$abcd$0123456789abcdefghijkl\n", "", true},
	{"htpasswd bcrypt sha", validateHtpasswd, "a:$2y$05$abcdefghijklmnopqrstuu\nb:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n", "", true},
	{"htpasswd prose", validateHtpasswd, "Note: use htpasswd\nto create users\n", "", false},
	{"htpasswd mostly prose", validateHtpasswd, "a:$apr1$x$y\nline two\nline three\n", "", false},

	{"netrc", validateNetrc, "machine api.example login deploy password hunter2hunter2\n", "", true},
	{"netrc no password", validateNetrc, "machine api.example login deploy\n", "", false},

	{"aws credentials", validateAWSCredentials, "[default]\naws_access_key_id = AKIA0000\naws_secret_access_key = x\n", "", true},
	{"aws no section", validateAWSCredentials, "aws_access_key_id = AKIA0000\n", "", false},

	{"npmrc", validateNpmrc, "//registry.npmjs.org/:_authToken=abc\n", "", true},
	{"npmrc registry", validateNpmrc, "registry=https://npm.example/\nalways-auth=true\n", "", true},
	{"npmrc prose", validateNpmrc, "npm is a package manager\n", "", false},

	{"git credentials", validateGitCredentials, "https://deploy:tok3n@github.example\n", "", true},
	{"git credentials no password", validateGitCredentials, "https://github.example/a/b\n", "", false},
}

func TestValidators(t *testing.T) {
	for _, c := range validatorCases {
		t.Run(c.name, func(t *testing.T) {
			ok, what := c.fn([]byte(c.body), c.ct)
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v (what %q)", ok, c.ok, what)
			}
			if ok && what == "" {
				t.Error("a validated file must say what it holds")
			}
		})
	}
}

func TestWellKnownFilesBounded(t *testing.T) {
	if len(wellKnownFiles) > 30 {
		t.Fatalf("%d well-known files; the list is bounded at 30", len(wellKnownFiles))
	}
	seen := map[string]bool{}
	for _, f := range wellKnownFiles {
		if seen[f.path] || strings.HasPrefix(f.path, "/") || f.validate == nil {
			t.Errorf("bad entry %+v", f)
		}
		seen[f.path] = true
	}
	if Budget() != 2*2+4+len(wellKnownFiles)+len(nestedFiles) {
		t.Errorf("Budget() = %d", Budget())
	}
}

func TestBases(t *testing.T) {
	for raw, want := range map[string]string{
		"https://h/":            "/",
		"https://h":             "/",
		"https://h/api/profile": "/ /api/",
		"https://h/api/":        "/ /api/",
		"https://h/a/b/c?x=1":   "/ /a/b/",
		"https://h/profile":     "/",
		"https://h/a%20b/c":     "/ /a%20b/",
	} {
		u, _ := url.Parse(raw)
		if got := strings.Join(bases(u), " "); got != want {
			t.Errorf("bases(%s) = %q, want %q", raw, got, want)
		}
	}
}

func TestSimilarity(t *testing.T) {
	ex := func(status int, body string) *probe.Exchange {
		return &probe.Exchange{Status: status, Body: []byte(body)}
	}
	page := "<html><body><h1>Not found</h1><p>The page %s does not exist. Go back to the shop front page or search our catalogue.</p></body></html>"
	a := sign(ex(200, strings.ReplaceAll(page, "%s", "/crossgate-abc")), "/crossgate-abc")
	b := sign(ex(200, strings.ReplaceAll(page, "%s", "/.env")), "/.env")
	if s := similarity(a, b); s < soft404Threshold {
		t.Errorf("path-echoing soft-404 pages: similarity %.2f, want >= %.2f", s, soft404Threshold)
	}
	c := sign(ex(200, "APP_KEY=x\nDB_PASSWORD=y\nDB_HOST=z\n"))
	if s := similarity(a, c); s >= soft404Threshold {
		t.Errorf("different content: similarity %.2f", s)
	}
	if s := similarity(sign(ex(404, "")), sign(ex(404, ""))); s != 1 {
		t.Errorf("two empty bodies: %.2f", s)
	}
	if s := similarity(c, c); s != 1 {
		t.Errorf("identity: %.2f", s)
	}
}

func TestRedactURL(t *testing.T) {
	for raw, bad := range map[string]string{
		"https://deploy:hunter2secret@h/api":         "hunter2secret",
		"https://h/api?page=2&access_token=tok3nval": "tok3nval",
		"https://h/api?API-Key=k3yvalue":             "k3yvalue",
		"http://onlyuser@h/":                         "onlyuser",
	} {
		got := probe.RedactURL(raw)
		if strings.Contains(got, bad) || !strings.Contains(got, "MASKED-") {
			t.Errorf("probe.RedactURL(%q) = %q", raw, got)
		}
		if _, err := url.Parse(got); err != nil {
			t.Errorf("redacted URL does not parse: %v", err)
		}
	}
	if got := probe.RedactURL("https://h/api?page=2"); got != "https://h/api?page=2" {
		t.Errorf("clean URL changed: %q", got)
	}
}

func TestClassifyCookie(t *testing.T) {
	for name, want := range map[string]cookieClass{
		"sessionid": sessionCookie, "JSESSIONID": sessionCookie, "PHPSESSID": sessionCookie, "connect.sid": sessionCookie,
		"laravel_session": sessionCookie, "__Host-session": sessionCookie, "csrftoken": csrfCookie, "XSRF-TOKEN": csrfCookie,
		"theme": notSession, "_ga": notSession, "lang": notSession, "consent": notSession,
	} {
		if got := classifyCookie(name); got != want {
			t.Errorf("classifyCookie(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestMaskAssignments(t *testing.T) {
	in := "DEBUG=False\nSECRET_KEY='abc&def!ghi'\nPORT=5432\nDATABASES = {\n    'PASSWORD': 'pw-0123456',\n}\nmachine h login u password netrcpass1\n"
	out := string(maskAssignments([]byte(in)))
	for _, bad := range []string{"abc&def!ghi", "def!ghi", "pw-0123456", "netrcpass1"} {
		if strings.Contains(out, bad) {
			t.Errorf("value %q survives:\n%s", bad, out)
		}
	}
	for _, keep := range []string{"DEBUG=False", "PORT=5432", "SECRET_KEY='", "'PASSWORD': '", "DATABASES = {"} {
		if !strings.Contains(out, keep) {
			t.Errorf("shape %q lost:\n%s", keep, out)
		}
	}
}
