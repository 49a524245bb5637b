package openapi

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func mustParse(t *testing.T, file string, opts Options) *Spec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := Parse(data, opts)
	if err != nil {
		t.Fatalf("Parse(%s): %v", file, err)
	}
	return spec
}

func find(spec *Spec, path string) *Endpoint {
	for i := range spec.Endpoints {
		if spec.Endpoints[i].Path == path {
			return &spec.Endpoints[i]
		}
	}
	return nil
}

func TestParseEndpoints(t *testing.T) {
	base, _ := url.Parse("https://shop.example.test:9443/docs/openapi.yaml")
	tests := []struct {
		file        string
		opts        Options
		version     string
		path        string
		wantURL     string
		wantMTLS    bool
		wantGuessed []string
		wantSources []string
	}{
		// 3.1: server variables take their defaults; path-item parameters apply to the operation.
		{"api-3.1.json", Options{}, "3.1.0", "/users/{id}", "https://api.example.test:8443/v1/users/1", true, []string{"id"}, []string{SourcePlaceholder}},
		// example on the parameter, then examples{} on the parameter.
		{"api-3.1.json", Options{}, "3.1.0", "/orders/{orderId}/lines/{line}", "https://api.example.test:8443/v1/orders/A-17/lines/3", true, nil, []string{SourceExample, SourceExample}},
		// enum for the path, default for a required query parameter; an optional one is left out;
		// a bearer alternative means no certificate is required.
		{"api-3.1.json", Options{}, "3.1.0", "/reports/{kind}", "https://api.example.test:8443/v1/reports/daily?tz=UTC", false, nil, []string{SourceEnum, SourceDefault}},
		// security: [] on the operation overrides the document's requirement.
		{"api-3.1.json", Options{}, "3.1.0", "/health", "https://api.example.test:8443/v1/health", false, nil, nil},
		// 3.1 schema examples (an array), escaped into the path.
		{"api-3.1.json", Options{}, "3.1.0", "/files/{name}", "https://api.example.test:8443/v1/files/a%20b.txt", true, nil, []string{SourceExample}},
		// 3.0: a relative server resolves against the base; a scheme described as mutual TLS.
		{"api-3.0.yaml", Options{Base: base}, "3.0.3", "/items/{sku}", "https://shop.example.test:9443/api/items/00000000-0000-0000-0000-000000000001", true, []string{"sku"}, []string{SourcePlaceholder}},
		{"api-3.0.yaml", Options{Base: base}, "3.0.3", "/status", "https://shop.example.test:9443/api/status", false, nil, nil},
		// 2.0: host + basePath + first scheme; x-example; x-mutual-tls on the scheme.
		{"api-2.0.yaml", Options{}, "2.0", "/accounts/{acct}", "https://legacy.example.test/v2/accounts/ACC-1", true, nil, []string{SourceExample}},
		{"api-2.0.yaml", Options{}, "2.0", "/ping", "https://legacy.example.test/v2/ping", false, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.file+tc.path, func(t *testing.T) {
			spec := mustParse(t, tc.file, tc.opts)
			if spec.Version != tc.version {
				t.Errorf("version %q, want %q", spec.Version, tc.version)
			}
			e := find(spec, tc.path)
			if e == nil {
				t.Fatalf("no endpoint for %s in %+v", tc.path, spec.Endpoints)
			}
			if e.URL != tc.wantURL {
				t.Errorf("URL %s, want %s", e.URL, tc.wantURL)
			}
			if e.RequireMTLS != tc.wantMTLS {
				t.Errorf("RequireMTLS %v, want %v (scheme %q)", e.RequireMTLS, tc.wantMTLS, e.MTLSScheme)
			}
			if g := e.Guessed(); !slices.Equal(g, tc.wantGuessed) {
				t.Errorf("guessed %v, want %v", g, tc.wantGuessed)
			}
			var srcs []string
			for _, p := range e.Params {
				srcs = append(srcs, p.Source)
			}
			if !slices.Equal(srcs, tc.wantSources) {
				t.Errorf("sources %v, want %v", srcs, tc.wantSources)
			}
		})
	}
}

func TestParseListsOtherMethods(t *testing.T) {
	spec := mustParse(t, "api-3.1.json", Options{})
	if len(spec.NotProbed) != 1 || spec.NotProbed[0].Method != "DELETE" || spec.NotProbed[0].Path != "/profile" {
		t.Fatalf("NotProbed = %+v, want the DELETE /profile only", spec.NotProbed)
	}
	for _, e := range spec.Endpoints {
		if strings.Contains(e.URL, "{") {
			t.Errorf("unfilled template in %s", e.URL)
		}
	}
	// Swagger 2.0 with two schemes yields both bases; PUT is listed.
	spec = mustParse(t, "api-2.0.yaml", Options{})
	if got := spec.Origins(); !slices.Equal(got, []string{"https://legacy.example.test", "http://legacy.example.test"}) {
		t.Errorf("origins %v", got)
	}
	if len(spec.NotProbed) != 1 || spec.NotProbed[0].Method != "PUT" {
		t.Errorf("NotProbed = %+v", spec.NotProbed)
	}
}

func TestParseSameOriginDropsOtherHosts(t *testing.T) {
	data, _ := os.ReadFile("testdata/api-3.1.json")
	base, _ := url.Parse("https://127.0.0.1:8443/openapi.json")
	spec, err := Parse(data, Options{Base: base, SameOrigin: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Endpoints) != 0 {
		t.Errorf("endpoints on another origin kept: %+v", spec.Endpoints)
	}
	if len(spec.Notes) == 0 || !strings.Contains(spec.Notes[0], "another origin") {
		t.Errorf("notes %v, want one saying the server was left out", spec.Notes)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"empty", "  \n", "empty"},
		{"html", "<html><body>Not Found</body></html>", "not an OpenAPI"},
		{"json without version", `{"info": {"title": "x"}, "paths": {}}`, "not an OpenAPI"},
		{"relative server without base", `{"openapi": "3.0.0", "info": {"title": "x", "version": "1"}, "servers": [{"url": "/v1"}], "paths": {"/a": {"get": {}}}}`, "relative"},
		{"too large", strings.Repeat(" ", MaxDocument+1), "larger"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), Options{})
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a ParseError containing %q", err, tc.want)
			}
		})
	}
}

// Two paths on the same path-level server both become endpoints (the second was dropped when
// the server had been seen once).
func TestPathServersSharedByTwoPaths(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: x, version: "1"}
servers: [{url: "https://a.example.test/"}]
paths:
  /x: {get: {}}
  /legacy/one: {servers: [{url: "https://b.example.test/"}], get: {}}
  /legacy/two: {servers: [{url: "https://b.example.test/"}], get: {}}
`
	spec, err := Parse([]byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range spec.Endpoints {
		got = append(got, e.URL)
	}
	want := []string{"https://a.example.test/x", "https://b.example.test/legacy/one", "https://b.example.test/legacy/two"}
	if !slices.Equal(got, want) {
		t.Errorf("endpoints %q, want %q", got, want)
	}
}
