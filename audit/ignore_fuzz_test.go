package audit

import (
	"strings"
	"testing"
)

// FuzzIgnore: any .crossgateignore and any path: matching never panics, and a pattern that
// names a path exactly (no glob characters) ignores it.
func FuzzIgnore(f *testing.F) {
	f.Add("build/\n!keep\n**/x/*.py\n[a-\n\\#lit", "build/a.py", false)
	f.Add("/abs\n*.log", "abs/x", true)
	f.Fuzz(func(t *testing.T, file, rel string, isDir bool) {
		ig := parseIgnore([]byte(file), nil)
		_ = ig.match(rel, isDir)
	})
}

// FuzzInlineIgnore: any line, any rule: no panic, and a bare marker silences every rule.
func FuzzInlineIgnore(f *testing.F) {
	f.Add("x = 1  # crossgate:ignore django-debug-enabled -- why", "django-debug-enabled")
	f.Add("// crossgate:ignore", "nginx-weak-tls")
	f.Fuzz(func(t *testing.T, line, rule string) {
		_ = inlineIgnored(line, rule)
		if !strings.Contains(line, "crossgate:ignore") && !inlineIgnored(line+" # crossgate:ignore", rule) {
			t.Fatalf("a trailing bare marker did not silence %q on %q", rule, line)
		}
	})
}
