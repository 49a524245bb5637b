// Command crossgate finds the weaknesses at the border between mutual TLS and CORS, and the
// data they expose. This file only dispatches; the work is in the packages.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/crossgate/crossgate/scan"
)

// version is overridden at link time: -ldflags "-X main.version=v1.2.3".
var version = "0.1.0-dev"

const usage = `crossgate: find where mutual TLS and CORS undo each other, and what that exposes.

Usage:
  crossgate scan [flags] URL...    probe live APIs, presenting your client certificate
  crossgate audit [flags] PATH...  statically check Django projects and nginx configs
  crossgate diff OLD.json NEW.json compare two JSON reports: new, fixed, unchanged
  crossgate demo                   a self-contained tour on loopback (needs nothing else)
  crossgate guard [flags]          an mTLS proxy with exact identities and strict CORS
  crossgate version                print the version

Run 'crossgate COMMAND --help' for the flags of a command.

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above --fail-on;
2 usage or input error; 3 a target could not be scanned or was not tested; 130 interrupted.
`

const versionHelp = `Usage: crossgate version

Prints the version of this crossgate binary (set at build time). Reports carry it too.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it with buffers.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	scan.Version = version
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "scan":
		return runScan(ctx, args[1:], stdout, stderr)
	case "audit":
		return runAudit(ctx, args[1:], stdout, stderr)
	case "diff":
		return runDiff(ctx, args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "guard":
		return runGuard(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		if len(args) > 1 && (args[1] == "--help" || args[1] == "-h" || args[1] == "-help") {
			fmt.Fprint(stdout, versionHelp)
			return exitOK
		}
		fmt.Fprintf(stdout, "crossgate %s\n", version)
		return exitOK
	case "help", "--help", "-help", "-h":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "error: unknown command %q\nhint: the commands are scan, audit, diff, demo, guard and version; run 'crossgate help'\n", args[0])
	return exitUsage
}

const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
	exitNoTarget = 3
	// exitInterrupted follows the shell convention for a process stopped by SIGINT.
	exitInterrupted = 130
)
