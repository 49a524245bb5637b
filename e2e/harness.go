// Package e2e runs crossgate against the real stack it is about: nginx (Debian's package)
// terminating mutual TLS in front of a Django 3.2 project with django-cors-headers 3.14,
// both started per test run on loopback ports from the fixtures in testdata/ (the Django
// project in testdata/django, one settings module per configuration; the nginx template
// in testdata/nginx). Each run mints its own PKI; nothing is written outside temporary
// folders, and nginx and Django are stopped by process group when the tests end.
//
//	apt-get install -y nginx python3-django python3-django-cors-headers
//	CROSSGATE_E2E=1 go test ./e2e/
//	go test -run '^$' -bench FullScanRealStack -benchtime 5x ./e2e/
//
// Without nginx or Django the tests skip with an install hint, unless CROSSGATE_E2E=1 is
// set (CI), in which case a missing component is a failure.
package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/probe"
)

// Paths of the real components. Django must run under Debian's interpreter: a version
// manager's python3 first on PATH has no Django.
var (
	NginxBin  = "/usr/sbin/nginx"
	PythonBin = "/usr/bin/python3"
)

const installHint = "install with: apt-get install -y nginx python3-django python3-django-cors-headers"

// Header modes of the nginx template (see testdata/nginx/nginx.conf.tmpl).
const (
	HeadersOverwrite   = "overwrite"
	HeadersUnsanitised = "unsanitised"
	HeadersTrap        = "trap"
	HeadersRemedy      = "remedy"
)

// StackConfig is one nginx + Django configuration.
type StackConfig struct {
	Name string
	// Verify is the ssl_verify_client value: "on", "optional", "optional_no_ca", or "" for
	// no client authentication at all.
	Verify string
	// Headers is one of the Headers* modes; "" means HeadersOverwrite.
	Headers string
	// AddHeaders are server-level add_header arguments, e.g. `Access-Control-Allow-Origin "*" always`.
	AddHeaders []string
	// HTTPExtra and ServerExtra are raw nginx text placed in the http and server blocks.
	HTTPExtra, ServerExtra string
	// Dotfiles serves testdata/public (with its .env and debug.log) from the nginx root.
	Dotfiles bool
	// Settings is the Django settings module inside package xg, e.g. "cfg_allow_all".
	Settings string
	// Files are extra files written into the copy of the Django project (path relative to
	// the project root), e.g. the fixed middleware generated from package remedy.
	Files map[string]string
}

// Placeholders that StackConfig.HTTPExtra and ServerExtra may hold; Start replaces them with
// the client CA file and the Django upstream URL of the stack.
const (
	PlaceholderClientCA = "{{CLIENT_CA}}"
	PlaceholderUpstream = "{{UPSTREAM}}"
)

// Stack is a running nginx + Django pair and the PKI it was started with.
type Stack struct {
	Cfg      StackConfig
	Dir      string // the temporary folder holding everything
	Port     int    // nginx (HTTPS)
	AppPort  int    // Django runserver (HTTP, loopback)
	ServerCA *x509.CertPool
	ClientCA *pki.CA
	// Identities by name: alice (CN=alice,O=Example), alice2 (CN=alice2,O=Example), bob
	// (CN=bob,O=Example), all issued by ClientCA.
	Identities map[string]*probe.Identity
	Leaves     map[string]*pki.Leaf
	// PEM file paths for CLI tests: CertFile/KeyFile by identity name, the server CA, the client CA.
	CertFile, KeyFile    map[string]string
	ServerCAFile         string
	ClientCAFile         string
	NginxConf, NginxLogs string

	procs []*exec.Cmd
	logs  []string
	once  sync.Once
}

// URL returns the https URL of path on the nginx front.
func (s *Stack) URL(path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return "https://127.0.0.1:" + strconv.Itoa(s.Port) + path
}

// Identity returns the named client identity (alice, alice2, bob).
func (s *Stack) Identity(name string) *probe.Identity { return s.Identities[name] }

// Client returns a plain Go HTTP client that trusts the server CA and presents id's
// certificate (none for nil). Each client has its own connection pool.
func (s *Stack) Client(id *probe.Identity) *http.Client {
	cfg := &tls.Config{RootCAs: s.ServerCA, MinVersion: tls.VersionTLS12}
	if id != nil && id.Certificate != nil {
		cert := id.Certificate
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	return &http.Client{
		Timeout:       15 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Logs returns nginx's error and access logs and Django's output, for a failing test.
func (s *Stack) Logs() string {
	var b strings.Builder
	for _, p := range s.logs {
		data, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintf(&b, "== %s: %v\n", p, err)
			continue
		}
		if len(data) > 3<<10 {
			data = append([]byte("...\n"), data[len(data)-3<<10:]...)
		}
		fmt.Fprintf(&b, "== %s\n%s\n", filepath.Base(p), data)
	}
	return b.String()
}

var (
	missingMu    sync.Mutex
	missingCache = map[string]string{}
)

// Missing says why the real stack cannot run here, or "" when it can. The answer is
// cached per binary paths and PATH: asking Python costs a process start.
func Missing() string {
	key := NginxBin + "\x00" + PythonBin + "\x00" + os.Getenv("PATH")
	missingMu.Lock()
	defer missingMu.Unlock()
	if why, ok := missingCache[key]; ok {
		return why
	}
	why := missing()
	missingCache[key] = why
	return why
}

func missing() string {
	if _, err := os.Stat(NginxBin); err != nil {
		if p, err := exec.LookPath("nginx"); err == nil {
			NginxBin = p
		} else {
			return "e2e: nginx not found; " + installHint
		}
	}
	if _, err := os.Stat(PythonBin); err != nil {
		return "e2e: " + PythonBin + " not found; " + installHint
	}
	out, err := exec.Command(PythonBin, "-c", "import django, corsheaders; print(django.get_version())").CombinedOutput()
	if err != nil {
		return "e2e: Django or django-cors-headers not importable by " + PythonBin + " (" +
			strings.TrimSpace(lastLine(string(out))) + "); " + installHint
	}
	return ""
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// RequireStack skips the test when the real components are missing, or fails it when
// CROSSGATE_E2E=1 says they must be there.
func RequireStack(t testing.TB) {
	t.Helper()
	if why := Missing(); why != "" {
		if os.Getenv("CROSSGATE_E2E") == "1" {
			t.Fatalf("%s (CROSSGATE_E2E=1: the real stack is mandatory here)", why)
			return
		}
		t.Skip(why)
	}
}

// StartStack starts nginx and Django for cfg and stops both when t ends. When t fails,
// the logs of both are logged.
func StartStack(t testing.TB, cfg StackConfig) *Stack {
	t.Helper()
	RequireStack(t)
	s, err := Start(cfg, t.TempDir())
	if s != nil {
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("stack %q logs:\n%s", cfg.Name, s.Logs())
			}
			s.Stop()
		})
	}
	if err != nil {
		t.Fatalf("e2e: start stack %q: %v", cfg.Name, err)
	}
	return s
}

// Start is StartStack without a test: the caller must call Stop (also after an error,
// when the returned Stack is non-nil).
func Start(cfg StackConfig, dir string) (*Stack, error) {
	if cfg.Headers == "" {
		cfg.Headers = HeadersOverwrite
	}
	if cfg.Settings == "" {
		cfg.Settings = "cfg_plain"
	}
	fixtures, err := fixtureDir()
	if err != nil {
		return nil, err
	}
	s := &Stack{Cfg: cfg, Dir: dir, CertFile: map[string]string{}, KeyFile: map[string]string{},
		Identities: map[string]*probe.Identity{}, Leaves: map[string]*pki.Leaf{}}
	if err := s.mintPKI(); err != nil {
		return nil, err
	}
	app := filepath.Join(dir, "django")
	if err := copyTree(filepath.Join(fixtures, "django"), app); err != nil {
		return nil, fmt.Errorf("copy Django project: %w", err)
	}
	for rel, body := range cfg.Files {
		p := filepath.Join(app, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return nil, err
		}
	}

	// A port found free can be taken before our server binds it: retry on bind failure.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if attempt > 0 {
			s.Stop()
			s.once = sync.Once{}
			s.procs = nil
		}
		if lastErr = s.launch(fixtures, app); lastErr == nil {
			return s, nil
		}
		if !errors.Is(lastErr, errBind) {
			break
		}
	}
	return s, lastErr
}

var errBind = errors.New("address in use")

func (s *Stack) launch(fixtures, app string) error {
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	s.AppPort, s.Port = ports[0], ports[1]
	if err := s.startDjango(app); err != nil {
		return err
	}
	if err := s.startNginx(fixtures); err != nil {
		return err
	}
	return nil
}

func fixtureDir() (string, error) {
	// Tests run in the package directory; fall back to this source file's location.
	if _, err := os.Stat(filepath.Join("testdata", "django", "manage.py")); err == nil {
		return filepath.Abs("testdata")
	}
	_, file, _, ok := runtime.Caller(0)
	if ok {
		d := filepath.Join(filepath.Dir(file), "testdata")
		if _, err := os.Stat(filepath.Join(d, "django", "manage.py")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("e2e: fixtures (testdata/django, testdata/nginx) not found")
}

func (s *Stack) mintPKI() error {
	pkiDir := filepath.Join(s.Dir, "pki")
	if err := os.MkdirAll(pkiDir, 0o700); err != nil {
		return err
	}
	serverCA := pki.NewCA("crossgate e2e server CA")
	// An internal-looking name: nginx advertises it in every CertificateRequest.
	clientCA := pki.NewCA("Example Corp Internal Client CA")
	s.ServerCA, s.ClientCA = serverCA.Pool(), clientCA
	var err error
	if s.ServerCAFile, err = serverCA.WriteFile(pkiDir, "server-ca"); err != nil {
		return err
	}
	if s.ClientCAFile, err = clientCA.WriteFile(pkiDir, "client-ca"); err != nil {
		return err
	}
	srv := serverCA.Server()
	if s.CertFile["server"], s.KeyFile["server"], err = srv.WriteFiles(pkiDir, "server"); err != nil {
		return err
	}
	for _, name := range []string{"alice", "alice2", "bob"} {
		leaf := clientCA.Issue(pki.Options{Subject: pkix.Name{CommonName: name, Organization: []string{"Example"}}})
		if s.CertFile[name], s.KeyFile[name], err = leaf.WriteFiles(pkiDir, name); err != nil {
			return err
		}
		cert := leaf.TLS
		s.Leaves[name] = leaf
		s.Identities[name] = &probe.Identity{Name: name, Certificate: &cert}
	}
	return nil
}

type nginxVars struct {
	StackConfig
	Prefix, ServerCert, ServerKey, ClientCA, Root string
	Listen, Upstream                              int
}

func (s *Stack) startNginx(fixtures string) error {
	prefix := filepath.Join(s.Dir, "nginx")
	for _, d := range []string{"tmp", "logs"} {
		if err := os.MkdirAll(filepath.Join(prefix, d), 0o755); err != nil {
			return err
		}
	}
	tmpl, err := template.ParseFiles(filepath.Join(fixtures, "nginx", "nginx.conf.tmpl"))
	if err != nil {
		return err
	}
	v := nginxVars{StackConfig: s.Cfg, Prefix: prefix, ServerCert: s.CertFile["server"], ServerKey: s.KeyFile["server"],
		ClientCA: s.ClientCAFile, Listen: s.Port, Upstream: s.AppPort}
	fill := strings.NewReplacer(PlaceholderClientCA, s.ClientCAFile, PlaceholderUpstream, "http://127.0.0.1:"+strconv.Itoa(s.AppPort))
	v.HTTPExtra, v.ServerExtra = fill.Replace(v.HTTPExtra), fill.Replace(v.ServerExtra)
	if s.Cfg.Dotfiles {
		v.Root = filepath.Join(fixtures, "public")
	}
	var conf bytes.Buffer
	if err := tmpl.Execute(&conf, v); err != nil {
		return err
	}
	s.NginxConf = filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(s.NginxConf, conf.Bytes(), 0o644); err != nil {
		return err
	}
	s.NginxLogs = filepath.Join(prefix, "error.log")
	out := filepath.Join(prefix, "stderr.log")
	s.logs = append(s.logs, s.NginxLogs, out, filepath.Join(prefix, "access.log"))
	// nginx's compiled-in error log is opened before -c is read: -e keeps it in prefix.
	// One process, no master: a master killed with the test binary (Pdeathsig) leaves its
	// workers running, and this nginx must never outlive the test.
	cmd := exec.Command(NginxBin, "-p", prefix, "-c", s.NginxConf, "-e", s.NginxLogs, "-g", "daemon off; master_process off;")
	if err := s.spawn(cmd, out); err != nil {
		return err
	}
	return s.waitPort("nginx", cmd, s.Port, out, 10*time.Second)
}

func (s *Stack) startDjango(app string) error {
	out := filepath.Join(s.Dir, "django.log")
	s.logs = append(s.logs, out)
	module := "xg." + s.Cfg.Settings
	cmd := exec.Command(PythonBin, "manage.py", "runserver", "--noreload", "--nothreading",
		"127.0.0.1:"+strconv.Itoa(s.AppPort), "--settings="+module)
	cmd.Dir = app
	cmd.Env = append(cleanEnv(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "DJANGO_SETTINGS_MODULE="+module)
	if err := s.spawn(cmd, out); err != nil {
		return err
	}
	return s.waitPort("django", cmd, s.AppPort, out, 30*time.Second)
}

// cleanEnv drops variables that would make Debian's Python load another installation's
// packages or settings.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "PYTHON"), strings.HasPrefix(k, "PYENV"), k == "VIRTUAL_ENV", k == "DJANGO_SETTINGS_MODULE":
			continue
		}
		env = append(env, kv)
	}
	return env
}

func (s *Stack) spawn(cmd *exec.Cmd, logPath string) error {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = f, f
	// Own process group, so Stop reaches any child; Pdeathsig kills it with the test binary
	// should that die without running cleanups (a test timeout panics past them). Pdeathsig
	// follows the forking OS thread, which the Go runtime keeps alive (no LockOSThread here).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", filepath.Base(cmd.Path), err)
	}
	s.procs = append(s.procs, cmd)
	go func() { _ = cmd.Wait(); f.Close() }()
	return nil
}

// waitPort polls until port accepts connections, the process exits, or the deadline passes.
func (s *Stack) waitPort(what string, cmd *exec.Cmd, port int, logPath string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if exited(cmd) {
			log := readTail(logPath)
			if strings.Contains(log, "Address already in use") || strings.Contains(log, "That port is already in use") {
				return fmt.Errorf("%s on %s: %w", what, addr, errBind)
			}
			return fmt.Errorf("%s exited before listening on %s:\n%s", what, addr, log)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not listening on %s after %v:\n%s", what, addr, limit, readTail(logPath))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func exited(cmd *exec.Cmd) bool {
	// Signal 0 fails once the process is gone (or a zombie reaped by the Wait goroutine).
	return cmd.Process.Signal(syscall.Signal(0)) != nil
}

func readTail(p string) string {
	data, _ := os.ReadFile(p)
	if len(data) > 4096 {
		data = data[len(data)-4096:]
	}
	return string(data)
}

// Stop ends both processes (their whole process groups) and waits for them to go.
func (s *Stack) Stop() {
	s.once.Do(func() {
		for _, cmd := range s.procs {
			if cmd.Process != nil {
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			}
		}
		deadline := time.Now().Add(5 * time.Second)
		for _, cmd := range s.procs {
			for !groupGone(cmd.Process.Pid) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
}

func groupGone(pgid int) bool {
	return errors.Is(syscall.Kill(-pgid, syscall.Signal(0)), syscall.ESRCH)
}

// freePorts asks the kernel for n distinct free loopback ports. The listeners stay open
// until all are chosen, so the kernel cannot hand out the same port twice.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.Name() == "__pycache__" {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// Get sends a GET through a plain Go client with id's certificate and extra headers
// ("Name", "value" pairs), and returns status, headers and body.
func (s *Stack) Get(ctx context.Context, id *probe.Identity, path string, kv ...string) (int, http.Header, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL(path), nil)
	if err != nil {
		return 0, nil, "", err
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if strings.EqualFold(kv[i], "Host") {
			req.Host = kv[i+1]
			continue
		}
		req.Header.Add(kv[i], kv[i+1])
	}
	resp, err := s.Client(id).Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, string(body), err
}
