package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/report"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// secondsOrDuration is --timeout: a bare number is seconds, as in curl (--timeout 5), and a Go
// duration (1500ms, 2m) works too.
type secondsOrDuration time.Duration

func (d *secondsOrDuration) String() string { return time.Duration(*d).String() }

func (d *secondsOrDuration) Set(v string) error {
	v = strings.TrimSpace(v)
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if !(secs > 0) || secs > 24*3600 {
			return errors.New("must be a positive number of seconds, at most a day")
		}
		*d = secondsOrDuration(time.Duration(secs * float64(time.Second)))
		return nil
	}
	dur, err := time.ParseDuration(v)
	if err != nil || dur <= 0 {
		return errors.New("must be seconds (5, 0.5) or a duration (1500ms, 2m)")
	}
	*d = secondsOrDuration(dur)
	return nil
}

// parseInterspersed parses flags that may come before, between or after positional
// arguments (crossgate scan URL --cert a.pem), as users of curl expect.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if isHelp(err) {
				return nil, err
			}
			// The flag package names flags with one dash; the help and users write two.
			return nil, errors.New(strings.Replace(err.Error(), "flag -", "flag --", 1))
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// usageError prints the error/hint pair every crossgate usage problem uses.
// usageError prints msg and hint escaped for the terminal: a message can quote a line of a
// target list or a name read from a certificate file.
func usageError(w io.Writer, msg, hint string) int {
	fmt.Fprintf(w, "error: %s\n", report.EscapeText(msg))
	if hint != "" {
		fmt.Fprintf(w, "hint: %s\n", report.EscapeText(hint))
	}
	return exitUsage
}

func parseFailOn(s string) (finding.Severity, error) {
	return finding.ParseSeverity(s)
}

var errHelp = flag.ErrHelp

func isHelp(err error) bool { return errors.Is(err, errHelp) }
