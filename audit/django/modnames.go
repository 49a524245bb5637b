package django

import (
	"path/filepath"
	"strings"
)

// importable reports whether Django could load file as a settings module: a dot in the
// file's stem (production.example.py, settings.py.bak copied to settings.old.py) makes a
// name no import can reach; such files are templates or leftovers, audited for secrets
// only.
func importable(file string) bool {
	return !strings.Contains(strings.TrimSuffix(filepath.Base(file), ".py"), ".")
}

// demotedWordParts are words that, as a part of a settings module's name, say "not
// production": smoketest_configuration, settings_test, ci_settings.
var demotedWordParts = map[string]bool{
	"test": true, "tests": true, "testing": true, "smoketest": true, "smoke": true, "ci": true,
	"dev": true, "development": true, "local": true,
}

func demotedWords(last string) bool {
	for _, w := range strings.FieldsFunc(last, func(r rune) bool { return r == '_' || r == '-' }) {
		if demotedWordParts[w] {
			return true
		}
	}
	return false
}
