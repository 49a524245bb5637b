package report

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// Code scanning shows an alert at a file and line; a scan finding is at a URL. SourceFile is
// the file the user names (--sarif-location) to stand for the scanned endpoints in SARIF: the
// OpenAPI document or config that declares them, or a list of target URLs.
type SourceFile struct {
	// Path is relative to the repository root, slash-separated.
	Path    string
	Content []byte
}

// SARIFOptions tune WriteSARIFWith.
type SARIFOptions struct {
	// Location, when set, gives every result without a file of its own a location in this
	// file, at the line that declares its endpoint.
	Location *SourceFile
}

// LineOf returns the line of s that declares rawURL, 1 when no line does (the file as a
// whole). Tried in order: the URL itself (a list of targets; without query, then with any
// port, since fingerprints let the port change); then the path as an OpenAPI paths key
// ("/v1/profile:" in YAML, "\"/v1/profile\":" in JSON), dropping leading segments one by one
// because an OpenAPI path is relative to its server URL, which may carry a base path; then
// the first URL on the same host.
func (s *SourceFile) LineOf(rawURL string) int {
	if s == nil || rawURL == "" {
		return 1
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return 1
	}
	lines := bytes.Split(s.Content, []byte("\n"))
	find := func(match func(line string) bool) int {
		for i, l := range lines {
			if match(strings.TrimSpace(string(l))) {
				return i + 1
			}
		}
		return 0
	}
	// A list of targets names the URL itself: match it without query (masked values), and
	// then without port.
	canon := func(raw string, port, path bool) string {
		v, err := url.Parse(raw)
		if err != nil || v.Host == "" {
			return ""
		}
		v.RawQuery, v.Fragment, v.User = "", "", nil
		if !port {
			v.Host = v.Hostname()
		}
		if !path {
			v.Path, v.RawPath = "", ""
		}
		return v.String()
	}
	byURL := func(port, path bool) int {
		want := canon(rawURL, port, path)
		return find(func(l string) bool {
			return slices.ContainsFunc(strings.FieldsFunc(l, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("\"',<>", r) }),
				func(f string) bool { return canon(f, port, path) == want })
		})
	}
	for _, port := range []bool{true, false} {
		if n := byURL(port, true); n > 0 {
			return n
		}
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	for i := range segs {
		p := "/" + strings.Join(segs[i:], "/")
		if p == "/" {
			break
		}
		if n := find(func(l string) bool {
			return strings.HasPrefix(l, p+":") || strings.HasPrefix(l, `"`+p+`":`) || strings.HasPrefix(l, `'`+p+`':`)
		}); n > 0 {
			return n
		}
	}
	// A finding about the whole host (its TLS, a file at its root) goes to the first line
	// naming that host: a target on it, or an OpenAPI server URL.
	for _, port := range []bool{true, false} {
		if n := byURL(port, false); n > 0 {
			return n
		}
	}
	return 1
}
