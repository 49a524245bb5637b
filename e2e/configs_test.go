package e2e

// The configurations of the real stack, each reproducing one weakness (or none). The
// Django settings modules are in testdata/django/xg/cfg_*.py; the nginx template is
// testdata/nginx/nginx.conf.tmpl. The fixed configurations are in fixed_test.go.
// appOrigin is the one origin every allowlist trusts.
const appOrigin = "https://app.example.com"

func init() {
	on := func(settings string) func() StackConfig {
		return func() StackConfig { return StackConfig{Verify: "on", Settings: settings} }
	}
	register("allow_all", on("cfg_allow_all"))
	register("allow_all_creds", on("cfg_allow_all_creds"))
	// Exact allowlist, a profile carrying a fake secret, and the substring subject mapping
	// (the default middleware) that only a second identity reveals.
	register("exact", on("cfg_exact"))
	register("regex_unanchored", on("cfg_regex_unanchored"))
	register("null", on("cfg_null"))
	register("http_origin", on("cfg_http_origin"))
	register("debug", on("cfg_debug"))
	// nginx adds "*" over an app that allowlists: two ACAO layers.
	register("proxy_wildcard", func() StackConfig {
		return StackConfig{Verify: "on", Settings: "cfg_plain",
			AddHeaders: []string{`Access-Control-Allow-Origin "*" always`}}
	})
	// No client authentication at all, and testdata/public (.env, debug.log) served as files.
	register("dotfiles", func() StackConfig { return StackConfig{Settings: "cfg_plain", Dotfiles: true} })
	// Optional certificate and an app that serves the account without one.
	register("optional", func() StackConfig { return StackConfig{Verify: "optional", Settings: "cfg_optional"} })
	// Any certificate passes to the app, which trusts the subject without the verify result.
	register("optional_no_ca", func() StackConfig { return StackConfig{Verify: "optional_no_ca", Settings: "cfg_plain"} })
	// nginx never sets X-SSL-Client-S-DN, so the client's own header reaches the app.
	register("unsanitised", func() StackConfig {
		return StackConfig{Verify: "optional", Headers: HeadersUnsanitised, Settings: "cfg_plain"}
	})
	// Correct in the server block, lost in location /api/ (proxy_set_header inheritance).
	register("trap", func() StackConfig {
		return StackConfig{Verify: "optional", Headers: HeadersTrap, Settings: "cfg_plain"}
	})
}
