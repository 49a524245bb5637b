package nginx

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/remedy"
)

func check(t *testing.T, file string) []finding.Finding {
	t.Helper()
	cfg, err := ParseFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatalf("ParseFile(%s): %v", file, err)
	}
	return Check(cfg, Options{RelPath: func(p string) string { return filepath.ToSlash(strings.TrimPrefix(p, "testdata/")) }})
}

func summary(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s@%s:%d:%d/%s", f.Rule, f.File, f.Line, f.Column, f.Severity))
	}
	sort.Strings(out)
	return out
}

// Each fixture lists exactly the findings it must produce: the "-ok" style fixtures are the
// false-positive guards for the rule next to them.
func TestRules(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"verify-optional.conf", []string{"nginx-verify-client-optional@verify-optional.conf:8:9/high"}},
		{"verify-optional-checked.conf", nil},
		{"verify-optional-forwarded.conf", nil},
		{"verify-optional-partial.conf", []string{"nginx-verify-client-optional@verify-optional-partial.conf:6:5/medium"}},
		{"verify-optional-partial-ok.conf", nil},
		{"verify-optional-partial-map-ok.conf", nil},
		{"verify-no-ca.conf", []string{"nginx-verify-client-optional-no-ca@verify-no-ca.conf:4:9/critical"}},
		{"verify-no-ca-gated.conf", nil},
		{"verify-no-ca-location-gated.conf", nil},
		{"identity-trap.conf", []string{"nginx-identity-headers-not-cleared@identity-trap.conf:15:13/critical"}},
		{"identity-ok.conf", nil},
		{"identity-sibling.conf", []string{"nginx-identity-headers-not-cleared@identity-sibling.conf:13:9/critical"}},
		{"identity-uwsgi.conf", []string{"nginx-identity-headers-not-cleared@identity-uwsgi.conf:14:9/critical"}},
		{"identity-uwsgi-ok.conf", nil},
		{"identity-grpc.conf", []string{"nginx-identity-headers-not-cleared@identity-grpc.conf:12:9/critical"}},
		{"identity-nested.conf", []string{"nginx-identity-headers-not-cleared@identity-nested.conf:9:9/critical"}},
		{"identity-inc/nginx.conf", []string{"nginx-identity-headers-not-cleared@identity-inc/nginx.conf:12:9/critical"}},
		{"identity-client.conf", []string{"nginx-identity-headers-not-cleared@identity-client.conf:8:13/critical"}},
		{"identity-map-passthrough.conf", []string{"nginx-identity-headers-not-cleared@identity-map-passthrough.conf:14:13/critical"}},
		{"identity-map-fallback.conf", []string{"nginx-identity-headers-not-cleared@identity-map-fallback.conf:18:13/critical", "nginx-verify-client-optional@identity-map-fallback.conf:14:9/high"}},
		{"identity-map-ok.conf", nil},
		{"identity-underscores.conf", []string{"nginx-identity-headers-not-cleared@identity-underscores.conf:2:5/critical"}},
		{"identity-underscores-cleared.conf", nil},
		{"acao-wildcard-mtls.conf", []string{"nginx-acao-wildcard@acao-wildcard-mtls.conf:6:9/critical"}},
		{"acao-wildcard.conf", []string{"nginx-acao-wildcard@acao-wildcard.conf:4:9/high"}},
		{"acao-allowlist.conf", nil},
		{"acao-wildcard-map.conf", []string{"nginx-acao-wildcard@acao-wildcard-map.conf:8:9/high"}},
		{"acao-reflect.conf", []string{"nginx-acao-reflect-origin@acao-reflect.conf:4:9/high"}},
		{"acao-reflect-map-default.conf", []string{"nginx-acao-reflect-origin@acao-reflect-map-default.conf:8:9/high"}},
		{"acao-reflect-map-unanchored.conf", []string{"nginx-acao-reflect-origin@acao-reflect-map-unanchored.conf:8:9/high"}},
		{"acao-reflect-if.conf", []string{"nginx-acao-reflect-origin@acao-reflect-if.conf:7:5/high"}},
		{"acao-if-anchored.conf", nil},
		{"acao-if-direct-ok.conf", nil},
		{"acao-map-subdomains-ok.conf", nil},
		{"acao-map-wildcard-bad.conf", []string{"nginx-acao-reflect-origin@acao-map-wildcard-bad.conf:8:5/high"}},
		{"acao-if-direct-unsafe.conf", []string{"nginx-acao-reflect-origin@acao-if-direct-unsafe.conf:15:13/high", "nginx-acao-reflect-origin@acao-if-direct-unsafe.conf:20:13/high", "nginx-acao-reflect-origin@acao-if-direct-unsafe.conf:9:13/high"}},
		{"dotfiles.conf", []string{"nginx-dotfiles-served@dotfiles.conf:4:5/medium"}},
		{"dotfiles-static.conf", []string{"nginx-dotfiles-served@dotfiles-static.conf:7:9/info"}},
		{"dotfiles-static-prefix.conf", []string{"nginx-dotfiles-served@dotfiles-static-prefix.conf:6:9/info"}},
		{"dotfiles-static-location-root.conf", []string{"nginx-dotfiles-served@dotfiles-static-location-root.conf:11:13/info", "nginx-dotfiles-served@dotfiles-static-location-root.conf:8:13/info"}},
		{"dotfiles-narrow-ok.conf", nil},
		{"dotfiles-denied.conf", nil},
		{"dotfiles-proxied.conf", nil},
		{"weak-tls.conf", []string{"nginx-weak-tls@weak-tls.conf:2:5/medium", "nginx-weak-tls@weak-tls.conf:5:9/medium"}},
		{"strong-tls.conf", nil},
		{"inc/nginx.conf", []string{"nginx-acao-wildcard@inc/sites-enabled/app:4:5/high", "nginx-weak-tls@inc/conf.d/tls.conf:1:1/medium"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			fs := check(t, c.file)
			got := summary(fs)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("findings:\n got %q\nwant %q", got, c.want)
			}
			for _, f := range fs {
				if f.Evidence.Snippet == "" || f.Remediation == "" || f.Fingerprint == "" || f.Detail == "" {
					t.Errorf("%s: incomplete finding: %+v", f.Rule, f)
				}
			}
		})
	}
}

func TestFindingDetails(t *testing.T) {
	fs := check(t, "identity-trap.conf")
	if len(fs) != 1 {
		t.Fatalf("got %d findings", len(fs))
	}
	f := fs[0]
	if !strings.Contains(f.Detail, "X-SSL-Client-Verify, X-SSL-Client-S-DN") || !strings.Contains(f.Detail, "inherits none") {
		t.Errorf("detail does not name the dropped headers: %s", f.Detail)
	}
	if !strings.Contains(f.Evidence.Snippet, "location /api/ {") || !strings.Contains(f.Evidence.Snippet, "proxy_set_header Host $host;") {
		t.Errorf("snippet: %q", f.Evidence.Snippet)
	}
	if !strings.Contains(f.Remediation, "proxy_set_header X-SSL-Client-S-DN $ssl_client_s_dn;") {
		t.Errorf("remediation: %s", f.Remediation)
	}

	fs = check(t, "acao-wildcard-mtls.conf")
	if !strings.Contains(fs[0].Detail, "always") || fs[0].SeverityReason == "" || fs[0].BaseSeverity != finding.High {
		t.Errorf("wildcard on mTLS: %+v", fs[0])
	}
	if !strings.Contains(fs[0].Remediation, "map $http_origin $cors_allow_origin") {
		t.Errorf("CORS remediation is not the nginx allowlist: %s", fs[0].Remediation)
	}
	if fs[0].Evidence.Snippet != `        add_header Access-Control-Allow-Origin "*" always;` {
		t.Errorf("snippet %q", fs[0].Evidence.Snippet)
	}

	fs = check(t, "acao-reflect-map-unanchored.conf")
	if !strings.Contains(fs[0].Detail, "not anchored") || len(fs[0].Evidence.Notes) == 0 {
		t.Errorf("unanchored map: %+v", fs[0])
	}
	fs = check(t, "dotfiles-static.conf")
	if len(fs[0].Evidence.Notes) == 0 || !strings.Contains(fs[0].Evidence.Notes[0], "served tree: /srv/app/public/static/") || !strings.Contains(fs[0].SeverityReason, "not the application directory") {
		t.Errorf("static location root: %+v %s", fs[0].Evidence.Notes, fs[0].SeverityReason)
	}
}

func TestUnsafeOriginRegex(t *testing.T) {
	for re, bad := range map[string]bool{
		`^https://app\.example\.com$`:         false,
		`^https://[a-z0-9.-]+\.example\.com$`: false,
		`^https://app.example.com$`:           true,
		`https://app\.example\.com$`:          true,
		`^https://app\.example\.com`:          true,
		`(example.com)`:                       true,
	} {
		if got := unsafeOriginRegex(re) != ""; got != bad {
			t.Errorf("unsafeOriginRegex(%q) unsafe=%v, want %v", re, got, bad)
		}
	}
}

func TestMTLSRemediationParses(t *testing.T) {
	// The mTLS remediation is remedy's, which the e2e suite runs in front of a real app: the
	// audit must read it as nginx and find nothing wrong with it.
	cfg, err := Parse("fix.conf", []byte("http { server { listen 443 ssl; "+remedy.MTLSNginx()+" } }"))
	if err != nil {
		t.Fatal(err)
	}
	if fs := Check(cfg, Options{}); len(fs) != 0 {
		t.Errorf("the remediated config still has findings: %v", summary(fs))
	}
}

func TestAddHeaderInheritanceNote(t *testing.T) {
	cfg, err := Parse("t.conf", []byte(`server {
    add_header Access-Control-Allow-Origin *;
    location /a/ { proxy_pass http://127.0.0.1:1; }
    location /b/ { add_header Cache-Control no-store; proxy_pass http://127.0.0.1:1; }
}`))
	if err != nil {
		t.Fatal(err)
	}
	fs := Check(cfg, Options{})
	if len(fs) != 1 || len(fs[0].Evidence.Notes) != 1 || !strings.Contains(fs[0].Evidence.Notes[0], "location /b/ (t.conf:4)") {
		t.Errorf("findings %+v", fs)
	}
	if got := Inherited("add_header", cfg.Directives[0].Block[1].Block, cfg.Directives[0].Block); len(got) != 1 || got[0].Args[0] != "Access-Control-Allow-Origin" {
		t.Errorf("Inherited in /a/ = %v", got)
	}
	if got := Inherited("add_header", cfg.Directives[0].Block[2].Block, cfg.Directives[0].Block); len(got) != 1 || got[0].Args[0] != "Cache-Control" {
		t.Errorf("Inherited in /b/ = %v", got)
	}
}

func TestUnsafeOriginRegexReasons(t *testing.T) {
	for re, want := range map[string]string{
		`^https://app\.example\.com$`:           "",
		`^https://(.+\.)?example\.com$`:         "",
		`^https://.*\.example\.com$`:            "",
		`^https://[a-z.]+\.example\.com$`:       "",
		`^https://.*example\.com$`:              "has a wildcard right before the domain name (https://evilexample.com also matches)",
		`^https://app\.example\.com.*$`:         "ends in a wildcard (https://trusted.example.com.evil.net also matches)",
		`^https://app.example\.com$`:            "has an unescaped dot (matches any character)",
		`https://app\.example\.com`:             "is not anchored with $ (https://trusted.example.com.evil.net also matches) and is not anchored with ^ (https://evil.example/?https://trusted also matches)",
		`^https://app\.example\.com(:[0-9]+)?$`: "",
	} {
		if got := unsafeOriginRegex(re); got != want {
			t.Errorf("unsafeOriginRegex(%q) = %q, want %q", re, got, want)
		}
	}
}

// The detail says where the inheritance went wrong: an outer level whose headers are cut,
// or identity headers that only sibling locations set.
func TestIdentityTrapWording(t *testing.T) {
	for file, want := range map[string]string{
		"identity-trap.conf":    "so it inherits none of the outer ones",
		"identity-sibling.conf": "does not set the identity headers that other locations set",
		"identity-grpc.conf":    "grpc_pass ignores proxy_set_header",
	} {
		fs := check(t, file)
		if len(fs) != 1 || !strings.Contains(fs[0].Detail, want) {
			t.Errorf("%s: %v, want a detail with %q", file, fs, want)
		}
	}
	fs := check(t, "identity-nested.conf")
	if len(fs) != 1 || len(fs[0].Evidence.Notes) < 2 || !strings.Contains(strings.Join(fs[0].Evidence.Notes, "\n"), "nested location /api/v2/") {
		t.Errorf("nested: %+v", fs)
	}
}

// A map that falls back to the client's own header is named with the header it can yield,
// through a second map and a set.
func TestIdentityMapPassthroughNamesTheMap(t *testing.T) {
	for _, f := range check(t, "identity-map-fallback.conf") {
		if f.Rule != "nginx-identity-headers-not-cleared" {
			continue
		}
		if !strings.Contains(f.Detail, "map $ssl_client_s_dn $dn_or_header (identity-map-fallback.conf:4)") || !strings.Contains(f.Detail, "$http_x_client_dn") {
			t.Errorf("detail: %s", f.Detail)
		}
		return
	}
	t.Fatal("no finding")
}
