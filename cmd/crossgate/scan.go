package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/target"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan"
)

const scanHelp = `Usage: crossgate scan [flags] URL...

Probes each URL for CORS, mutual-TLS and data-exposure weaknesses, presenting your client
certificate, and rates each finding by what a real browser would let an attacker page read.
Only GET, HEAD and OPTIONS are sent. Your client certificate is only ever presented to the
hosts you name here; redirects are never followed.

Examples:
  crossgate scan --cert alice.crt --key alice.key --cacert ca.pem https://api.internal:8443/v1/profile
  crossgate scan --cert alice.p12 --cert-pass secret --origin https://app.example.com https://api.example.com/
  crossgate scan -i targets.txt --format json -o report.json --fail-on medium

Client identity:
  --cert FILE          client certificate (PEM; a PEM holding cert and key; or .p12/.pfx)
  --key FILE           client private key (PEM), if not in --cert
  --cert-pass PASS     password of a .p12/.pfx bundle
  --identity NAME=CERT[,KEY]
                       an extra identity (repeatable), e.g. --identity bob=bob.crt,bob.key;
                       two or more identities enable the identity-confusion check;
                       the name "expired" marks an expired certificate from your CA,
                       which tests whether expired certificates are accepted
  --cacert FILE        CA certificate(s) that sign the server's certificate (PEM)
  --insecure           do not verify the server's certificate (your client certificate
                       may then be presented to an impostor: use only on a lab network)

Intent:
  --origin URL         an origin you mean to trust (repeatable): learns the intended
                       allowlist and seeds the bypass mutations
  --expect-mtls        the endpoint must require a client certificate (report if not)
  --no-spoof           do not send identity-header spoofing probes
  -H 'Name: value'     extra request header (repeatable), e.g. a bearer token

Output:
  --format FORMAT      text, json or sarif (default text)
  -o FILE              write the report to FILE instead of standard output
  --fail-on SEVERITY   exit 1 when a finding is at or above it: info, low, medium, high,
                       critical, or none (default high)
  --show-secrets       print secrets and personal data found in responses unredacted
  --verbose            print full evidence in the text report
  --no-color           no colour, even on a terminal

Limits:
  --timeout DURATION   per request, connect to last byte (default 10s)
  --rate N             requests per second per host (default 20)
  --concurrency N      targets scanned at once (default 4)
  --max-body BYTES     bytes of each response body read (default 1048576)
  -i FILE              read target URLs from FILE, one per line (# comments), '-' for stdin

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above --fail-on,
2 usage or input error, 3 no target could be scanned.
`

type scanFlags struct {
	cert, key, certPass, cacert string
	insecure                    bool
	identities, headers         listFlag
	origins                     listFlag
	expectMTLS, noSpoof         bool
	format, out, failOn         string
	showSecrets, verbose        bool
	noColor                     bool
	timeout                     time.Duration
	rate                        float64
	concurrency                 int
	maxBody                     int64
	input                       string
}

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f scanFlags
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.cert, "cert", "", "")
	fs.StringVar(&f.key, "key", "", "")
	fs.StringVar(&f.certPass, "cert-pass", "", "")
	fs.StringVar(&f.cacert, "cacert", "", "")
	fs.BoolVar(&f.insecure, "insecure", false, "")
	fs.BoolVar(&f.insecure, "k", false, "")
	fs.Var(&f.identities, "identity", "")
	fs.Var(&f.headers, "H", "")
	fs.Var(&f.headers, "header", "")
	fs.Var(&f.origins, "origin", "")
	fs.BoolVar(&f.expectMTLS, "expect-mtls", false, "")
	fs.BoolVar(&f.noSpoof, "no-spoof", false, "")
	fs.StringVar(&f.format, "format", "text", "")
	fs.StringVar(&f.out, "o", "", "")
	fs.StringVar(&f.out, "output", "", "")
	fs.StringVar(&f.failOn, "fail-on", "high", "")
	fs.BoolVar(&f.showSecrets, "show-secrets", false, "")
	fs.BoolVar(&f.verbose, "verbose", false, "")
	fs.BoolVar(&f.verbose, "v", false, "")
	fs.BoolVar(&f.noColor, "no-color", false, "")
	fs.DurationVar(&f.timeout, "timeout", probe.DefaultTimeout, "")
	fs.Float64Var(&f.rate, "rate", probe.DefaultRate, "")
	fs.IntVar(&f.concurrency, "concurrency", scan.DefaultConcurrency, "")
	fs.Int64Var(&f.maxBody, "max-body", probe.DefaultMaxBody, "")
	fs.StringVar(&f.input, "i", "", "")
	fs.StringVar(&f.input, "input", "", "")
	urls, err := parseInterspersed(fs, args)
	if err != nil {
		if isHelp(err) {
			fmt.Fprint(stdout, scanHelp)
			return exitOK
		}
		return usageError(stderr, err.Error(), "run 'crossgate scan --help' for the flags")
	}
	cfg, code := buildScanConfig(&f, urls, stderr)
	if code != exitOK {
		return code
	}
	failOn, _ := parseFailOn(f.failOn)
	if f.insecure {
		fmt.Fprintln(stderr, "warning: --insecure: the server's certificate is not verified; your client certificate could be presented to an impostor")
	}
	rep, err := scan.Run(ctx, cfg)
	if err != nil {
		return inputFailure(stderr, err)
	}
	return emit(rep, f.format, f.out, failOn, report.TextOptions{Verbose: f.verbose}, f.noColor, stdout, stderr)
}

// buildScanConfig validates every flag and reads every file before any network I/O.
func buildScanConfig(f *scanFlags, urls []string, stderr io.Writer) (scan.Config, int) {
	var cfg scan.Config
	switch f.format {
	case "text", "json", "sarif":
	default:
		return cfg, usageError(stderr, fmt.Sprintf("unknown --format %q", f.format), "use text, json or sarif")
	}
	if _, err := parseFailOn(f.failOn); err != nil {
		return cfg, usageError(stderr, "--fail-on: "+err.Error(), "")
	}
	if f.timeout <= 0 {
		return cfg, usageError(stderr, "--timeout must be positive", "e.g. --timeout 10s")
	}
	if f.rate <= 0 {
		return cfg, usageError(stderr, "--rate must be positive", "requests per second per host, e.g. --rate 5")
	}
	if f.concurrency < 1 {
		return cfg, usageError(stderr, "--concurrency must be at least 1", "")
	}
	if f.maxBody < 1024 {
		return cfg, usageError(stderr, "--max-body must be at least 1024 bytes", "")
	}
	if f.key != "" && f.cert == "" {
		return cfg, usageError(stderr, "--key given without --cert", "pass the certificate with --cert FILE")
	}
	if f.input != "" {
		more, err := readTargets(f.input)
		if err != nil {
			return cfg, usageError(stderr, err.Error(), "-i takes a file of URLs, one per line")
		}
		urls = append(urls, more...)
	}
	if len(urls) == 0 {
		return cfg, usageError(stderr, "no target URL given", "crossgate scan https://api.example.com/path (or -i FILE); see 'crossgate scan --help'")
	}
	for _, u := range urls {
		if _, err := scan.ParseTarget(u); err != nil {
			return cfg, inputFailure(stderr, err)
		}
	}
	cfg.Targets = urls
	if f.cert != "" {
		id, err := scan.LoadIdentity("user", f.cert, f.key, f.certPass)
		if err != nil {
			return cfg, inputFailure(stderr, err)
		}
		cfg.User = id
	}
	for _, spec := range f.identities {
		id, err := parseIdentity(spec, f.certPass)
		if err != nil {
			return cfg, inputFailure(stderr, err)
		}
		cfg.Extra = append(cfg.Extra, id)
	}
	header := http.Header{}
	for _, h := range f.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t") {
			return cfg, usageError(stderr, fmt.Sprintf("bad header %q", h), "-H takes 'Name: value'")
		}
		header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	cfg.Probe = probe.Config{Timeout: f.timeout, Rate: f.rate, MaxBody: f.maxBody, Header: header, Insecure: f.insecure}
	if f.cacert != "" {
		pool, err := scan.LoadCAs(f.cacert)
		if err != nil {
			return cfg, inputFailure(stderr, err)
		}
		cfg.Probe.RootCAs = pool
	}
	cfg.Origins = f.origins
	cfg.Concurrency = f.concurrency
	cfg.Options = target.Options{ExpectMTLS: f.expectMTLS, NoSpoof: f.noSpoof, ShowSecrets: f.showSecrets}
	return cfg, exitOK
}

func parseIdentity(spec, pass string) (*probe.Identity, error) {
	name, files, ok := strings.Cut(spec, "=")
	if !ok || name == "" || files == "" {
		return nil, &scan.InputError{Msg: fmt.Sprintf("bad --identity %q", spec), Hint: "use --identity NAME=CERT[,KEY], e.g. --identity bob=bob.crt,bob.key"}
	}
	if name == "user" || name == "none" {
		return nil, &scan.InputError{Msg: fmt.Sprintf("--identity name %q is reserved", name), Hint: "pick another name; 'user' is --cert and 'none' is no certificate"}
	}
	cert, key, _ := strings.Cut(files, ",")
	return scan.LoadIdentity(name, cert, key, pass)
}

func readTargets(path string) ([]string, error) {
	var r io.Reader
	if path == "-" {
		r = os.Stdin
	} else {
		fh, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read target list %s: %v", path, errors.Unwrap(err))
		}
		defer fh.Close()
		r = fh
	}
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read target list %s: %v", path, err)
	}
	return out, nil
}

func inputFailure(stderr io.Writer, err error) int {
	var ie *scan.InputError
	if errors.As(err, &ie) {
		return usageError(stderr, ie.Msg, ie.Hint)
	}
	return usageError(stderr, err.Error(), "")
}

// emit renders the report and maps it to an exit code.
func emit(rep *report.Report, format, out string, failOn finding.Severity, topts report.TextOptions, noColor bool, stdout, stderr io.Writer) int {
	w := stdout
	var fh *os.File
	if out != "" {
		var err error
		if fh, err = os.Create(out); err != nil {
			return usageError(stderr, fmt.Sprintf("cannot write report: %v", err), "check the path given to -o")
		}
		w = fh
	} else {
		topts.Color = !noColor && isTerminal(stdout)
	}
	var err error
	switch format {
	case "json":
		err = report.WriteJSON(w, rep)
	case "sarif":
		err = report.WriteSARIF(w, rep)
	default:
		err = report.WriteText(w, rep, topts)
	}
	if fh != nil {
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: cannot write report: %v\n", err)
		return exitUsage
	}
	if out != "" {
		fmt.Fprintf(stderr, "crossgate: wrote %s report to %s (%d findings)\n", format, out, rep.Summary.Total)
	}
	for _, t := range rep.Targets {
		if t.Error == "" {
			continue
		}
		if name := t.URL + t.Path; !strings.HasPrefix(t.Error, name) {
			fmt.Fprintf(stderr, "error: %s: %s\n", name, t.Error)
		} else {
			fmt.Fprintf(stderr, "error: %s\n", t.Error)
		}
	}
	if rep.Summary.Scanned == 0 && len(rep.Targets) > 0 {
		return exitNoTarget
	}
	if m, ok := finding.Max(rep.Findings); ok && m >= failOn {
		return exitFindings
	}
	return exitOK
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}
