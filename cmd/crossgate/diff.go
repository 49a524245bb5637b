package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/report"
)

const diffHelp = `Usage: crossgate diff [flags] OLD.json NEW.json

Compares two JSON reports of crossgate scan (or two of crossgate audit) by the findings'
fingerprints and prints what is new, what was fixed and what is unchanged. A fingerprint
stays the same when only the port, the order of findings or the masked values change.

An old finding counts as fixed only when the newer run covered its place: a host it
scanned without error, or an audit in which every target was audited; otherwise it is
listed as not rechecked.

Flags:
  --format FORMAT      text or json (default text)
  -o, --output FILE    write to FILE instead of standard output
  --fail-on SEVERITY   exit 1 when a new finding is at or above it: info, low, medium, high,
                       critical or none (default high)

Example:
  crossgate scan -i targets.txt --format json -o today.json
  crossgate diff yesterday.json today.json

Exit codes:
  0  no new finding at or above --fail-on
  1  new findings at or above --fail-on
  2  usage or input error (a file that is not a crossgate JSON report, a scan report
     compared with an audit report)
`

func runDiff(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "text", "")
	var out string
	fs.StringVar(&out, "o", "", "")
	fs.StringVar(&out, "output", "", "")
	failOnFlag := fs.String("fail-on", "high", "")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if isHelp(err) {
			fmt.Fprint(stdout, diffHelp)
			return exitOK
		}
		return usageError(stderr, err.Error(), "run 'crossgate diff --help' for the flags")
	}
	if *format != "text" && *format != "json" {
		return usageError(stderr, fmt.Sprintf("unknown --format %q", *format), "use text or json")
	}
	failOn, err := parseFailOn(*failOnFlag)
	if err != nil {
		return usageError(stderr, "--fail-on: "+err.Error(), "for example --fail-on medium")
	}
	if len(files) != 2 {
		return usageError(stderr, fmt.Sprintf("crossgate diff takes two reports, got %d", len(files)), "crossgate diff OLD.json NEW.json")
	}
	old, code := loadReport(files[0], stderr)
	if code != exitOK {
		return code
	}
	cur, code := loadReport(files[1], stderr)
	if code != exitOK {
		return code
	}
	if err := report.SameKind(old, cur); err != nil {
		return usageError(stderr, err.Error(), "compare two scan reports or two audit reports")
	}
	if out != "" {
		if err := checkWritable(out); err != nil {
			return usageError(stderr, "cannot write to "+out+": "+err.Error(), "check the path given to -o")
		}
	}
	d := report.Compare(old, cur)
	w := stdout
	var fh *os.File
	if out != "" {
		if fh, err = os.Create(out); err != nil {
			return usageError(stderr, fmt.Sprintf("cannot write: %v", err), "check the path given to -o")
		}
		w = fh
	}
	if *format == "json" {
		err = report.WriteDiffJSON(w, d, files[0], files[1])
	} else {
		err = report.WriteDiffText(w, d, files[0], files[1])
	}
	if fh != nil {
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: cannot write the comparison: %v\n", err)
		return exitUsage
	}
	if m, ok := finding.Max(d.New); ok && m >= failOn {
		return exitFindings
	}
	return exitOK
}

// loadReport reads a JSON report given on the command line (diff, --baseline).
func loadReport(path string, stderr io.Writer) (*report.Report, int) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, usageError(stderr, fmt.Sprintf("cannot read report %s: %v", path, unwrapPath(err)), "give a file written by --format json")
	}
	defer fh.Close()
	r, err := report.ReadJSON(fh)
	if err != nil {
		return nil, usageError(stderr, fmt.Sprintf("%s: %v", path, err), "baselines and diff read the JSON report: run crossgate with --format json -o FILE")
	}
	return r, exitOK
}

// unwrapPath drops the path an *os.PathError repeats.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// applyBaseline compares a finished report with the earlier one given to --baseline.
func applyBaseline(rep *report.Report, old *report.Report, file string, stderr io.Writer) int {
	if err := report.SameKind(old, rep); err != nil {
		return usageError(stderr, "--baseline "+file+": "+err.Error(), "give a report of the same command")
	}
	report.ApplyBaseline(rep, old, file)
	return exitOK
}
