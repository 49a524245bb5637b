package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The peers are the two open-source CORS scanners issue 9 compares crossgate with, checked
// out by hand under CROSSGATE_PEERS_DIR (see BENCHMARKS.md): Corsy (s0md3v/Corsy) in corsy/,
// CORScanner (chenjj/CORScanner) in corscanner/, run with Debian's python3 packages.
const (
	peersPython = "/usr/bin/python3"
	// Debian's tldextract reads this file before any URL of the public suffix list; without it
	// CORScanner would try publicsuffix.org.
	peersSuffixList = "/usr/share/publicsuffix/effective_tld_names.dat"
	// peersGuardProxy is a dead loopback port: a request a peer tried to send anywhere but
	// loopback (NO_PROXY) would go there and fail instead of leaving the machine.
	peersGuardProxy = "http://127.0.0.1:9"
	peersTimeout    = 3 * time.Minute
)

// peerTool is one scanner in the comparison: how to run it on the fleet and what it reported
// per URL.
type peerTool struct {
	name  string
	cmd   func(ctx context.Context, urls []string, out string) *exec.Cmd
	found func(out []byte) (map[string][]string, error)
}

// BenchmarkPeersThirteenOrigins runs crossgate (the built binary) twice, at default flags and
// with its rate limit lifted (--rate 10000: neither peer limits its rate), Corsy and
// CORScanner (their defaults) on the same 13 loopback origins, in a rotated order each round,
// and reports median wall times and the peers' time as a multiple of each crossgate run's.
// Both crossgate runs must report the same findings. The log says per CORS class what each
// tool reported. It runs only with CROSSGATE_PEERS_DIR set.
func BenchmarkPeersThirteenOrigins(b *testing.B) {
	dir := os.Getenv("CROSSGATE_PEERS_DIR")
	if dir == "" {
		b.Skip("set CROSSGATE_PEERS_DIR to the directory holding corsy/ and corscanner/ (see BENCHMARKS.md)")
	}
	for _, p := range []string{peersPython, peersSuffixList, filepath.Join(dir, "corsy", "corsy.py"), filepath.Join(dir, "corscanner", "cors_scan.py")} {
		if _, err := os.Stat(p); err != nil {
			b.Fatalf("CROSSGATE_PEERS_DIR is set but a peer prerequisite is missing: %v", err)
		}
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Fatal("go tool not on PATH; cannot build cmd/crossgate")
	}
	tmp := b.TempDir()
	bin := filepath.Join(tmp, "crossgate")
	if out, err := exec.Command(goBin, "build", "-o", bin, "github.com/crossgate/crossgate/cmd/crossgate").CombinedOutput(); err != nil {
		b.Fatalf("go build ./cmd/crossgate: %v\n%s", err, out)
	}
	targets := startThirteenOrigins(b)
	list := filepath.Join(tmp, "urls.txt")
	if err := os.WriteFile(list, []byte(strings.Join(targets, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	tools := []peerTool{crossgateTool(bin, "crossgate"), crossgateTool(bin, "crossgate-unlimited", "--rate", "10000"),
		corsyTool(dir, tmp), corscannerTool(dir, tmp, list)}
	const crossgates = 2 // the first two tools

	times := make([][]float64, len(tools))
	found := make([]map[string][]string, len(tools))
	round := 0
	for b.Loop() {
		for i := range tools {
			t := (i + round) % len(tools) // rotate so no tool always runs first or last
			out := filepath.Join(tmp, fmt.Sprintf("%s-%d.json", tools[t].name, round))
			ctx, cancel := context.WithTimeout(context.Background(), peersTimeout)
			cmd := tools[t].cmd(ctx, targets, out)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stderr, &stderr
			start := time.Now()
			err := cmd.Run()
			times[t] = append(times[t], time.Since(start).Seconds())
			cancel()
			if err != nil {
				b.Fatalf("%s: %v\n%s", tools[t].name, err, stderr.String())
			}
			if strings.Contains(stderr.String(), "Public Suffix List") {
				b.Fatalf("%s tried to download the public suffix list:\n%s", tools[t].name, stderr.String())
			}
			data, err := os.ReadFile(out)
			if errors.Is(err, os.ErrNotExist) {
				data, err = nil, nil // the peers write no file when they found nothing
			}
			if err != nil {
				b.Fatal(err)
			}
			if found[t], err = tools[t].found(data); err != nil {
				b.Fatalf("%s output: %v", tools[t].name, err)
			}
		}
		round++
	}
	b.StopTimer()
	if !maps.EqualFunc(found[0], found[1], slices.Equal) {
		b.Fatalf("crossgate found other things with its rate limit lifted:\ndefault: %v\nunlimited: %v", found[0], found[1])
	}
	for i, tool := range tools {
		b.ReportMetric(median(times[i]), tool.name+"-s")
		for c := 0; c < crossgates && c < i; c++ {
			var ratios []float64
			for r := range times[i] {
				ratios = append(ratios, times[i][r]/times[c][r])
			}
			b.ReportMetric(median(ratios), tool.name+"/"+tools[c].name)
		}
		b.ReportMetric(float64(len(found[i])), tool.name+"-origins-flagged")
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-22s", "class")
	for _, tool := range tools {
		fmt.Fprintf(&table, " | %-40s", tool.name)
	}
	for i, u := range targets {
		fmt.Fprintf(&table, "\n%-22s", thirteenKinds[i])
		for t := range tools {
			fmt.Fprintf(&table, " | %-40s", strings.Join(found[t][u], ","))
		}
	}
	b.Log(table.String())
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// crossgateTool runs the built binary as BenchmarkThirteenOrigins calls Run: default flags
// plus extra, the trusted origin named, the throwaway server CAs not verified.
func crossgateTool(bin, name string, extra ...string) peerTool {
	return peerTool{
		name: name,
		cmd: func(ctx context.Context, urls []string, out string) *exec.Cmd {
			args := append([]string{"scan", "--insecure", "--origin", fleetOrigin, "--format", "json", "-o", out, "--fail-on", "none"}, extra...)
			args = append(args, urls...)
			return exec.CommandContext(ctx, bin, args...)
		},
		found: func(data []byte) (map[string][]string, error) {
			var rep struct {
				Findings []struct {
					Rule string `json:"rule"`
					URL  string `json:"url"`
				} `json:"findings"`
			}
			if err := json.Unmarshal(data, &rep); err != nil {
				return nil, err
			}
			m := map[string][]string{}
			for _, f := range rep.Findings {
				if strings.HasPrefix(f.Rule, "cors-") && !slices.Contains(m[f.URL], f.Rule) {
					m[f.URL] = append(m[f.URL], f.Rule)
				}
			}
			for _, rules := range m {
				slices.Sort(rules) // comparable between runs
			}
			return m, nil
		},
	}
}

// peerEnv is the whole environment of a peer: no inherited proxy or home, the guard proxy for
// anything not on loopback, caches in the benchmark's temporary directory.
func peerEnv(tmp string) []string {
	return []string{"PATH=/usr/bin:/bin", "HOME=" + tmp, "LANG=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1",
		"HTTP_PROXY=" + peersGuardProxy, "HTTPS_PROXY=" + peersGuardProxy, "http_proxy=" + peersGuardProxy,
		"https_proxy=" + peersGuardProxy, "NO_PROXY=127.0.0.1,localhost,::1", "no_proxy=127.0.0.1,localhost,::1",
		"TLDEXTRACT_CACHE=" + filepath.Join(tmp, "tldextract")}
}

// corsyTool runs Corsy at its defaults (2 threads). Corsy reads URLs from stdin whenever stdin
// is not a terminal, ignoring -i then, so they are piped in.
func corsyTool(dir, tmp string) peerTool {
	return peerTool{
		name: "corsy",
		cmd: func(ctx context.Context, urls []string, out string) *exec.Cmd {
			cmd := exec.CommandContext(ctx, peersPython, "corsy.py", "-q", "-o", out)
			cmd.Dir = filepath.Join(dir, "corsy")
			cmd.Env = peerEnv(tmp)
			cmd.Stdin = strings.NewReader(strings.Join(urls, "\n") + "\n")
			return cmd
		},
		found: func(data []byte) (map[string][]string, error) {
			m := map[string][]string{}
			if data == nil {
				return m, nil
			}
			var res map[string]struct {
				Class string `json:"class"`
			}
			if err := json.Unmarshal(data, &res); err != nil {
				return nil, err
			}
			for u, r := range res {
				m[u] = []string{r.Class}
			}
			return m, nil
		},
	}
}

// corscannerTool runs CORScanner at its defaults (50 greenlets, 10 s timeout). It stops at the
// first test that succeeds for a URL, so it names one type per URL. list holds the URLs, one
// per line.
func corscannerTool(dir, tmp, list string) peerTool {
	return peerTool{
		name: "corscanner",
		cmd: func(ctx context.Context, urls []string, out string) *exec.Cmd {
			cmd := exec.CommandContext(ctx, peersPython, "cors_scan.py", "-i", list, "-o", out)
			cmd.Dir = filepath.Join(dir, "corscanner")
			cmd.Env = peerEnv(tmp)
			return cmd
		},
		found: func(data []byte) (map[string][]string, error) {
			m := map[string][]string{}
			if data == nil {
				return m, nil
			}
			var res []struct {
				URL  string `json:"url"`
				Type string `json:"type"`
			}
			if err := json.Unmarshal(data, &res); err != nil {
				return nil, err
			}
			for _, r := range res {
				if !slices.Contains(m[r.URL], r.Type) {
					m[r.URL] = append(m[r.URL], r.Type)
				}
			}
			return m, nil
		},
	}
}
