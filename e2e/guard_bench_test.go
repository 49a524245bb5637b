package e2e

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crossgate/crossgate/internal/pki"
)

// BenchmarkGuardProxy compares crossgate guard with real nginx 1.22, both terminating mutual
// TLS in front of the same Go upstream, and both measured against the upstream reached
// straight (plain HTTP), with one Go load client of 16 workers (keep-alive and fresh
// handshakes), then of one worker (keep-alive: the latency added to a lone request).
//
// Fairness, since the point is a ratio:
//   - guard runs as its own process, the built crossgate binary (`crossgate guard ...`), as
//     nginx does; the load client and the upstream share this test process for all targets.
//   - both proxies get one core's worth of parallelism: nginx one process (no master, one
//     worker's work), guard GOMAXPROCS=1. The machine this was written on has two cores,
//     and the load client and the upstream need the other one.
//   - the same server certificate (ECDSA P-256) and client certificate for both; the client
//     offers only X25519, which both servers then use (guard alone would otherwise pick the
//     post-quantum hybrid X25519MLKEM768, which nginx 1.22's OpenSSL does not have).
//   - no session resumption on either: the client keeps no session cache, so every fresh
//     connection is a full handshake (checked on every response).
//   - both proxies keep their upstream connections alive and write no access log.
//   - the three targets are measured in alternating slices, so that the load other programs
//     put on a shared machine falls on all three alike.
//
// Per target: requests/s and p50/p99 latency; then guard/nginx requests/s and the p99 that
// each proxy adds over direct.
//
//	go test -run '^$' -bench GuardProxy -benchtime 5000x ./e2e/
func BenchmarkGuardProxy(b *testing.B) {
	RequireStack(b) // nginx
	env := newProxyBench(b)
	guardURL, guardPID := env.startGuard(b)
	nginxURL, nginxPID := env.startNginx(b)
	targets := []*loadTarget{
		{name: "direct", url: env.upstream + "/api"},
		{name: "guard", url: guardURL + "/api", pid: guardPID},
		{name: "nginx", url: nginxURL + "/api", pid: nginxPID},
	}
	for _, m := range []struct {
		name      string
		keepAlive bool
		workers   int
	}{
		{"keepalive", true, 16},
		{"fresh-handshake", false, 16},
		// One request at a time: the latency a proxy adds to a request, with no queue in
		// front of it. Under the 16 workers above, p99 is mostly waiting for a core on a
		// saturated machine (Little's law: 16 in flight at 13,000/s is 1.2 ms on average).
		{"keepalive-sequential", true, 1},
	} {
		b.Run(m.name, func(b *testing.B) {
			for _, t := range targets {
				t.reset(env.clientTLS(), m.keepAlive)
				t.workers = m.workers
			}
			interleave(b, targets)
			reportLoad(b, targets)
		})
	}
}

// proxyBench is what every target shares: the PKI on disk, the upstream and the binary.
type proxyBench struct {
	dir                               string
	serverCA                          *pki.CA
	alice                             *pki.Leaf
	srvCert, srvKey, clientCA, idents string
	upstream                          string // http://host:port
	upstreamAddr                      string
	bin                               string
	procs                             []*exec.Cmd
}

func newProxyBench(b *testing.B) *proxyBench {
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Fatal("the go tool is not on PATH; it builds cmd/crossgate for this benchmark")
	}
	e := &proxyBench{dir: b.TempDir()}
	e.bin = filepath.Join(e.dir, "crossgate")
	if out, err := exec.Command(goBin, "build", "-o", e.bin, "github.com/crossgate/crossgate/cmd/crossgate").CombinedOutput(); err != nil {
		b.Fatalf("go build ./cmd/crossgate: %v\n%s", err, out)
	}
	clientCA := pki.NewCA("bench client CA")
	e.serverCA = pki.NewCA("bench server CA")
	if e.srvCert, e.srvKey, err = e.serverCA.Server().WriteFiles(e.dir, "server"); err != nil {
		b.Fatal(err)
	}
	if e.clientCA, err = clientCA.WriteFile(e.dir, "client-ca"); err != nil {
		b.Fatal(err)
	}
	e.alice = clientCA.Client("alice", "Example")
	e.idents = filepath.Join(e.dir, "identities.yaml")
	if err := os.WriteFile(e.idents, []byte("identities:\n  - user: alice\n    subject: \"CN=alice,O=Example\"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"user":"alice","items":[1,2,3,4,5,6,7,8,9,10]}`)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(payload)
	}))
	b.Cleanup(up.Close)
	b.Cleanup(e.stopProcesses)
	e.upstream, e.upstreamAddr = up.URL, up.Listener.Addr().String()
	return e
}

// clientTLS presents alice, trusts the server CA, offers X25519 only and no session cache.
func (e *proxyBench) clientTLS() *tls.Config {
	return &tls.Config{RootCAs: e.serverCA.Pool(), Certificates: []tls.Certificate{e.alice.TLS},
		CurvePreferences: []tls.CurveID{tls.X25519}}
}

// startGuard runs `crossgate guard` with GOMAXPROCS=1 and returns its https base URL and
// process ID.
func (e *proxyBench) startGuard(b *testing.B) (string, int) {
	port := freePortB(b)
	cmd := exec.Command(e.bin, "guard", "--listen", "127.0.0.1:"+strconv.Itoa(port), "--upstream", e.upstream,
		"--cert", e.srvCert, "--key", e.srvKey, "--client-ca", e.clientCA, "--identities", e.idents,
		"--allow-origin", appOrigin)
	cmd.Env = append(cleanEnv(), "GOMAXPROCS=1")
	e.spawn(b, cmd, "guard.log", port)
	return "https://127.0.0.1:" + strconv.Itoa(port), cmd.Process.Pid
}

// startNginx runs nginx as one process with the same certificates and upstream, and
// returns its https base URL and process ID.
func (e *proxyBench) startNginx(b *testing.B) (string, int) {
	port := freePortB(b)
	prefix := filepath.Join(e.dir, "nginx")
	if err := os.MkdirAll(filepath.Join(prefix, "tmp"), 0o755); err != nil {
		b.Fatal(err)
	}
	// No ssl_session_cache (nginx's default is none) and the client offers no ticket: every
	// fresh connection is a full handshake, as for guard.
	conf := fmt.Sprintf(`worker_processes 1;
error_log %[1]s/error.log error;
pid %[1]s/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %[1]s/tmp; proxy_temp_path %[1]s/tmp; fastcgi_temp_path %[1]s/tmp; uwsgi_temp_path %[1]s/tmp; scgi_temp_path %[1]s/tmp;
  upstream app { server %[2]s; keepalive 64; }
  server {
    listen 127.0.0.1:%[3]d ssl;
    ssl_certificate %[4]s; ssl_certificate_key %[5]s;
    ssl_client_certificate %[6]s; ssl_verify_client on;
    ssl_protocols TLSv1.2 TLSv1.3;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-SSL-Client-S-DN $ssl_client_s_dn;
    }
  }
}
`, prefix, e.upstreamAddr, port, e.srvCert, e.srvKey, e.clientCA)
	confPath := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		b.Fatal(err)
	}
	// No master: a master killed with the benchmark (Pdeathsig) would leave its worker behind.
	cmd := exec.Command(NginxBin, "-p", prefix, "-c", confPath, "-e", filepath.Join(prefix, "error.log"), "-g", "daemon off; master_process off;")
	e.spawn(b, cmd, "nginx.log", port)
	return "https://127.0.0.1:" + strconv.Itoa(port), cmd.Process.Pid
}

// spawn starts cmd in a process group of its own (killed with the benchmark) and waits
// until it listens on port.
func (e *proxyBench) spawn(b *testing.B, cmd *exec.Cmd, logName string, port int) {
	logPath := filepath.Join(e.dir, logName)
	f, err := os.Create(logPath)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	e.procs = append(e.procs, cmd)
	if !listening("127.0.0.1:" + strconv.Itoa(port)) {
		b.Fatalf("%s does not listen on port %d; its log:\n%s", filepath.Base(cmd.Path), port, readTail(logPath))
	}
}

func (e *proxyBench) stopProcesses() {
	for _, cmd := range e.procs {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}
	e.procs = nil
}

// loadTarget is one server under load with the latencies measured so far and, for a proxy
// in a process of its own, the CPU time that process spent while it was under load.
type loadTarget struct {
	name, url string
	pid       int // 0: no process of its own
	workers   int // requests in flight at once
	client    *http.Client
	lat       []time.Duration
	elapsed   time.Duration
	cpu       time.Duration
}

func (t *loadTarget) reset(tc *tls.Config, keepAlive bool) {
	if t.client != nil {
		t.client.CloseIdleConnections()
	}
	t.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tc,
		DisableKeepAlives: !keepAlive, MaxIdleConnsPerHost: 64, Proxy: nil}}
	t.lat, t.elapsed, t.cpu = nil, 0, 0
}

// interleave sends b.N requests to each target, in ten slices per target taken in turn and
// in a rotating order.
func interleave(b *testing.B, targets []*loadTarget) {
	rounds := min(10, b.N)
	b.ResetTimer()
	for r := range rounds {
		n := b.N / rounds
		if r == rounds-1 {
			n = b.N - n*(rounds-1)
		}
		for i := range targets {
			t := targets[(r+i)%len(targets)]
			if err := t.run(n); err != nil {
				b.Fatalf("%s: %v", t.name, err)
			}
		}
	}
	b.StopTimer()
}

// run sends n GETs from t.workers workers and records each latency.
func (t *loadTarget) run(n int) error {
	workers := max(1, t.workers)
	lat := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var next int
	var firstErr error
	cpu0, err := processCPU(t.pid)
	if err != nil {
		return err
	}
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				t0 := time.Now()
				err := get(t.client, t.url)
				if err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, err)
					mu.Unlock()
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	t.elapsed += time.Since(start)
	cpu1, err := processCPU(t.pid)
	if err != nil {
		return err
	}
	t.cpu += cpu1 - cpu0
	t.lat = append(t.lat, slices.Concat(lat...)...)
	return firstErr
}

// processCPU is the user and system CPU time the process has used so far (Linux).
func processCPU(pid int) (time.Duration, error) {
	if pid == 0 {
		return 0, nil
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces; utime and
	// stime are the 14th and 15th fields of the line, in clock ticks of 1/100 s on Linux.
	rest := string(data[bytes.LastIndexByte(data, ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func get(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if resp.TLS != nil && resp.TLS.DidResume {
		return fmt.Errorf("the TLS session was resumed; the comparison assumes full handshakes")
	}
	return nil
}

// reportLoad gives each target's requests/s and p50/p99 in ms, then guard/nginx requests/s
// and the p50 and p99 each proxy adds over direct.
func reportLoad(b *testing.B, targets []*loadTarget) {
	rps := map[string]float64{}
	p50, p99 := map[string]float64{}, map[string]float64{}
	for _, t := range targets {
		slices.Sort(t.lat)
		pct := func(p float64) float64 {
			return float64(t.lat[int(p*float64(len(t.lat)-1))].Microseconds()) / 1000
		}
		rps[t.name], p50[t.name], p99[t.name] = float64(len(t.lat))/t.elapsed.Seconds(), pct(0.50), pct(0.99)
		b.ReportMetric(rps[t.name], t.name+"-req/s")
		b.ReportMetric(p99[t.name], t.name+"-p99-ms")
		if t.pid != 0 {
			b.ReportMetric(float64(t.cpu.Microseconds())/float64(len(t.lat)), t.name+"-cpu-us/req")
		}
	}
	b.ReportMetric(rps["guard"]/rps["nginx"], "guard/nginx-req/s")
	for _, proxy := range []string{"guard", "nginx"} {
		b.ReportMetric(p50[proxy]-p50["direct"], proxy+"-added-p50-ms")
		b.ReportMetric(p99[proxy]-p99["direct"], proxy+"-added-p99-ms")
	}
}

func freePortB(b *testing.B) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// listening waits up to 10s for a TCP listener on addr.
func listening(addr string) bool {
	for range 200 {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}
