package secrets

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// Severity policy for secret-in-source. A key in a test fixture is usually a throwaway made
// for the test, but now and then a real one copied in to make a test pass; one in
// documentation is usually an example (RFC 6749's sample tokens, a README's JWT). Both are
// still reported, so that nothing is silently hidden, at a severity that does not fail the
// default --fail-on high: low for test paths, medium for documentation.

// testDirs are path segments that hold tests and their fixtures. "testing" is not one (it
// is as often a package name, like Go's), nor is a bare "fixtures": a Django app's
// fixtures/ holds loaddata files, often dumped from a real database and loaded in
// production; tests/fixtures/ is covered by tests/.
var testDirs = map[string]bool{
	"test": true, "tests": true, "testdata": true, "__tests__": true, "spec": true,
	"specs": true, "__fixtures__": true, "testfixtures": true, "test_data": true, "testfiles": true,
}

// testFile matches file names of tests: Go's _test.go, pytest's test_*.py / *_test.py /
// conftest.py, Django's tests.py, JavaScript's *.test.js / *.spec.ts, Ruby's *_spec.rb.
var testFile = regexp.MustCompile(`(?i)(_test\.go|^test_.*\.py|_tests?\.py|^tests\.py|^conftest\.py|\.(test|spec)\.[cm]?[jt]sx?|_spec\.rb|Tests?\.(java|kt|cs))$`)

// isTestPath reports whether rel (slash-separated, relative to the audited root) is a test
// file or lies under a test folder.
func isTestPath(rel string) bool {
	parts := strings.Split(rel, "/")
	for _, d := range parts[:len(parts)-1] {
		if testDirs[strings.ToLower(d)] {
			return true
		}
	}
	return testFile.MatchString(parts[len(parts)-1])
}

var docExt = map[string]bool{".md": true, ".markdown": true, ".rst": true, ".adoc": true}

// isDocFile: prose formats and Python package metadata (PKG-INFO and METADATA carry the
// README).
func isDocFile(rel string) bool {
	base := filepath.Base(rel)
	return docExt[strings.ToLower(filepath.Ext(base))] || base == "PKG-INFO" || base == "METADATA"
}

// inDocstring reports whether off lies inside a Python triple-quoted string that starts a
// line on its own (a docstring or a bare string statement), as opposed to one assigned or
// passed somewhere (KEY = """...""" is a value and stays a secret).
func inDocstring(data []byte, off int) bool {
	for i := 0; i < len(data) && i < off; {
		j := indexTriple(data[i:])
		if j < 0 {
			return false
		}
		start := i + j
		q := data[start : start+3]
		end := bytes.Index(data[start+3:], q)
		if end < 0 {
			end = len(data)
		} else {
			end += start + 3
		}
		if start < off && off < end {
			ls := bytes.LastIndexByte(data[:start], '\n') + 1
			prefix := bytes.TrimSpace(data[ls:start])
			// r"""...""" or u"""...""" docstrings carry a prefix letter.
			return len(prefix) == 0 || len(prefix) == 1 && bytes.ContainsAny(prefix, "rRuUbBfF")
		}
		i = end + 3
	}
	return false
}

func indexTriple(b []byte) int {
	d, s := bytes.Index(b, []byte(`"""`)), bytes.Index(b, []byte(`'''`))
	switch {
	case d < 0:
		return s
	case s < 0:
		return d
	}
	return min(d, s)
}

// applyPolicy lowers the severity of a secret found in a test path or documentation.
func applyPolicy(f *finding.Finding, rel string, data []byte, off int) {
	switch {
	case isTestPath(rel):
		if f.Severity > finding.Low {
			f.SetSeverity(finding.Low, "Found under a test path, where keys are usually throwaway fixtures; confirm it is not a real credential copied into a test.")
		}
		f.Evidence.Notes = append(f.Evidence.Notes, "test fixture path: reported at low severity (base "+f.BaseSeverity.String()+"); if the key is real, revoke it like any other")
	case isDocFile(rel) || strings.HasSuffix(rel, ".py") && inDocstring(data, off):
		if f.Severity > finding.Medium {
			f.SetSeverity(finding.Medium, "Found in documentation, where values are usually examples; confirm it is not a real credential.")
		}
		f.Evidence.Notes = append(f.Evidence.Notes, "documentation or docstring: reported at medium severity (base "+f.BaseSeverity.String()+"); if the value is real, revoke it like any other")
	}
}

// dottedPath matches a Python import path or entry point ("bandit.plugins.x:y"), which a
// name-based detector can mistake for a password after a key such as hardcoded_password_x.
var dottedPath = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+(:[A-Za-z_][A-Za-z0-9_.]*)?$`)

func isDottedPath(v string) bool {
	v = strings.Trim(strings.TrimSpace(v), `"'`)
	return dottedPath.MatchString(v) && (strings.Count(v, ".") >= 2 || strings.Contains(v, ":"))
}
