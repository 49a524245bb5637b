package guard

import (
	"crypto/x509/pkix"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/crossgate/crossgate/internal/idheaders"
	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/remedy"
	"github.com/crossgate/crossgate/scan/mtlscheck"
)

// scannedHeaders are every header name crossgate scan forges, and every one its nginx remedy
// tells nginx to overwrite: guard must strip all of them.
func scannedHeaders(t testing.TB) []string {
	leaf := pki.SelfSigned(pki.Options{Subject: pkix.Name{CommonName: "x"}})
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, fam := range mtlscheck.SpoofFamilies("CN=x", "/CN=x", leaf.Cert.Raw) {
		for k := range fam.Header {
			add(k)
		}
	}
	for _, m := range regexp.MustCompile(`proxy_set_header (\S+)`).FindAllStringSubmatch(remedy.MTLSNginx(), -1) {
		if n := m[1]; idheaders.IsIdentity(n) {
			add(n)
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d scanned header names found: the sources moved?", len(out))
	}
	return out
}

// spellings are the forms a client can send one header in: as written, lower and upper
// case, and with '_' for '-' (read as the same variable by WSGI servers).
func spellings(name string) []string {
	under := strings.ReplaceAll(name, "-", "_")
	return []string{name, strings.ToLower(name), strings.ToUpper(name), under, strings.ToLower(under)}
}

func TestSanitizeStripsEveryScannedHeader(t *testing.T) {
	for _, name := range scannedHeaders(t) {
		for _, sp := range spellings(name) {
			h := http.Header{}
			// Raw map keys: the spelling as it arrives, not canonicalised, twice.
			h[sp] = []string{"CN=admin", "CN=admin"}
			h["Accept"] = []string{"*/*"}
			Sanitize(h, DefaultIdentityHeader)
			if _, ok := h[sp]; ok {
				t.Errorf("%q survived Sanitize", sp)
			}
			if h.Get("Accept") != "*/*" {
				t.Errorf("Sanitize removed Accept while stripping %q", sp)
			}
		}
	}
}

func TestSanitizeHopByHopAndForwarding(t *testing.T) {
	h := http.Header{
		"Connection":        {"keep-alive, X-Custom-Hop"},
		"X-Custom-Hop":      {"1"},
		"Keep-Alive":        {"timeout=5"},
		"Upgrade":           {"websocket"},
		"Te":                {"trailers"},
		"X-Forwarded-For":   {"6.6.6.6"},
		"X-Forwarded-Proto": {"http"},
		"Forwarded":         {"for=6.6.6.6"},
		"X-Real-Ip":         {"6.6.6.6"},
		"X-Client-Identity": {"admin"},
		"X-Client-identity": {"admin"},
		"Content-Type":      {"application/json"},
	}
	Sanitize(h, DefaultIdentityHeader)
	for k := range h {
		if k != "Content-Type" {
			t.Errorf("%s survived", k)
		}
	}
}

// TestSpoofingLoad sends 100,000 requests through a running guard, each carrying every
// forged identity header in every spelling (rotating case and '_' forms, duplicated), to an
// upstream that counts any identity header it receives: the count must be 0, and every
// request must arrive as the certificate's own user.
func TestSpoofingLoad(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 5_000
	}
	f := newFixture(t, func(c *Config) { c.AccessLog = "" })
	f.srv.access = nil // 100k access lines would only measure the log buffer
	names := scannedHeaders(t)
	names = append(names, DefaultIdentityHeader, "X-Forwarded-For", "Forwarded")
	var forms []http.Header
	for v := 0; v < 5; v++ {
		h := http.Header{}
		for _, name := range names {
			sp := spellings(name)[v]
			h[sp] = []string{"CN=bob,O=Example", "CN=admin"}
		}
		// A Connection header naming the identity header must not make guard drop its own.
		h["Connection"] = []string{DefaultIdentityHeader}
		forms = append(forms, h)
	}
	const workers = 16
	client := f.client(f.leaves["alice"], true)
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = workers
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				resp, body, err := get(t, client, f.url(fmt.Sprintf("/api/%d", i)), forms[i%int64(len(forms))])
				if err != nil || resp.StatusCode != 200 || body != "user=alice" {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("request %d: %v %v %q", i, err, resp, body))
				}
			}
		}()
	}
	wg.Wait()
	if got := f.up.requests.Load(); got != int64(n) {
		t.Errorf("upstream saw %d requests, want %d", got, n)
	}
	if fails := failed.Load(); fails != 0 {
		t.Errorf("%d requests failed; first: %v", fails, firstErr.Load())
	}
	if forged := f.up.forged.Load(); forged != 0 {
		t.Errorf("the upstream received forged identity headers in %d requests, e.g. %v", forged, f.up.lastForged.Load())
	}
	t.Logf("%d requests, %d header names in %d spellings each, 0 forged headers received", n, len(names), len(forms))
}
