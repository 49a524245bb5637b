package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/crossgate/crossgate/audit"
	"github.com/crossgate/crossgate/report"
)

const auditHelp = `Usage: crossgate audit [flags] PATH...

Statically checks source trees and config files, without running anything:

  nginx configs   nginx.conf, *.conf in nginx-ish folders, sites-available/enabled, any
                  *.conf with a server or http block; includes are followed. Checks
                  ssl_verify_client optional / optional_no_ca, identity headers
                  (X-SSL-Client-*, X-Client-Cert, XFCC...) not overwritten in every
                  proxying location, Access-Control-Allow-Origin * or $http_origin,
                  dotfiles served from a root, TLS 1.0/1.1.
  Django projects manage.py, wsgi/asgi, DJANGO_SETTINGS_MODULE and split settings:
                  CORS settings, DEBUG, SECRET_KEY, cookies, SSL redirect, subject-DN
                  substring matches and unverified identity headers in code. Every
                  settings module is audited (the ones manage.py, wsgi.py, asgi.py, .env
                  or the DJANGO_SETTINGS_MODULE environment variable name, and every
                  settings module no other imports); each finding names its module, and
                  the report lists the modules not audited on their own, with why.
  secrets         API keys, private keys, tokens and passwords committed in any text file
                  (secret-in-source). Still reported, but at lower severity: low in
                  test code and its data (tests/, test/, testdata/, spec/, __tests__/,
                  *_test.go, test_*.py, tests.py, conftest.py, *.test.js, *.spec.ts),
                  medium in documentation (*.md, *.rst, PKG-INFO, Python docstrings);
                  each such finding says why in its notes. A Django app's fixtures/
                  is not test data (loaddata files reach production): full severity.

An include of a file that is not there (mime.types, proxy_params, certbot's options file
on a machine without them) is noted on the target and the rest of the config audited.

Skipped: .git, vendor, _vendor, node_modules, __pycache__, virtualenvs, binary files,
files over 5 MiB, and whatever .crossgateignore (gitignore-style, at each PATH) lists. A
comment "# crossgate:ignore RULE" (or // ...) on a finding's line or the line above
silences it.

Flags:
  --format FORMAT      text, json, sarif or html (default text)
  -o, --output FILE    write the report to FILE instead of standard output
  --fail-on SEVERITY   exit 1 when a finding is at or above it: info, low, medium, high,
                       critical or none (default high)
  --baseline FILE      an earlier JSON report: report only findings it lacks (and list
                       those fixed since); the exit code then follows new findings only
  --show-secrets       print secret values in evidence instead of masking them
  --ignore PATTERN     also skip paths matching PATTERN (.crossgateignore syntax; repeatable)
  --settings MODULE    audit only these Django settings modules (dotted, e.g.
                       mysite.settings.production; repeatable or comma-separated)
  -v, --verbose        print full evidence in the text report
  --no-color           no ANSI colour in the text report

Examples:
  crossgate audit .
  crossgate audit --format sarif -o crossgate.sarif src/ deploy/nginx/
  crossgate audit --fail-on medium --ignore 'tests/**' .

Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on
  2  usage or input error (unknown flag, a PATH that does not exist)
  3  a PATH or a config file in it could not be audited (a broken nginx.conf, a Django
     settings module that is not valid Python, a PATH with no text file to read), and
     nothing at or above --fail-on was found
`

type auditFlags struct {
	format, out, failOn string
	baseline            string
	showSecrets         bool
	verbose, noColor    bool
	ignore              listFlag
	settings            listFlag
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f auditFlags
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.StringVar(&f.format, "format", "text", "")
	fs.StringVar(&f.out, "o", "", "")
	fs.StringVar(&f.out, "output", "", "")
	fs.StringVar(&f.failOn, "fail-on", "high", "")
	fs.StringVar(&f.baseline, "baseline", "", "")
	fs.BoolVar(&f.showSecrets, "show-secrets", false, "")
	fs.Var(&f.ignore, "ignore", "")
	fs.Var(&f.settings, "settings", "")
	fs.BoolVar(&f.verbose, "verbose", false, "")
	fs.BoolVar(&f.verbose, "v", false, "")
	fs.BoolVar(&f.noColor, "no-color", false, "")
	// The flag package would print its own complaint; ours is the error/hint pair.
	fs.SetOutput(io.Discard)
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		if isHelp(err) {
			fmt.Fprint(stdout, auditHelp)
			return exitOK
		}
		return usageError(stderr, err.Error(), "run 'crossgate audit --help' for the flags")
	}
	switch f.format {
	case "text", "json", "sarif", "html":
	default:
		return usageError(stderr, fmt.Sprintf("unknown --format %q", f.format), "use text, json, sarif or html")
	}
	failOn, err := parseFailOn(f.failOn)
	if err != nil {
		return usageError(stderr, "--fail-on: "+err.Error(), "for example --fail-on medium")
	}
	if len(paths) == 0 {
		return usageError(stderr, "no PATH to audit", "give a directory or file, e.g. 'crossgate audit .'")
	}
	var old *report.Report
	if f.baseline != "" {
		var code int
		if old, code = loadReport(f.baseline, stderr); code != exitOK {
			return code
		}
	}
	var settings []string
	for _, s := range f.settings {
		for _, m := range strings.Split(s, ",") {
			if m = strings.TrimSpace(m); m != "" {
				settings = append(settings, m)
			}
		}
	}
	rep, err := audit.Run(ctx, paths, audit.Options{ShowSecrets: f.showSecrets, Ignore: f.ignore,
		Settings: settings, EnvSettings: os.Getenv("DJANGO_SETTINGS_MODULE")})
	if err != nil {
		var nf *audit.NotFoundError
		if errors.As(err, &nf) {
			return usageError(stderr, nf.Error(), "check the path; crossgate audit takes directories or files")
		}
		fmt.Fprintf(stderr, "error: %s\n", report.EscapeLine(err.Error()))
		return exitUsage
	}
	rep.Version = version
	if old != nil {
		if code := applyBaseline(rep, old, f.baseline, stderr); code != exitOK {
			return code
		}
	}
	code := emit(rep, f.format, f.out, failOn, report.TextOptions{Verbose: f.verbose}, report.SARIFOptions{}, f.noColor, stdout, stderr)
	if (code == exitOK || code == exitNoTarget) && rep.Summary.Failed > 0 {
		// A config that could not be parsed is unaudited: a CI gate must not pass on it.
		fmt.Fprintf(stderr, "crossgate: %d of %d targets could not be audited (see the errors above)\n", rep.Summary.Failed, len(rep.Targets))
		return exitNoTarget
	}
	return code
}
