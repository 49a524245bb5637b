package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// parseInterspersed parses flags that may come before, between or after positional
// arguments (crossgate scan URL --cert a.pem), as users of curl expect.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
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
func usageError(w io.Writer, msg, hint string) int {
	fmt.Fprintf(w, "error: %s\n", msg)
	if hint != "" {
		fmt.Fprintf(w, "hint: %s\n", hint)
	}
	return exitUsage
}

func parseFailOn(s string) (finding.Severity, error) {
	return finding.ParseSeverity(s)
}

var errHelp = flag.ErrHelp

func isHelp(err error) bool { return errors.Is(err, errHelp) }
