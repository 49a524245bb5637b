// Package remedy holds the fix texts crossgate prints. Each snippet is exercised against the
// real component it configures (nginx, Django + django-cors-headers) by the e2e suite, which
// builds its "fixed" fixtures from these very functions: advice that is not tested is not given.
package remedy

import (
	"fmt"
	"strings"
)

func exampleOrigins(origins []string) []string {
	if len(origins) == 0 {
		return []string{"https://app.example.com"}
	}
	return origins
}

// CORSDjango is the django-cors-headers configuration that allows exactly origins.
func CORSDjango(origins []string) string {
	var b strings.Builder
	b.WriteString("# settings.py (django-cors-headers): name each origin exactly; never allow all.\n")
	b.WriteString("CORS_ALLOW_ALL_ORIGINS = False\n")
	b.WriteString("CORS_ALLOWED_ORIGINS = [\n")
	for _, o := range exampleOrigins(origins) {
		fmt.Fprintf(&b, "    %q,\n", o)
	}
	b.WriteString("]\n")
	b.WriteString("CORS_ALLOWED_ORIGIN_REGEXES = []  # if you need one: r\"^https://[a-z0-9-]+\\.example\\.com$\" (anchored, dots escaped)\n")
	b.WriteString("CORS_ALLOW_CREDENTIALS = False  # True only if the browser app must send cookies or client certificates\n")
	b.WriteString("# and keep \"corsheaders.middleware.CorsMiddleware\" first in MIDDLEWARE, before CommonMiddleware.\n")
	return b.String()
}

// CORSNginx is an nginx allowlist that sends Access-Control-Allow-Origin only for origins.
// The map belongs in the http block; the add_header lines in the server or location.
func CORSNginx(origins []string) string {
	var b strings.Builder
	b.WriteString("# http { ... }: an exact allowlist; an empty value makes nginx omit the header.\n")
	b.WriteString("map $http_origin $cors_allow_origin {\n")
	b.WriteString("    default \"\";\n")
	for _, o := range exampleOrigins(origins) {
		fmt.Fprintf(&b, "    %q $http_origin;\n", o)
	}
	b.WriteString("}\n")
	b.WriteString("# server { ... }: replaces any Access-Control-Allow-Origin \"*\" or $http_origin.\n")
	b.WriteString("# add_header does not remove what the application sends: hide the upstream's CORS headers.\n")
	b.WriteString("# (Like add_header and proxy_set_header, these are inherited only by a location that sets none of its own.)\n")
	b.WriteString("proxy_hide_header Access-Control-Allow-Origin;\n")
	b.WriteString("proxy_hide_header Access-Control-Allow-Credentials;\n")
	b.WriteString("add_header Access-Control-Allow-Origin $cors_allow_origin always;\n")
	b.WriteString("add_header Vary Origin always;\n")
	return b.String()
}

// CORSGeneric is the framework-neutral rule.
func CORSGeneric(origins []string) string {
	return "Compare the Origin request header with an exact list of trusted origins (" +
		strings.Join(exampleOrigins(origins), ", ") + ") and echo it in Access-Control-Allow-Origin only on a match; " +
		"send Vary: Origin on every response; never answer \"*\" on an endpoint that authenticates with client certificates or cookies; " +
		"send Access-Control-Allow-Credentials: true only to allowed origins, and only if the browser app needs it."
}

// CORS picks the snippet for the stack. On Django the settings of django-cors-headers come
// first (that is where an allow-all is usually set); with nginx in front its variant follows,
// for deployments where nginx writes the headers instead.
func CORS(s Stack, origins []string) string {
	switch {
	case s.App == Django && s.Proxy == Nginx:
		return CORSDjango(origins) + "\n" + nginxInstead + CORSNginx(origins)
	case s.App == Django:
		return CORSDjango(origins)
	case s.Proxy == Nginx:
		return CORSNginx(origins)
	}
	return CORSGeneric(origins)
}

const nginxInstead = "# If nginx in front writes the CORS headers instead (add_header Access-Control-Allow-Origin ...),\n" +
	"# replace them there:\n"
