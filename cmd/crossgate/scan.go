package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/progress"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan"
	"github.com/crossgate/crossgate/scan/openapi"
	"github.com/crossgate/crossgate/scan/prove"
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
                       an extra identity (repeatable), e.g. --identity bob=bob.crt,bob.key
                       (a .p12 bundle takes the same --cert-pass);
                       two or more identities enable the identity-confusion check;
                       the name "expired" marks an expired certificate from your CA,
                       which tests whether expired certificates are accepted
  --cacert FILE        CA certificate(s) that sign the server's certificate (PEM)
  -k, --insecure       do not verify the server's certificate (your client certificate
                       may then be presented to an impostor: use only on a lab network)

Intent:
  --origin URL         an origin you mean to trust (repeatable): learns the intended
                       allowlist and seeds the bypass mutations
  --expect-mtls        the endpoint must require a client certificate (report if not)
  --no-spoof           do not send identity-header spoofing probes
  -H, --header 'Name: value'
                       extra request header (repeatable), e.g. a bearer token;
                       its value is masked in every report

Proof:
  --prove              show each cross-origin read happen in headless Chromium (the installed
                       chromium; never downloaded): a page on a loopback attacker origin
                       fetch()es the target holding your client certificate, in credentials
                       modes omit, same-origin and include, with and without a preflight;
                       a finding the browser does not read is lowered. Needs chromium and
                       libnss3-tools. As root, a temporary Chromium policy auto-selects the
                       certificate; otherwise a loopback proxy presents it (labelled "proxy")

Output:
  --format FORMAT      text, json, sarif or html (default text); html is one
                       self-contained page with a grade per target and filters
  -o, --output FILE    write the report to FILE instead of standard output
  --fail-on SEVERITY   exit 1 when a finding is at or above it: info, low, medium, high,
                       critical, or none (default high)
  --baseline FILE      an earlier JSON report: report only findings it lacks (and list
                       those fixed since); the exit code then follows new findings only
  --sarif-location FILE
                       the repository file SARIF results point at, for GitHub code
                       scanning: the OpenAPI document or config that declares the
                       endpoints (each result at the line of its path), or a list of
                       target URLs such as crossgate-targets.txt (at the URL's line);
                       defaults to the --openapi FILE when one is given
  --show-secrets       print secrets and personal data found in responses unredacted
  -v, --verbose        print full evidence in the text report
  --no-color           no colour, even on a terminal

What to scan:
  --openapi FILE|URL   scan the GET operations of an OpenAPI 3.0/3.1 or Swagger 2.0
                       description (JSON or YAML); other methods are listed, not sent;
                       operations whose security is OpenAPI 3.1 mutualTLS must refuse a
                       client without a certificate. A relative server is resolved against
                       the first URL given
  --discover           also look for the API's own description at each origin's
                       /openapi.json, /openapi.yaml, /swagger.json, /api/schema/, /schema/
  --checks LIST        families to run, comma-separated: cors, mtls, exposure (default all);
                       the report names the ones left out
  --skip RULE,...      rules to leave out of the report (IDs as in docs/rules.md)
  --progress           draw the progress line on stderr even when it is not a terminal
                       (on a terminal it is always drawn)

Limits:
  --timeout SECONDS    per request, connect to last byte: 5 or 0.5 (seconds), or 1500ms, 2m (default 10s)
  --rate N             requests per second per origin (scheme, host, port) (default 20)
  --concurrency N      origins scanned at once (default 16); the endpoints of one origin
                       share its rate
  --connections N      connections open to one origin at once (default 6)
  --max-body BYTES     bytes of each response body read (default 1048576)
  -i, --input FILE     read target URLs from FILE, one per line (# comments), '-' for stdin

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above --fail-on,
2 usage or input error, 3 a target could not be scanned or was not tested (no answer, or
nothing protected reached: every answer a 404, plain http:// to an HTTPS port, your
certificate refused) and no finding reached --fail-on, 130 interrupted (the report
printed covers what was probed before).
`

type scanFlags struct {
	cert, key, certPass, cacert string
	insecure                    bool
	identities, headers         listFlag
	origins                     listFlag
	expectMTLS, noSpoof         bool
	format, out, failOn         string
	baseline, sarifLocation     string
	showSecrets, verbose        bool
	noColor                     bool
	timeout                     secondsOrDuration
	rate                        float64
	concurrency, connections    int
	openAPI, checks, skip       string
	discover, progress          bool
	maxBody                     int64
	input                       string
	prove                       bool
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
	fs.StringVar(&f.baseline, "baseline", "", "")
	fs.StringVar(&f.sarifLocation, "sarif-location", "", "")
	fs.BoolVar(&f.showSecrets, "show-secrets", false, "")
	fs.BoolVar(&f.verbose, "verbose", false, "")
	fs.BoolVar(&f.verbose, "v", false, "")
	fs.BoolVar(&f.noColor, "no-color", false, "")
	f.timeout = secondsOrDuration(probe.DefaultTimeout)
	fs.Var(&f.timeout, "timeout", "")
	fs.Float64Var(&f.rate, "rate", probe.DefaultRate, "")
	fs.IntVar(&f.concurrency, "concurrency", scan.DefaultConcurrency, "")
	fs.IntVar(&f.connections, "connections", probe.DefaultMaxConns, "")
	fs.StringVar(&f.openAPI, "openapi", "", "")
	fs.BoolVar(&f.discover, "discover", false, "")
	fs.StringVar(&f.checks, "checks", "", "")
	fs.StringVar(&f.skip, "skip", "", "")
	fs.BoolVar(&f.progress, "progress", false, "")
	fs.Int64Var(&f.maxBody, "max-body", probe.DefaultMaxBody, "")
	fs.StringVar(&f.input, "i", "", "")
	fs.StringVar(&f.input, "input", "", "")
	fs.BoolVar(&f.prove, "prove", false, "")
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
	var old *report.Report
	if f.baseline != "" {
		if old, code = loadReport(f.baseline, stderr); code != exitOK {
			return code
		}
	}
	if f.sarifLocation == "" && f.format == "sarif" && f.openAPI != "" && !openapi.IsURL(f.openAPI) {
		// The description the user gave declares the endpoints: results point at it.
		f.sarifLocation = f.openAPI
	}
	sarifOpts, code := sarifOptions(f.format, f.sarifLocation, stderr)
	if code != exitOK {
		return code
	}
	if f.insecure {
		fmt.Fprintln(stderr, "warning: --insecure: the server's certificate is not verified; your client certificate could be presented to an impostor")
	}
	// The status line goes to stderr only, drawn in place on a terminal; a log gets it
	// only when asked for, as plain lines.
	var sent atomic.Int64
	if tty := isTerminal(stderr); tty || f.progress {
		cfg.Progress = progress.New(stderr, tty, sent.Load, nil)
		cfg.Progress.Start(progressEvery(tty))
		ctx = probe.WithCounter(ctx, &sent)
	}
	rep, err := scan.Run(ctx, cfg)
	cfg.Progress.Stop()
	if err != nil {
		return inputFailure(stderr, err)
	}
	if old != nil {
		if code := applyBaseline(rep, old, f.baseline, stderr); code != exitOK {
			return code
		}
	}
	exit := emit(rep, f.format, f.out, failOn, report.TextOptions{Verbose: f.verbose}, sarifOpts, f.noColor, stdout, stderr)
	if rep.Summary.Interrupted {
		fmt.Fprintf(stderr, "crossgate: interrupted after %d requests: the report covers only what was probed before\n", rep.Summary.Requests)
		return exitInterrupted
	}
	return exit
}

// buildScanConfig validates every flag and reads every file before any network I/O.
func buildScanConfig(f *scanFlags, urls []string, stderr io.Writer) (scan.Config, int) {
	var cfg scan.Config
	switch f.format {
	case "text", "json", "sarif", "html":
	default:
		return cfg, usageError(stderr, fmt.Sprintf("unknown --format %q", f.format), "use text, json, sarif or html")
	}
	if _, err := parseFailOn(f.failOn); err != nil {
		return cfg, usageError(stderr, "--fail-on: "+err.Error(), "")
	}
	if !(f.rate >= 0.01) || math.IsInf(f.rate, 0) || f.rate > 10000 {
		return cfg, usageError(stderr, "--rate must be a number of requests per second from 0.01 to 10000", "e.g. --rate 5, or --rate 0.5 for one request every two seconds")
	}
	if f.concurrency < 1 {
		return cfg, usageError(stderr, "--concurrency must be at least 1", "")
	}
	if f.connections < 1 || f.connections > 256 {
		return cfg, usageError(stderr, "--connections must be from 1 to 256", "e.g. --connections 6 (what a browser opens per host)")
	}
	if f.out != "" {
		if err := checkWritable(f.out); err != nil {
			return cfg, usageError(stderr, "cannot write the report to "+f.out+": "+err.Error(), "check the path given to -o")
		}
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
	if len(urls) == 0 && f.openAPI == "" {
		return cfg, usageError(stderr, "no target URL given", "crossgate scan https://api.example.com/path (or -i FILE, or --openapi FILE); see 'crossgate scan --help'")
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
	header, msg := parseHeaders(f.headers)
	if msg != "" {
		return cfg, usageError(stderr, msg, "-H takes 'Name: value', one per flag, e.g. -H 'Authorization: Bearer TOKEN'")
	}
	cfg.Probe = probe.Config{Timeout: time.Duration(f.timeout), Rate: f.rate, MaxBody: f.maxBody, Header: header, Insecure: f.insecure, MaxConns: f.connections}
	if code := scanChoices(f, urls, &cfg, stderr); code != exitOK {
		return cfg, code
	}
	if f.cacert != "" {
		pool, err := scan.LoadCAs(f.cacert)
		if err != nil {
			return cfg, inputFailure(stderr, err)
		}
		cfg.Probe.RootCAs = pool
	}
	if f.prove {
		if _, err := prove.FindBrowser(""); err != nil {
			return cfg, proveFailure(stderr, err)
		}
		if err := prove.FindTools(); err != nil {
			return cfg, proveFailure(stderr, err)
		}
		cfg.Prove = &prove.Options{}
		if f.cacert != "" {
			cas, err := scan.LoadCACerts(f.cacert)
			if err != nil {
				return cfg, inputFailure(stderr, err)
			}
			cfg.Prove.CACerts = cas
		}
	}
	cfg.Origins = f.origins
	cfg.Concurrency = f.concurrency
	cfg.Options = scan.Options{ExpectMTLS: f.expectMTLS, NoSpoof: f.noSpoof, ShowSecrets: f.showSecrets}
	return cfg, exitOK
}

// checkWritable fails early (before any probe) when -o cannot be created, so a long scan is
// not lost at the end. It does not create the file.
func checkWritable(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return errors.New("it is a directory")
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("no directory %s", dir)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

func inputFailure(stderr io.Writer, err error) int {
	var ie *scan.InputError
	if errors.As(err, &ie) {
		return usageError(stderr, ie.Msg, ie.Hint)
	}
	return usageError(stderr, err.Error(), "")
}

func proveFailure(stderr io.Writer, err error) int {
	var pe *prove.Error
	if errors.As(err, &pe) {
		return usageError(stderr, "--prove: "+pe.Msg, pe.Hint)
	}
	return usageError(stderr, "--prove: "+err.Error(), "")
}

// emit renders the report and maps it to an exit code.
func emit(rep *report.Report, format, out string, failOn finding.Severity, topts report.TextOptions, sopts report.SARIFOptions, noColor bool, stdout, stderr io.Writer) int {
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
		err = report.WriteSARIFWith(w, rep, sopts)
	case "html":
		err = report.WriteHTML(w, rep)
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
	// Target names, warnings and errors carry what servers and files said: escaped for the
	// terminal, as in the text report.
	for _, t := range rep.Targets {
		name := report.EscapeLine(t.URL + t.Path)
		for _, w := range t.Warnings {
			fmt.Fprintf(stderr, "warning: %s: %s\n", name, report.EscapeLine(w))
		}
		if t.NotTested != "" {
			fmt.Fprintf(stderr, "error: %s: not tested: %s\n", t.URL+t.Path, t.NotTested)
		}
		if t.Error == "" {
			continue
		}
		if !strings.HasPrefix(t.Error, t.URL+t.Path) {
			fmt.Fprintf(stderr, "error: %s: %s\n", name, report.EscapeLine(t.Error))
		} else {
			fmt.Fprintf(stderr, "error: %s\n", report.EscapeLine(t.Error))
		}
	}
	if m, ok := finding.Max(rep.Findings); ok && m >= failOn {
		return exitFindings
	}
	// What could not be tested never passes a CI gate: a target that failed or answered
	// without reaching anything protected makes the run exit 3.
	if rep.Summary.Failed+rep.Summary.NotTested > 0 {
		return exitNoTarget
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
