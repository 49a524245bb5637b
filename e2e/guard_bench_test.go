package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crossgate/crossgate/guard"
	"github.com/crossgate/crossgate/internal/pki"
)

// BenchmarkGuardProxy measures one Go load client (16 workers) against the same Go upstream
// three ways: straight (plain HTTP, no TLS), through crossgate guard, and through real nginx
// terminating mutual TLS (ssl_verify_client on, upstream keepalive), each with kept-alive
// connections and with a fresh TLS handshake per request. Reported: requests/s and the
// p50/p99 latency; the added latency is the difference to "direct".
//
//	go test -run '^$' -bench GuardProxy -benchtime 20000x ./e2e/
func BenchmarkGuardProxy(b *testing.B) {
	RequireStack(b) // nginx
	dir := b.TempDir()
	clientCA, serverCA := pki.NewCA("bench client CA"), pki.NewCA("bench server CA")
	srvCert, srvKey, _ := serverCA.Server().WriteFiles(dir, "server")
	caFile, _ := clientCA.WriteFile(dir, "client-ca")
	alice := clientCA.Client("alice", "Example")
	ids := filepath.Join(dir, "identities.yaml")
	os.WriteFile(ids, []byte("identities:\n  - user: alice\n    subject: \"CN=alice,O=Example\"\n"), 0o600)

	payload := []byte(`{"user":"alice","items":[1,2,3,4,5,6,7,8,9,10]}`)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(payload)
	}))
	defer up.Close()

	// guard
	cfg := &guard.Config{Listen: "127.0.0.1:0", Upstream: up.URL, Cert: srvCert, Key: srvKey, ClientCA: caFile, Identities: ids,
		CORS: guard.CORSConfig{AllowOrigins: []string{appOrigin}}}
	srv, err := guard.NewServer(func() (*guard.Config, error) { c := *cfg; return &c, nil }, slog.New(slog.NewJSONHandler(io.Discard, nil)), nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan guard.Addrs, 1)
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, func(a guard.Addrs) { ready <- a }) }()
	guardAddr := (<-ready).HTTPS.String()
	defer func() { cancel(); <-done }()

	// nginx, same certificates, same upstream.
	nginxPort := freePortB(b)
	prefix := filepath.Join(dir, "nginx")
	os.MkdirAll(filepath.Join(prefix, "logs"), 0o755)
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
`, prefix, up.Listener.Addr().String(), nginxPort, srvCert, srvKey, caFile)
	os.MkdirAll(filepath.Join(prefix, "tmp"), 0o755)
	confPath := filepath.Join(prefix, "nginx.conf")
	os.WriteFile(confPath, []byte(conf), 0o644)
	cmd := exec.Command(NginxBin, "-p", prefix, "-c", confPath, "-e", filepath.Join(prefix, "error.log"), "-g", "daemon off; master_process off;")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() }()
	waitListening(b, "127.0.0.1:"+strconv.Itoa(nginxPort))

	targets := []struct{ name, url string }{
		{"direct", up.URL + "/api"},
		{"guard", "https://" + guardAddr + "/api"},
		{"nginx", "https://127.0.0.1:" + strconv.Itoa(nginxPort) + "/api"},
	}
	for _, keepAlive := range []bool{true, false} {
		mode := "keepalive"
		if !keepAlive {
			mode = "fresh-handshake"
		}
		for _, tg := range targets {
			b.Run(mode+"/"+tg.name, func(b *testing.B) {
				tc := &tls.Config{RootCAs: serverCA.Pool(), Certificates: []tls.Certificate{alice.TLS}, ClientSessionCache: nil}
				client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tc,
					DisableKeepAlives: !keepAlive, MaxIdleConnsPerHost: 64, Proxy: nil}}
				defer client.CloseIdleConnections()
				loadRun(b, client, tg.url)
			})
		}
	}
}

// loadRun sends b.N GETs from 16 workers and reports requests/s and latency percentiles.
func loadRun(b *testing.B, client *http.Client, url string) {
	const workers = 16
	lat := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	var next int64
	var mu sync.Mutex
	var firstErr error
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				resp, err := client.Get(url)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if firstErr != nil {
		b.Fatalf("load failed: %v", firstErr)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

func freePortB(b *testing.B) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitListening(b *testing.B, addr string) {
	for i := 0; i < 100; i++ {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("nothing listens on %s", addr)
}
