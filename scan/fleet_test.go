package scan

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/crossgate/crossgate/internal/vulnserver"
)

// thirteenKinds are the CORS classes of the 13 single-endpoint origins issue 9 compares with
// Corsy and CORScanner: every class of the in-process servers, the regex one twice.
var thirteenKinds = []vulnserver.Kind{vulnserver.None, vulnserver.Wildcard, vulnserver.WildcardCredentials, vulnserver.Reflect,
	vulnserver.ReflectCredentials, vulnserver.Allowlist, vulnserver.Regex, vulnserver.Prefix, vulnserver.Suffix,
	vulnserver.Substring, vulnserver.NullAllowed, vulnserver.Fixed, vulnserver.Regex}

// fleetOrigin is the origin the fleet's servers trust; crossgate is told it with --origin.
const fleetOrigin = "https://app.example.com"

// startThirteenOrigins starts one loopback server per class of thirteenKinds, no client
// certificate asked (tools without one must be measured on the same terms), and returns one
// endpoint URL per server, in the order of thirteenKinds.
func startThirteenOrigins(tb testing.TB) []string {
	tb.Helper()
	var targets []string
	for i, k := range thirteenKinds {
		srv := vulnserver.StartT(tb, vulnserver.Config{ClientAuth: tls.NoClientCert, Policy: vulnserver.Policy{Kind: k,
			Origins: []string{fleetOrigin}, Pattern: `^https://app.example.com`}})
		targets = append(targets, fmt.Sprintf("%s/api/%d", srv.URL, i))
	}
	return targets
}

// TestServeThirteenOrigins serves the 13-origin fleet until interrupted, for timing other
// tools by hand against the same servers. It runs only when CROSSGATE_FLEET_URLS names the
// file to write the URLs to (one per line; a line "# class" above each).
func TestServeThirteenOrigins(t *testing.T) {
	path := os.Getenv("CROSSGATE_FLEET_URLS")
	if path == "" {
		t.Skip("set CROSSGATE_FLEET_URLS=FILE to serve the 13-origin fleet until interrupted")
	}
	targets := startThirteenOrigins(t)
	var b strings.Builder
	for i, u := range targets {
		fmt.Fprintf(&b, "# %s\n%s\n", thirteenKinds[i], u)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("13 origins listed in %s; serving until interrupted", path)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-5e9))
		defer cancel()
	}
	<-ctx.Done()
}
