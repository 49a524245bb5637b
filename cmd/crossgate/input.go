package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan"
)

// The scan's input from the command line and the files it names: -H values, --identity
// specs and the target list of -i. Each parser is a pure function of its text, fuzzed
// (input_fuzz_test.go): whatever the user types gives a value or a message, never a panic.

// parseHeaders turns the -H values into headers, or returns a message saying which one is
// bad. A header given with -H is usually a credential: a message names the flag's position
// and, when there is one, the header name, never the value.
func parseHeaders(values []string) (http.Header, string) {
	header := http.Header{}
	for i, h := range values {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			return nil, fmt.Sprintf("bad -H value (number %d of %d): no colon, so no header name (the value is not shown: it may be a credential)", i+1, len(values))
		}
		if !validHeaderName(name) {
			return nil, fmt.Sprintf("bad -H value (number %d of %d): the part before the colon is not a header name", i+1, len(values))
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			return nil, fmt.Sprintf("bad -H %s: its value holds a line break or NUL", name)
		}
		header.Add(name, strings.TrimSpace(value))
	}
	return header, ""
}

// validHeaderName: an RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~).
func validHeaderName(name string) bool {
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return name != ""
}

// splitIdentity reads an --identity NAME=CERT[,KEY] spec.
func splitIdentity(spec string) (name, cert, key string, err error) {
	name, files, ok := strings.Cut(spec, "=")
	if !ok || name == "" || files == "" {
		return "", "", "", &scan.InputError{Msg: fmt.Sprintf("bad --identity %q", spec), Hint: "use --identity NAME=CERT[,KEY], e.g. --identity bob=bob.crt,bob.key"}
	}
	if name == "user" || name == "none" {
		return "", "", "", &scan.InputError{Msg: fmt.Sprintf("--identity name %q is reserved", name), Hint: "pick another name; 'user' is --cert and 'none' is no certificate"}
	}
	cert, key, _ = strings.Cut(files, ",")
	if cert == "" {
		return "", "", "", &scan.InputError{Msg: fmt.Sprintf("bad --identity %q: no certificate file", spec), Hint: "use --identity NAME=CERT[,KEY], e.g. --identity bob=bob.crt,bob.key"}
	}
	return name, cert, key, nil
}

func parseIdentity(spec, pass string) (*probe.Identity, error) {
	name, cert, key, err := splitIdentity(spec)
	if err != nil {
		return nil, err
	}
	id, err := scan.LoadIdentity(name, cert, key, pass)
	var ie *scan.InputError
	if errors.As(err, &ie) && (strings.Contains(ie.Hint, "--key") || strings.Contains(ie.Hint, "--cert ")) {
		ie.Msg = "--identity " + name + ": " + ie.Msg
		ie.Hint = "use --identity NAME=CERT,KEY, or a PEM file holding both"
	}
	return id, err
}

// maxBadLines bounds how many bad lines of a target list are reported at once.
const maxBadLines = 20

// maxTargetList bounds the target list read with -i: a list of URLs is kilobytes, and -i
// can be pointed at anything (a log, a device).
const maxTargetList = 16 << 20

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
	return parseTargetList(path, r)
}

// parseTargetList reads a list of target URLs, one per line, "#" comments allowed.
func parseTargetList(name string, r io.Reader) ([]string, error) {
	var out, bad []string
	lr := &io.LimitedReader{R: r, N: maxTargetList + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.ContainsRune(line, 0) || !utf8.ValidString(line) {
			return nil, fmt.Errorf("%s:%d: not a text line (is this a list of URLs?)", name, n)
		}
		if len(bad) >= maxBadLines {
			continue
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i] // an inline comment
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, err := scan.ParseTarget(line); err != nil {
			msg := err.Error()
			var ie *scan.InputError
			if errors.As(err, &ie) {
				msg = ie.Msg
			}
			bad = append(bad, fmt.Sprintf("%s:%d: %s", name, n, msg))
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read target list %s: %v", name, err)
	}
	if lr.N <= 0 {
		return nil, fmt.Errorf("target list %s is larger than %d MiB (is this a list of URLs?)", name, maxTargetList>>20)
	}
	switch len(bad) {
	case 0:
		return out, nil
	case 1:
		return nil, errors.New(bad[0])
	}
	more := ""
	if len(bad) == maxBadLines {
		more = " (stopped counting there)"
	}
	return nil, fmt.Errorf("%d bad lines in %s%s:\n  %s", len(bad), name, more, strings.Join(bad, "\n  "))
}
