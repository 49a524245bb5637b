package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/crossgate/crossgate/scan"
	"github.com/crossgate/crossgate/scan/openapi"
)

// scanChoices validates --openapi, --discover, --checks and --skip, and reads an --openapi
// file, before any request.
func scanChoices(f *scanFlags, urls []string, cfg *scan.Config, stderr io.Writer) int {
	cfg.Discover = f.discover
	if f.checks != "" {
		cfg.Checks = map[string]bool{}
		for _, c := range strings.Split(f.checks, ",") {
			if c = strings.TrimSpace(strings.ToLower(c)); c != "" {
				cfg.Checks[c] = true
			}
		}
	}
	for _, r := range strings.Split(f.skip, ",") {
		if r = strings.TrimSpace(r); r != "" {
			cfg.Skip = append(cfg.Skip, r)
		}
	}
	switch {
	case f.openAPI == "":
	case openapi.IsURL(f.openAPI):
		if _, err := url.Parse(f.openAPI); err != nil {
			return usageError(stderr, fmt.Sprintf("bad --openapi URL %q", f.openAPI), "--openapi takes a file or an http(s) URL")
		}
		cfg.OpenAPI = f.openAPI
	default:
		var base *url.URL
		if len(urls) > 0 {
			base, _ = scan.ParseTarget(urls[0])
		}
		spec, err := openapi.ReadFile(f.openAPI, base)
		if err != nil {
			hint := "--openapi takes an OpenAPI 3.0/3.1 or Swagger 2.0 document, JSON or YAML"
			var pe *openapi.ParseError
			if errors.As(err, &pe) && strings.Contains(pe.Msg, "relative") {
				hint = "give the API's base URL too, e.g. crossgate scan --openapi " + f.openAPI + " https://api.example.com/"
			}
			return usageError(stderr, "--openapi "+f.openAPI+": "+err.Error(), hint)
		}
		cfg.Spec = spec
	}
	return exitOK
}

// progressEvery is how often the status line is redrawn: often on a terminal, rarely in a
// log, where every redraw is a line.
func progressEvery(tty bool) time.Duration {
	if tty {
		return 250 * time.Millisecond
	}
	return 5 * time.Second
}
