package prove

import (
	"context"
	"crypto/tls"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/vulnserver"
)

// needBrowser skips without Chromium and the NSS tools, unless CROSSGATE_E2E=1 makes the
// real components mandatory.
func needBrowser(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	_, err := FindBrowser("")
	if err == nil {
		err = FindTools()
	}
	if err != nil {
		if os.Getenv("CROSSGATE_E2E") == "1" {
			t.Fatalf("CROSSGATE_E2E=1 and %v", err)
		}
		t.Skip(err)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func readModes(ps []finding.Proof) map[string]bool {
	m := map[string]bool{}
	for _, p := range ps {
		if p.Read && p.Status < 400 {
			k := p.Mode
			if p.Preflight {
				k += "+preflight"
			}
			m[k] = true
		}
	}
	return m
}

func TestProveVulnserver(t *testing.T) {
	needBrowser(t)
	star := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	refl := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.ReflectCredentials}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id := star.Client.TLS
	o := Options{Identity: &id, CACerts: nil, Insecure: true, Timeout: 5 * time.Second}
	_ = refl
	res, err := Run(ctx, o, []Claim{{URL: mustURL(t, star.URL)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	for _, out := range res.Outcomes {
		t.Logf("origin %s err %v", out.PageOrigin, out.Err)
		for _, p := range out.Proofs {
			t.Logf("  %+v", p)
		}
	}
}
