package openapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/crossgate/crossgate/probe"
)

// WellKnown are the paths --discover tries, in order: the common framework defaults
// (FastAPI's /openapi.json, Swagger's /swagger.json, drf-spectacular's /api/schema/).
var WellKnown = []string{"/openapi.json", "/openapi.yaml", "/swagger.json", "/api/schema/", "/schema/"}

// IsURL reports whether an --openapi value names a URL rather than a file.
func IsURL(src string) bool {
	return strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://")
}

// ReadFile reads a description from disk. base resolves relative servers.
func ReadFile(path string, base *url.URL) (*Spec, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, errors.Unwrap(err))
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	return Parse(data, Options{Base: base})
}

// Fetch GETs a description through the probe client (rate-limited, bounded, no redirects)
// with identity id, and parses it with the document's own URL as the base of relative
// servers. A body cut at the client's size cap is an error, not half a document.
func Fetch(ctx context.Context, c *probe.Client, id *probe.Identity, rawURL string) (*Spec, *probe.Exchange, error) {
	u, err := url.Parse(rawURL)
	if err != nil || !IsURL(rawURL) || u.Host == "" {
		return nil, nil, fmt.Errorf("not an http(s) URL: %q", rawURL)
	}
	if id != nil && id.Certificate != nil && !c.InScope(u.Host) {
		id = probe.None
	}
	ex := c.Do(ctx, probe.Request{Method: http.MethodGet, URL: rawURL, Identity: id,
		Header: http.Header{"Accept": {"application/vnd.oai.openapi+json, application/json, application/yaml, */*;q=0.5"}}})
	switch {
	case !ex.OK():
		return nil, ex, fmt.Errorf("GET %s failed: %v", probe.RedactURL(rawURL), ex.Err)
	case ex.Status != http.StatusOK:
		return nil, ex, fmt.Errorf("GET %s answered HTTP %d", probe.RedactURL(rawURL), ex.Status)
	case ex.BodyTruncated:
		return nil, ex, fmt.Errorf("the document at %s is larger than --max-body %d bytes; raise --max-body", probe.RedactURL(rawURL), c.Config().MaxBody)
	}
	spec, err := Parse(ex.Body, Options{Base: u})
	return spec, ex, err
}

// Discovery is what --discover found on one origin.
type Discovery struct {
	Origin string
	Found  string   // the URL of the description used, or ""
	Tried  []string // every URL requested, in order
	Spec   *Spec
}

// Discover tries the well-known locations of origin (scheme://host[:port]) in order, with
// GET only, and returns the first that holds an OpenAPI or Swagger document. Endpoints it
// names on other origins are left out: the document comes from the server, not the user.
func Discover(ctx context.Context, c *probe.Client, id *probe.Identity, origin *url.URL) Discovery {
	d := Discovery{Origin: origin.Scheme + "://" + origin.Host}
	for _, p := range WellKnown {
		if ctx.Err() != nil {
			break
		}
		loc := d.Origin + p
		d.Tried = append(d.Tried, loc)
		ex := c.Do(ctx, probe.Request{Method: http.MethodGet, URL: loc, Identity: id,
			Header: http.Header{"Accept": {"application/vnd.oai.openapi+json, application/json, application/yaml, */*;q=0.5"}}})
		if !ex.OK() || ex.Status != http.StatusOK || ex.BodyTruncated {
			continue
		}
		base, _ := url.Parse(loc)
		spec, err := Parse(ex.Body, Options{Base: base, SameOrigin: true})
		if err != nil || len(spec.Endpoints)+len(spec.NotProbed) == 0 {
			continue
		}
		d.Found, d.Spec = loc, spec
		return d
	}
	return d
}
