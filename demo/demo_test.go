package demo

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/remedy"
	"github.com/crossgate/crossgate/report"
)

// The demo API is a Go server that looks like no framework crossgate knows: the fix it gets
// is the neutral rule, not settings for a framework it does not run.
func TestDemoFixFollowsDetectedStack(t *testing.T) {
	res, err := Run(context.Background(), io.Discard, report.TextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Vulnerable.Targets[0].Stack; s != "" {
		t.Errorf("demo stack = %q, want unknown", s)
	}
	for _, f := range res.Vulnerable.Findings {
		if f.Rule != "cors-wildcard-on-mtls" {
			continue
		}
		if !strings.Contains(f.Remediation, remedy.CORSGeneric([]string{TrustedOrigin})) || strings.Contains(f.Remediation, "CORS_ALLOWED_ORIGINS") {
			t.Errorf("demo fix is not the neutral rule:\n%s", f.Remediation)
		}
		return
	}
	t.Fatal("no cors-wildcard-on-mtls in the demo")
}
