package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/crossgate/crossgate/report"
)

// maxLocationFile bounds the file read for --sarif-location (an OpenAPI document is rarely
// more than a few MiB).
const maxLocationFile = 32 << 20

// sarifOptions reads the file given to --sarif-location before any probe. Scan results in
// SARIF without it carry only their URL, which code scanning, being about files, drops.
func sarifOptions(format, path string, stderr io.Writer) (report.SARIFOptions, int) {
	if path == "" {
		if format == "sarif" {
			fmt.Fprintln(stderr, "warning: without --sarif-location, SARIF scan results name only their URL, which GitHub code scanning cannot place; pass --sarif-location FILE (your OpenAPI document, or a crossgate-targets.txt listing the URLs)")
		}
		return report.SARIFOptions{}, exitOK
	}
	if format != "sarif" {
		return report.SARIFOptions{}, usageError(stderr, "--sarif-location applies to --format sarif", "add --format sarif, or drop --sarif-location")
	}
	fh, err := os.Open(path)
	if err != nil {
		return report.SARIFOptions{}, usageError(stderr, fmt.Sprintf("cannot read --sarif-location %s: %v", path, unwrapPath(err)), "name a file in your repository: the OpenAPI document or config that declares the endpoints, or a crossgate-targets.txt")
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		return report.SARIFOptions{}, usageError(stderr, "--sarif-location "+path+" is a directory", "name a file, e.g. openapi.yaml or crossgate-targets.txt")
	}
	data, err := io.ReadAll(io.LimitReader(fh, maxLocationFile))
	if err != nil {
		return report.SARIFOptions{}, usageError(stderr, fmt.Sprintf("cannot read --sarif-location %s: %v", path, err), "")
	}
	return report.SARIFOptions{Location: &report.SourceFile{Path: repoPath(path), Content: data}}, exitOK
}

// repoPath turns the path the user typed into the slash-separated path code scanning
// resolves against the checkout: relative to the working directory, which in a workflow is
// the repository root.
func repoPath(p string) string {
	if filepath.IsAbs(p) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
				p = rel
			}
		}
	}
	return filepath.ToSlash(filepath.Clean(p))
}
