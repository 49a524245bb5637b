package exposurecheck

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/probe"
)

// The response corpus (testdata/responses) is real-shaped: receipts and CSV exports with card
// numbers, health endpoints listing connection URLs, 404 pages echoing an email, Django
// technical 500 pages, JSON errors with internal paths, settings dumps, cookies; and hard
// negatives (masked secrets, publishable and reCAPTCHA site keys, version and build numbers,
// paths in ordinary answers, lower-case cookie attributes, production error pages). Each file
// is a raw HTTP response after "# expect FAMILY: label ..." lines. Provider-key-shaped values
// are written as {{PLACEHOLDERS}} and built here, at run time, so that no file holds a string
// a secret scanner would take for a live key. The values are fake throughout.
//
//	go test ./scan/exposurecheck -run TestResponseCorpus -v

// corpusFamilies are scored apart: a detector family is held to its own precision and recall.
var corpusFamilies = []string{"pii", "secret", "error", "trace", "cookie"}

// placeholders stand for provider keys; each is assembled from pieces so the literal never
// appears in the repository.
func placeholders() map[string]string {
	return map[string]string{
		"{{AWS_KEY_ID}}":     "AK" + "IA" + "Z7QX4RM2FAKE5KJ3",
		"{{STRIPE_SK}}":      "sk_" + "live_" + "gqFAKEBEYDeTHynB5pCpQZA9",
		"{{STRIPE_PK}}":      "pk_" + "live_" + "gqFAKEBEYDeTHynB5pCpQZA9",
		"{{GITHUB_TOKEN}}":   "gh" + "p_" + "6rvpFAKEe1dP5V1SJnZMBJe0ACUbJkaLtQY8",
		"{{SLACK_TOKEN}}":    "xo" + "xb-" + "2718281828-3141592653589-FAKEq8Vt3nLx0pZ7rB2mK9sW",
		"{{GOOGLE_KEY}}":     "AI" + "za" + "SyD-FAKE9x8w7v6u5t4s3r2q1p0o_nmlkji",
		"{{RECAPTCHA_SITE}}": "6L" + "c" + "FAKEAAAAAAJq3xW9vK2mT8pR4sN7uY1bZ5dEx",
	}
}

type corpusSample struct {
	name   string
	expect map[string][]string
	ex     *probe.Exchange
}

func loadResponseCorpus(t *testing.T) []corpusSample {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "responses", "*.http"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in testdata/responses: %v", err)
	}
	subst := placeholders()
	var out []corpusSample
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := corpusSample{name: filepath.Base(f), expect: map[string][]string{}}
		for bytes.HasPrefix(raw, []byte("# ")) {
			line, rest, _ := bytes.Cut(raw, []byte("\n"))
			raw = rest
			if fam, labels, ok := strings.Cut(strings.TrimPrefix(string(line), "# expect "), ": "); ok && strings.HasPrefix(string(line), "# expect ") {
				s.expect[fam] = strings.Fields(labels)
			}
		}
		text := string(raw)
		for k, v := range subst {
			text = strings.ReplaceAll(text, k, v)
		}
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(text)), nil)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		body := new(bytes.Buffer)
		_, _ = body.ReadFrom(resp.Body)
		s.ex = &probe.Exchange{Method: "GET", URL: "https://api.test/x", Status: resp.StatusCode, Header: resp.Header, Body: body.Bytes()}
		out = append(out, s)
	}
	return out
}

// detected is what the scan's detectors report for one response, per family, in the
// labels the corpus uses: detector ids (pii, secret), error page types, cookie name/issue.
func detected(ex *probe.Exchange) map[string][]string {
	got := map[string][]string{}
	add := func(fam, label string) {
		if !slices.Contains(got[fam], label) {
			got[fam] = append(got[fam], label)
		}
	}
	for _, m := range exposure.Scan(ex.Body) {
		fam := "secret"
		if m.Kind == exposure.PII {
			fam = "pii"
		}
		add(fam, m.Detector)
	}
	for _, p := range errorPages(ex) {
		if p.Type == exposure.DebugPage {
			add("error", string(p.Type))
		} else {
			add("trace", string(p.Type))
		}
	}
	for _, c := range (&http.Response{Header: ex.Header}).Cookies() {
		class := classifyCookie(c.Name)
		if class == notSession {
			continue
		}
		for _, is := range cookieIssues(c, class, true) {
			if is.sev < finding.Medium {
				continue
			}
			switch {
			case strings.Contains(is.text, "SameSite=None"):
				add("cookie", c.Name+"/samesite-none")
			case strings.Contains(is.text, "no Secure"):
				add("cookie", c.Name+"/no-secure")
			case strings.Contains(is.text, "HttpOnly"):
				add("cookie", c.Name+"/no-httponly")
			}
		}
	}
	return got
}

func TestResponseCorpus(t *testing.T) {
	corpus := loadResponseCorpus(t)
	if len(corpus) < 150 {
		t.Fatalf("corpus has %d responses, want >= 150", len(corpus))
	}
	type score struct{ tp, fp, fn, samples int }
	scores := map[string]*score{}
	for _, f := range corpusFamilies {
		scores[f] = &score{}
	}
	for _, s := range corpus {
		got := detected(s.ex)
		for _, fam := range corpusFamilies {
			want, have := s.expect[fam], got[fam]
			sc := scores[fam]
			if len(want) > 0 {
				sc.samples++
			}
			for _, l := range have {
				if slices.Contains(want, l) {
					sc.tp++
				} else {
					sc.fp++
					t.Logf("false positive %s %s in %s", fam, l, s.name)
				}
			}
			for _, l := range want {
				if !slices.Contains(have, l) {
					sc.fn++
					t.Logf("missed %s %s in %s", fam, l, s.name)
				}
			}
		}
	}
	var tbl strings.Builder
	fmt.Fprintf(&tbl, "%d responses\n%-8s %7s %4s %4s %4s %9s %7s\n", len(corpus), "family", "samples", "tp", "fp", "fn", "precision", "recall")
	for _, fam := range corpusFamilies {
		sc := scores[fam]
		p, r := ratio(sc.tp, sc.tp+sc.fp), ratio(sc.tp, sc.tp+sc.fn)
		fmt.Fprintf(&tbl, "%-8s %7d %4d %4d %4d %9.3f %7.3f\n", fam, sc.samples, sc.tp, sc.fp, sc.fn, p, r)
		if sc.samples < 5 {
			t.Errorf("family %s: %d positive responses, too few to measure", fam, sc.samples)
		}
		if p < 0.95 || r < 0.95 {
			t.Errorf("family %s: precision %.3f recall %.3f, want >= 0.95 each", fam, p, r)
		}
	}
	t.Log("\n" + tbl.String())
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
