package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/crossgate/crossgate/demo"
	"github.com/crossgate/crossgate/report"
)

const demoHelp = `Usage: crossgate demo [--no-color]

A self-contained tour, on loopback only: starts an HTTPS API that requires a client
certificate but sends Access-Control-Allow-Origin: * and returns a profile with personal
data, scans it with a client certificate minted in memory, then applies the fix and scans
again. Nothing is written to disk and nothing else is needed.

Exit codes: 0 the tour ran as designed; 3 it could not (the error says why).
`

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	noColor := fs.Bool("no-color", false, "")
	if err := fs.Parse(args); err != nil {
		if isHelp(err) {
			fmt.Fprint(stdout, demoHelp)
			return exitOK
		}
		return usageError(stderr, err.Error(), "run 'crossgate demo --help'")
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "demo takes no arguments", "run 'crossgate demo'")
	}
	if _, err := demo.Run(ctx, stdout, report.TextOptions{Color: !*noColor && isTerminal(stdout)}); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitNoTarget
	}
	return exitOK
}
