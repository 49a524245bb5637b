package openapi

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: any bytes give a spec or a ParseError, never a panic or a hang, and every
// endpoint is an absolute http(s) URL on a server the document declared.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"swagger": "2.0", "paths": {"/{a}{b}": {"get": {}}}}`))
	f.Add([]byte("openapi: 3.1.0\npaths:\n  /x/{id}:\n    get:\n      parameters: [{name: id, in: path, examples: [[1]]}]\n"))
	base, _ := url.Parse("https://127.0.0.1:8443/openapi.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := Parse(data, Options{Base: base, SameOrigin: true})
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for _, e := range spec.Endpoints {
			u, err := url.Parse(e.URL)
			if err != nil || u.Host != "127.0.0.1:8443" || (u.Scheme != "https" && u.Scheme != "http") {
				t.Fatalf("endpoint %q escapes the document's origin", e.URL)
			}
			if strings.ContainsAny(u.Path, "{}") {
				t.Fatalf("unfilled template in %q", e.URL)
			}
		}
	})
}
