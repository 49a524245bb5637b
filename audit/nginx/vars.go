package nginx

import (
	"regexp"
	"strings"
)

// containsVar reports whether value references the nginx variable name ("$x" or "${x}"),
// not merely a longer variable that starts the same.
func containsVar(value, name string) bool {
	bare := strings.TrimPrefix(name, "$")
	if strings.Contains(value, "${"+bare+"}") {
		return true
	}
	for i := 0; ; {
		j := strings.Index(value[i:], name)
		if j < 0 {
			return false
		}
		end := i + j + len(name)
		if end == len(value) || !isVarChar(value[end]) {
			return true
		}
		i = end
	}
}

func isVarChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

var varRE = regexp.MustCompile(`\$\{?([A-Za-z0-9_]+)\}?`)

func varsIn(v string) []string {
	var out []string
	for _, m := range varRE.FindAllStringSubmatch(v, -1) {
		out = append(out, "$"+m[1])
	}
	return out
}
