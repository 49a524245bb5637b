package audit

import (
	"path/filepath"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// nginx configs that do not serve production: the ones a test suite, a compose file or
// the documentation starts. Their findings stay, because such configs are copied into
// production often enough, but at low severity and with the reason in the notes, as
// secrets in tests are.

// nonProductionDirs are path segments that hold test, compose and example setups.
var nonProductionDirs = map[string]bool{
	"test": true, "tests": true, "testdata": true, "e2e": true, "compose": true, "docker-compose": true,
	"example": true, "examples": true, "sample": true, "samples": true, "demo": true, "fixtures": true,
}

// nonProductionWords mark a config file's own name: test-nginx.conf, nginx.example.conf.
var nonProductionWords = map[string]bool{
	"test": true, "tests": true, "example": true, "sample": true, "demo": true, "dev": true, "compose": true,
}

// nonProductionConfig returns what marks rel as a test, compose or example config, or "".
func nonProductionConfig(rel string) string {
	parts := strings.Split(strings.ToLower(rel), "/")
	for _, d := range parts[:len(parts)-1] {
		if nonProductionDirs[d] {
			return d + "/"
		}
	}
	base := parts[len(parts)-1]
	for _, w := range strings.FieldsFunc(base, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if nonProductionWords[w] {
			return filepath.Base(rel)
		}
	}
	return ""
}

// noteNonProductionConfig lowers a finding in such a config to low and says why.
func noteNonProductionConfig(f *finding.Finding) {
	mark := nonProductionConfig(f.File)
	if mark == "" {
		return
	}
	was := f.Severity
	if f.Severity > finding.Low {
		f.SetSeverity(finding.Low, "Found in a test, compose or example config ("+mark+"), which does not usually serve production; confirm it is not copied into a production setup.")
	}
	f.Evidence.Notes = append(f.Evidence.Notes, "test, compose or example config ("+f.File+"): reported at low severity; the same lines in a production config would be "+was.String())
}
