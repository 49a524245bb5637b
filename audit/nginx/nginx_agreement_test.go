package nginx

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/crossgate/crossgate/internal/needs"
)

// TestAgreesWithNginx feeds the same text to the real nginx (nginx -t) and to Parse: where
// the difference is syntax, both must accept or both must refuse. Skipped without nginx.
func TestAgreesWithNginx(t *testing.T) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin, err = "/usr/sbin/nginx", nil
		if _, serr := os.Stat(bin); serr != nil {
			needs.Missing(t, "nginx is not installed (apt-get install nginx)")
		}
	}
	cases := []struct {
		name, http string
		ok         bool
	}{
		{"quotes and escapes", `log_format q '$remote_addr "$request"' "it's \"q\"";`, true},
		{"if with quoted operand", `server { listen 127.0.0.1:1; if ($request_method = "OPTIONS") { return 204; } }`, true},
		{"quoted regex with braces", `server { listen 127.0.0.1:1; location ~ "^/a{2}$" { return 204; } }`, true},
		{"glued modifiers", `server { listen 127.0.0.1:1; location =/x { return 204; } location ~*\.php$ { return 404; } }`, true},
		{"map with regex keys", `map $http_origin $c { default ""; "~^https://a\.example\.com$" $http_origin; ~^https://b\.example\.com$ $http_origin; }`, true},
		{"braced variable", `server { listen 127.0.0.1:1; return 200 "${host}x"; }`, true},
		{"comment with braces", "server { listen 127.0.0.1:1; # } { ;\n return 204; }", true},
		{"spaced if parentheses", `server { listen 127.0.0.1:1; if ( $http_x = "" ) { return 400; } if ($http_y ~* ^foo(bar)?$ ) { return 401; } if (-f $request_filename) { return 200; } }`, true},
		{"quotes inside a word", `server { listen 127.0.0.1:1; location /u { add_header X-T a"b'c; return 200; } }`, true},
		{"hash and brace inside a word", `server { listen 127.0.0.1:1; location /h { return 200 a#b; } location /b { return 200 a}b; } }`, true},
		{"comment right after semicolon", "server { listen 127.0.0.1:1;# c {\n location /s{return 204;} location /e {} }", true},
		{"non-directive blocks", `geo $g { default 0; 10.0.0.0/8 1; } split_clients "${remote_addr}x" $v { 50% a; * b; } types { text/plain txt; } map $uri $m { hostnames; volatile; default 0; \~lit 1; }`, true},
		{"tabs and CRLF", "server {\r\n\tlisten\t127.0.0.1:1;\r\n\tlocation / {\treturn\t204;\t}\r\n}\r\n", true},
		{"uwsgi and grpc header directives", `server { listen 127.0.0.1:1; uwsgi_param HTTP_X_SSL_CLIENT_S_DN $ssl_client_s_dn; location / { uwsgi_param QUERY_STRING $query_string; uwsgi_pass unix:/run/x.sock; } location /g { grpc_set_header X-A b; grpc_pass grpc://127.0.0.1:2; } }`, true},
		{"two adjacent quoted strings", `server { listen 127.0.0.1:1; return 200 "a""b"; }`, false},
		{"missing semicolon", `server { listen 127.0.0.1:1 }`, false},
		{"extra closing brace", `server { listen 127.0.0.1:1; } }`, false},
		{"missing closing brace", `server { listen 127.0.0.1:1;`, false},
		{"lone semicolon", `server { listen 127.0.0.1:1; ; }`, false},
		{"text after quote", `server { listen 127.0.0.1:1; return 200 "a"b; }`, false},
		{"unterminated quote", `server { listen 127.0.0.1:1; return 200 "a; }`, false},
		{"block without name", `{ }`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			conf := "pid " + dir + "/nginx.pid;\nerror_log " + dir + "/error.log;\nevents {}\nhttp {\n" +
				"access_log off;\nclient_body_temp_path " + dir + "/cb; proxy_temp_path " + dir + "/p; fastcgi_temp_path " + dir + "/f; uwsgi_temp_path " + dir + "/u; scgi_temp_path " + dir + "/s;\n" +
				c.http + "\n}\n"
			path := filepath.Join(dir, "nginx.conf")
			if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			out, nerr := exec.Command(bin, "-t", "-q", "-p", dir, "-c", path).CombinedOutput()
			if (nerr == nil) != c.ok {
				t.Fatalf("nginx -t: ok=%v, the case expects %v: %s", nerr == nil, c.ok, out)
			}
			_, perr := ParseFile(path)
			if (perr == nil) != c.ok {
				t.Errorf("Parse: err=%v; nginx -t said ok=%v (%s)", perr, c.ok, out)
			}
		})
	}
}
