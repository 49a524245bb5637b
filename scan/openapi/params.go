package openapi

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v2 "github.com/pb33f/libopenapi/datamodel/high/v2"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

type yamlNode = yaml.Node

// param is a declared parameter with every value the document offers for it.
type param struct {
	name, in string
	required bool
	typ      string // schema type: string, integer, number, boolean, array
	format   string
	example  *yaml.Node
	dflt     *yaml.Node
	enum     []*yaml.Node
}

func v3Params(ps []*v3.Parameter) []param {
	var out []param
	for _, p := range ps {
		if p == nil || (p.In != "path" && p.In != "query") {
			continue
		}
		q := param{name: p.Name, in: p.In, required: p.In == "path" || (p.Required != nil && *p.Required), example: p.Example}
		if q.example == nil && p.Examples != nil {
			for _, ex := range p.Examples.FromOldest() {
				if ex != nil && ex.Value != nil {
					q.example = ex.Value
					break
				}
			}
		}
		if p.Schema != nil {
			if s := schemaOf(p.Schema); s != nil {
				q.fromSchema(s)
			}
		}
		out = append(out, q)
	}
	return out
}

func schemaOf(sp *base.SchemaProxy) (s *base.Schema) {
	defer func() {
		if recover() != nil {
			s = nil // a schema libopenapi cannot build is a schema without hints
		}
	}()
	return sp.Schema()
}

func (q *param) fromSchema(s *base.Schema) {
	if len(s.Type) > 0 {
		q.typ = s.Type[0]
		for _, t := range s.Type {
			if t != "null" {
				q.typ = t
				break
			}
		}
	}
	q.format = s.Format
	if q.example == nil {
		if len(s.Examples) > 0 {
			q.example = s.Examples[0]
		} else if s.Example != nil {
			q.example = s.Example
		}
	}
	if q.dflt == nil {
		q.dflt = s.Default
	}
	if len(q.enum) == 0 {
		q.enum = s.Enum
	}
}

func v2Params(ps []*v2.Parameter) []param {
	var out []param
	for _, p := range ps {
		if p == nil || (p.In != "path" && p.In != "query") {
			continue
		}
		q := param{name: p.Name, in: p.In, required: p.In == "path" || (p.Required != nil && *p.Required),
			typ: p.Type, format: p.Format, dflt: p.Default, enum: p.Enum}
		if p.Extensions != nil {
			if ex, ok := p.Extensions.Get("x-example"); ok {
				q.example = ex
			}
		}
		out = append(out, q)
	}
	return out
}

// mergeParams lets an operation's parameters override the path item's of the same name and
// location, as both specifications say.
func mergeParams(shared, own []param) []param {
	out := append([]param(nil), own...)
	for _, s := range shared {
		dup := false
		for _, o := range own {
			if o.name == s.name && o.in == s.in {
				dup = true
			}
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}

var templateVar = regexp.MustCompile(`\{([^{}/]+)\}`)

// fill builds the endpoint URL from a base and a path template.
func fill(b *url.URL, path string, params []param) (string, []Param, error) {
	if !strings.HasPrefix(path, "/") {
		return "", nil, fmt.Errorf("the path %q does not start with /", path)
	}
	var used []Param
	filled := templateVar.ReplaceAllStringFunc(path, func(m string) string {
		name := m[1 : len(m)-1]
		for _, p := range params {
			if p.in == "path" && p.name == name {
				v, src := p.value()
				used = append(used, Param{Name: name, In: "path", Value: v, Source: src})
				return url.PathEscape(v)
			}
		}
		// A template variable without a declaration is still a path parameter.
		used = append(used, Param{Name: name, In: "path", Value: "1", Source: SourcePlaceholder})
		return "1"
	})
	if strings.ContainsAny(filled, "{}") {
		return "", nil, fmt.Errorf("the path %q has a malformed parameter", path)
	}
	u := *b
	raw := strings.TrimSuffix(b.EscapedPath(), "/") + filled
	unescaped, err := url.PathUnescape(raw)
	if err != nil {
		return "", nil, fmt.Errorf("the path %q does not make a valid URL: %v", path, err)
	}
	u.Path, u.RawPath = unescaped, raw
	q := url.Values{}
	for _, p := range params {
		if p.in == "query" && p.required {
			v, src := p.value()
			q.Set(p.name, v)
			used = append(used, Param{Name: p.name, In: "query", Value: v, Source: src})
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), used, nil
}

// value picks the document's own value for a parameter, or a placeholder of its type.
func (p param) value() (string, string) {
	if v, ok := scalar(p.example); ok {
		return v, SourceExample
	}
	if v, ok := scalar(p.dflt); ok {
		return v, SourceDefault
	}
	for _, e := range p.enum {
		if v, ok := scalar(e); ok {
			return v, SourceEnum
		}
	}
	return placeholder(p.typ, p.format), SourcePlaceholder
}

// scalar returns a node's value when it is one a URL can carry (arrays use their first item).
func scalar(n *yaml.Node) (string, bool) {
	for n != nil && (n.Kind == yaml.DocumentNode || n.Kind == yaml.SequenceNode) && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", false
	}
	v := strings.TrimSpace(n.Value)
	return v, v != ""
}

func placeholder(typ, format string) string {
	switch typ {
	case "integer", "number":
		return "1"
	case "boolean":
		return "true"
	}
	switch format {
	case "uuid":
		return "00000000-0000-0000-0000-000000000001"
	case "date":
		return "2024-01-01"
	case "date-time":
		return "2024-01-01T00:00:00Z"
	case "email":
		return "user@example.com"
	case "int32", "int64":
		return "1"
	}
	return "example"
}
