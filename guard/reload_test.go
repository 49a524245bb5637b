package guard

import (
	"crypto/tls"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestReloadUnderLoad replaces the server certificate, its key and the identities file
// while two load generators run (one on kept-alive connections, one with a fresh handshake
// per request): no request may fail, and new handshakes must get the new certificate.
func TestReloadUnderLoad(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.access = nil
	stop := make(chan struct{})
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		keepAlive := w%2 == 0
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := f.client(f.leaves["alice"], keepAlive)
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, body, err := get(t, c, f.url("/api"), nil)
				if err != nil || resp.StatusCode != 200 || (body != "user=alice" && body != "user=alice-renamed") {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%v %v %q", err, resp, body))
					continue
				}
				ok.Add(1)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	newLeaf := f.serverCA.Server()
	for i := 0; i < 5; i++ {
		if i == 2 {
			// The new certificate and key, each replaced by rename, as a renewal tool does.
			writeFile(t, f.cfg.Cert, newLeaf.CertPEM)
			writeFile(t, f.cfg.Key, newLeaf.KeyPEM)
		}
		user := "alice"
		if i%2 == 1 {
			user = "alice-renamed"
		}
		writeFile(t, f.cfg.Identities, []byte("identities:\n  - user: "+user+"\n    subject: \"CN=alice,O=Example\"\n"))
		if err := f.srv.Reload(); err != nil {
			t.Fatalf("reload %d: %v", i, err)
		}
		time.Sleep(150 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if failed.Load() != 0 {
		t.Errorf("%d of %d requests failed during reloads; first: %v", failed.Load(), failed.Load()+ok.Load(), firstErr.Load())
	}
	if ok.Load() < 50 {
		t.Errorf("only %d requests ran: the load generator did not load", ok.Load())
	}
	conn, err := tls.Dial("tcp", f.addr, &tls.Config{RootCAs: f.serverCA.Pool(), ServerName: "127.0.0.1",
		Certificates: []tls.Certificate{f.leaves["bob"].TLS}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if got := conn.ConnectionState().PeerCertificates[0]; !got.Equal(newLeaf.Cert) {
		t.Errorf("after the reload the old certificate (serial %v) is served, want serial %v", got.SerialNumber, newLeaf.Cert.SerialNumber)
	}
	t.Logf("%d requests during 5 reloads, 0 failed", ok.Load())
}
