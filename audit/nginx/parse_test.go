package nginx

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestParseSyntax(t *testing.T) {
	src := `# comment
user www-data;   # trailing comment
http {
    log_format main '$remote_addr "$request"' "it's \"quoted\"";
    map $http_origin $cors {
        default "";
        "~^https://a\.example\.com$" $http_origin;
    }
    server {
        location ~* \.(?:css|js)$ { expires 1d; }
        location =/exact {}
        if ($request_method = "OPTIONS") { return 204; }
        set ${x} "a;b{c}";
        return 200 a\;b;
    }
}
`
	cfg, err := Parse("t.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	type flat struct {
		Name      string
		Args      []string
		Line, Col int
		Block     bool
		Kids      int
	}
	var got []flat
	Walk(cfg.Directives, func(d *Directive, _ []*Directive) bool {
		got = append(got, flat{d.Name, d.Args, d.Line, d.Column, d.HasBlock, len(d.Block)})
		return true
	})
	want := []flat{
		{"user", []string{"www-data"}, 2, 1, false, 0},
		{"http", nil, 3, 1, true, 3},
		{"log_format", []string{"main", `$remote_addr "$request"`, `it's "quoted"`}, 4, 5, false, 0},
		{"map", []string{"$http_origin", "$cors"}, 5, 5, true, 2},
		{"default", []string{""}, 6, 9, false, 0},
		{`~^https://a\.example\.com$`, []string{"$http_origin"}, 7, 9, false, 0},
		{"server", nil, 9, 5, true, 5},
		{"location", []string{"~*", `\.(?:css|js)$`}, 10, 9, true, 1},
		{"expires", []string{"1d"}, 10, 37, false, 0},
		{"location", []string{"=/exact"}, 11, 9, true, 0},
		{"if", []string{"$request_method", "=", "OPTIONS"}, 12, 9, true, 1},
		{"return", []string{"204"}, 12, 44, false, 0},
		{"set", []string{"${x}", "a;b{c}"}, 13, 9, false, 0},
		{"return", []string{"200", `a\;b`}, 14, 9, false, 0}, // nginx keeps unknown escapes
	}
	if !reflect.DeepEqual(got, want) {
		for i := range max(len(got), len(want)) {
			var g, w flat
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("directive %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
	}
	m := ParseMap(cfg.Directives[1].Block[1])
	if m.Source != "$http_origin" || !m.HasDefault || m.Default != "" || len(m.Entries) != 1 || !m.Entries[0].Regex || m.Entries[0].Key != `^https://a\.example\.com$` {
		t.Errorf("map: %+v", m)
	}
	if mod, pat := LocationMatch(cfg.Directives[1].Block[2].Block[1]); mod != "=" || pat != "/exact" {
		t.Errorf("LocationMatch = %q %q", mod, pat)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"server {\n    listen 80;\n}\n}\n": `t.conf:4:1: unexpected "}"`,
		"server {\n    listen 80\n}\n":     `t.conf:3:1: unexpected "}", expecting ";" after "listen"`,
		"server {\n    listen 80;\n":       `t.conf:3:1: unexpected end of file, expecting "}"`,
		"listen 80":                        `t.conf:1:10: unexpected end of file, expecting ";" or "}"`,
		"server {\n  ;\n}":                 `t.conf:2:3: unexpected ";"`,
		"{ }":                              `t.conf:1:1: unexpected "{"`,
		"add_header X \"unterminated;\n":   `t.conf:1:14: unterminated " string`,
		"add_header X \"a\"b;":             `t.conf:1:17: unexpected 'b' after quoted string`,
		"include missing.conf;":            `t.conf:1:1: include "missing.conf": missing.conf does not exist`,
		strings.Repeat("a {", MaxDepth+1):  fmt.Sprintf("t.conf:1:%d: blocks nested deeper than %d levels", 3*(MaxDepth+1), MaxDepth),
	}
	for src, want := range cases {
		_, err := Parse("t.conf", []byte(src))
		if err == nil {
			t.Errorf("%q: no error, want %s", src, want)
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("%q: error %T is not *Error", src, err)
		}
		if err.Error() != want {
			t.Errorf("%q:\n got %s\nwant %s", src, err, want)
		}
	}
}

func TestIncludes(t *testing.T) {
	cfg, err := ParseFile("testdata/inc/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"testdata/inc/nginx.conf", "testdata/inc/conf.d/tls.conf", "testdata/inc/sites-enabled/app"}
	if !reflect.DeepEqual(cfg.Files, want) {
		t.Errorf("Files = %q, want %q", cfg.Files, want)
	}
	http := cfg.Directives[1]
	if http.Block[0].Name != "ssl_protocols" || http.Block[0].File != "testdata/inc/conf.d/tls.conf" || http.Block[1].Name != "server" {
		t.Errorf("include not expanded in place: %+v", http.Block)
	}
	_, err = ParseFile("testdata/cycle/nginx.conf")
	if err == nil || !strings.Contains(err.Error(), "include cycle") || !strings.HasPrefix(err.Error(), "testdata/cycle/other.conf:1:1:") {
		t.Errorf("cycle: %v", err)
	}
}

// memSource serves files from memory so that the fuzzer can build include graphs.
type memSource map[string][]byte

func (m memSource) ReadFile(name string) ([]byte, error) {
	if b, ok := m[path.Clean(name)]; ok {
		return b, nil
	}
	return nil, fs.ErrNotExist
}

func (m memSource) Glob(pattern string) ([]string, error) {
	var out []string
	for k := range m {
		if ok, err := path.Match(pattern, k); err != nil {
			return nil, err
		} else if ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		"http { server { listen 443 ssl; ssl_verify_client optional; location / { proxy_pass http://x; } } }",
		"include *.conf;",
		"include a.conf; include a.conf;",
		"map $http_origin $c { default \"\"; ~^https://a\\.b$ $http_origin; }",
		"if ($a = \"b\") { return 403; }",
		"a '\\'' \"\\\"\" b\\;c;",
		strings.Repeat("a {", 100),
		"server { add_header Access-Control-Allow-Origin * always; root /srv; }",
		"server { ssl_verify_client optional; location /a { if ($ssl_client_verify != SUCCESS) { return 403; } proxy_pass http://x; } location / { grpc_pass grpc://y; } }",
		"server { proxy_set_header X-SSL-Client-S-DN $ssl_client_s_dn; location /a { include missing.conf; proxy_set_header H h; location /b { proxy_pass http://x; } } }",
		"map $http_origin $ok { default 0; \"~^https://(.+\\.)?a\\.b$\" 1; } server { location / { if ($ok) { add_header Access-Control-Allow-Origin $http_origin; } } }",
	}
	for _, s := range seeds {
		f.Add(s, "include main.conf;")
	}
	f.Fuzz(func(t *testing.T, main, other string) {
		src := memSource{"/c/main.conf": []byte(main), "/c/a.conf": []byte(other), "/c/b.conf": []byte(main + other)}
		cfg, err := parseWith(src, "/c/main.conf", "/c", len(other)%2 == 1)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not positioned", err, err)
			}
			return
		}
		_ = Check(cfg, Options{})
	})
}

func TestLuaBlockSkipped(t *testing.T) {
	src := "location / {\n    content_by_lua_block {\n        ngx.say(\"}\") -- a } in a comment\n        if x then local t = {1} end\n    }\n    return 204;\n}\n"
	cfg, err := Parse("t.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	loc := cfg.Directives[0]
	if len(loc.Block) != 2 || loc.Block[0].Name != "content_by_lua_block" || loc.Block[1].Name != "return" || loc.Block[1].Line != 6 {
		t.Errorf("block %+v", loc.Block)
	}
}

// ParseFileIn audits what a repository holds: includes of files that only exist on the
// server are recorded, not fatal, and the directive stays in place as a marker.
func TestParseFileInMissingIncludes(t *testing.T) {
	cfg, err := ParseFileIn("testdata/missing-inc/nginx.conf", "testdata/missing-inc")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range cfg.Missing {
		got = append(got, m.Error())
	}
	want := []string{
		`testdata/missing-inc/nginx.conf:5:5: include "mime.types": testdata/missing-inc/mime.types does not exist`,
		`testdata/missing-inc/nginx.conf:6:5: include "/etc/letsencrypt/options-ssl-nginx.conf": /etc/letsencrypt/options-ssl-nginx.conf does not exist`,
		`testdata/missing-inc/nginx.conf:11:13: include "uwsgi_params": testdata/missing-inc/uwsgi_params does not exist`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Missing:\n got %q\nwant %q", got, want)
	}
	loc := cfg.Directives[1].Block[2].Block[2]
	if loc.Name != "location" || len(loc.Block) != 2 || loc.Block[0].Name != "include" || !loc.Block[0].Missing {
		t.Errorf("missing include not kept as a marker: %+v", loc.Block)
	}
	fs := Check(cfg, Options{})
	if len(fs) != 1 || fs[0].Rule != "nginx-weak-tls" || fs[0].Line != 9 {
		t.Errorf("findings = %+v, want nginx-weak-tls at line 9", fs)
	}
	// ParseFile keeps nginx's own rule: a missing include is an error.
	if _, err := ParseFile("testdata/missing-inc/nginx.conf"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("ParseFile: err = %v, want a missing-include error", err)
	}
}
