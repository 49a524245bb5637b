package remedy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/internal/idheaders"
	"github.com/crossgate/crossgate/internal/needs"
)

func TestMTLSNginxFragment(t *testing.T) {
	frag := MTLSNginx()
	if strings.Count(frag, "{") != strings.Count(frag, "}") {
		t.Fatal("unbalanced braces")
	}
	for _, want := range []string{
		"ssl_verify_client on;", "ssl_client_certificate /etc/nginx/client-ca.pem;", "proxy_pass http://127.0.0.1:8000;",
		"if ($ssl_client_verify != SUCCESS)", "ssl_protocols TLSv1.2 TLSv1.3;", "underscores_in_headers off;",
		"proxy_set_header X-SSL-Client-Verify $ssl_client_verify;", "proxy_set_header X-SSL-Client-S-DN $ssl_client_s_dn;",
		`proxy_set_header X-Forwarded-Client-Cert "";`, `proxy_set_header Client-Cert "";`,
	} {
		if !strings.Contains(frag, want) {
			t.Errorf("fragment lacks %q", want)
		}
	}
	if strings.Contains(frag, "optional") && !strings.Contains(frag, "relaxed to optional") {
		t.Error("fragment must not configure optional verification")
	}
	// Every directive line ends with ; or opens/closes a block.
	for _, line := range strings.Split(frag, "\n") {
		l := strings.TrimSpace(line)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if !strings.HasSuffix(l, ";") && !strings.HasSuffix(l, "{") && l != "}" {
			t.Errorf("not a complete directive: %q", l)
		}
	}
}

// TestMTLSNginxSyntax checks the fragment with the real nginx when it is installed.
func TestMTLSNginxSyntax(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if _, err = os.Stat("/usr/sbin/nginx"); err != nil {
			needs.Missing(t, "nginx not installed (apt-get install nginx)")
		}
		nginx = "/usr/sbin/nginx"
	}
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		needs.Missing(t, "openssl not installed (apt-get install openssl)")
	}
	dir := t.TempDir()
	gen := exec.Command(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-subj", "/CN=localhost", "-days", "1", "-keyout", filepath.Join(dir, "srv.key"), "-out", filepath.Join(dir, "srv.pem"))
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	frag := strings.ReplaceAll(MTLSNginx(), "/etc/nginx/client-ca.pem", filepath.Join(dir, "srv.pem"))
	conf := "pid " + dir + "/nginx.pid;\nerror_log " + dir + "/error.log;\nevents {}\nhttp {\naccess_log off;\n" +
		"client_body_temp_path " + dir + "/b; proxy_temp_path " + dir + "/p; fastcgi_temp_path " + dir + "/f; uwsgi_temp_path " + dir + "/u; scgi_temp_path " + dir + "/s;\n" +
		"server {\nlisten 127.0.0.1:1 ssl;\nssl_certificate " + dir + "/srv.pem;\nssl_certificate_key " + dir + "/srv.key;\n" + frag + "\n}\n}\n"
	cf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(nginx, "-t", "-q", "-c", cf, "-p", dir).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t rejects the fragment: %v\n%s", err, out)
	}
}

const djangoCheck = `
import sys
sys.path.insert(0, sys.argv[1])
import django
from django.conf import settings
settings.configure(DEBUG=False, ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, SECRET_KEY="test",
                   MIDDLEWARE=["mtls.ClientCertificateMiddleware"])
django.setup()
from django.http import HttpResponse
from django.urls import path
def view(request):
    return HttpResponse("hello " + request.client_identity)
urlpatterns = [path("", view)]
from django.test import Client
from mtls import parse_rfc2253
c = Client()
def status(**h):
    return c.get("/", **h).status_code
ok = dict(HTTP_X_SSL_CLIENT_VERIFY="SUCCESS", HTTP_X_SSL_CLIENT_S_DN="CN=alice,O=Example")
r = c.get("/", **ok)
assert r.status_code == 200 and r.content == b"hello alice", (r.status_code, r.content)
assert status() == 403
for verify in ["NONE", "FAILED:unable to get issuer certificate", "success", ""]:
    assert status(HTTP_X_SSL_CLIENT_VERIFY=verify, HTTP_X_SSL_CLIENT_S_DN="CN=alice,O=Example") == 403, verify
for dn in ["CN=alice2,O=Example", "O=Example,CN=alice", "CN=alice,O=Example,CN=admin", "CN=x\\,CN=alice,O=Example",
           "OU=CN=alice,O=Example", "CN=alice", "/O=Example/CN=alice", "", "CN=alice,O=Example\\"]:
    assert status(HTTP_X_SSL_CLIENT_VERIFY="SUCCESS", HTTP_X_SSL_CLIENT_S_DN=dn) == 403, dn
assert parse_rfc2253("CN=a\\,b,O=x") == ((("CN", "a,b"),), (("O", "x"),))
assert parse_rfc2253("CN=a+UID=b,O=x") == ((("CN", "a"), ("UID", "b")), (("O", "x"),))
assert parse_rfc2253("CN=a\\2Cb") == ((("CN", "a,b"),),)
for bad in ["", "CN", "=a", "CN=", "CN=a,", "CN=a\\", "CN=a\"b", "CN=a,,O=b", None, 5]:
    assert parse_rfc2253(bad) is None, bad
print("ok")
`

// TestMTLSDjangoMiddleware runs the middleware in a real Django with Debian's Python.
func TestMTLSDjangoMiddleware(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		needs.Missing(t, "Debian's /usr/bin/python3 not found (apt-get install python3-django)")
	}
	if err := exec.Command(py, "-c", "import django").Run(); err != nil {
		needs.Missing(t, "Django not installed for /usr/bin/python3 (apt-get install python3-django)")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mtls.py"), []byte(MTLSDjangoMiddleware()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", djangoCheck, dir).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("middleware check failed: %v\n%s", err, out)
	}
}

// The e2e suite's fixed Django stack names this subject; the per-rule coverage of MTLS is in
// package mtlscheck, which declares the rules and their advice.
func TestMTLSDjangoExampleSubject(t *testing.T) {
	if !regexp.MustCompile(`ALLOWED_SUBJECTS = \{"CN=alice,O=Example": "alice"\}`).MatchString(MTLSDjangoMiddleware()) {
		t.Error("ALLOWED_SUBJECTS example changed; the e2e suite relies on it")
	}
}

// TestMTLSNginxOverwritesTheList: the fix's identity headers are idheaders.Overwritten, in its
// order, each once; the three with a value come from nginx's verified-certificate variables.
func TestMTLSNginxOverwritesTheList(t *testing.T) {
	var got []string
	for _, m := range regexp.MustCompile(`proxy_set_header (\S+) (\S+);`).FindAllStringSubmatch(MTLSNginx(), -1) {
		name, value := m[1], m[2]
		if name == "Host" || name == "X-Forwarded-Proto" {
			continue
		}
		got = append(got, name)
		if want, ok := nginxIdentityVars[name]; ok && value != want || !ok && value != `""` {
			t.Errorf("proxy_set_header %s %s", name, value)
		}
	}
	if !slices.Equal(got, idheaders.Overwritten) {
		t.Errorf("identity headers in the fix:\n%v\nwant idheaders.Overwritten:\n%v", got, idheaders.Overwritten)
	}
	for n := range nginxIdentityVars {
		if !slices.Contains(idheaders.Overwritten, n) {
			t.Errorf("%s has an nginx variable but is not in idheaders.Overwritten", n)
		}
	}
}
