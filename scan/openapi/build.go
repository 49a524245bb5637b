package openapi

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v2 "github.com/pb33f/libopenapi/datamodel/high/v2"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// builder collects endpoints from either model.
type builder struct {
	opts Options
	spec *Spec
	err  error
	mtls map[string]bool // security scheme names that mean a client certificate
	root *yamlNode       // the document as parsed, for what the models leave out
}

// operation is what both models share about one operation.
type operation struct {
	method, path string
	id           string
	params       []param
	security     []*base.SecurityRequirement
	declared     bool // the operation has its own security list (possibly empty)
}

func (b *builder) v3(doc *v3.Document) {
	b.spec.Title = titleOf(doc.Info)
	b.mtls = map[string]bool{}
	if doc.Components != nil && doc.Components.SecuritySchemes != nil {
		for name, s := range doc.Components.SecuritySchemes.FromOldest() {
			if s != nil && (strings.EqualFold(s.Type, "mutualTLS") || describesClientCert(s.Description, s.Extensions)) {
				b.mtls[name] = true
			}
		}
	}
	var servers []string
	for _, s := range doc.Servers {
		if s != nil {
			servers = append(servers, expandServer(s))
		}
	}
	bases := b.bases(servers)
	if doc.Paths == nil || doc.Paths.PathItems == nil {
		b.spec.Notes = append(b.spec.Notes, "the document declares no paths")
		return
	}
	for path, item := range doc.Paths.PathItems.FromOldest() {
		if item == nil {
			continue
		}
		shared := v3Params(item.Parameters)
		for _, m := range []struct {
			name string
			op   *v3.Operation
		}{{"GET", item.Get}, {"PUT", item.Put}, {"POST", item.Post}, {"DELETE", item.Delete},
			{"OPTIONS", item.Options}, {"HEAD", item.Head}, {"PATCH", item.Patch}, {"TRACE", item.Trace}} {
			if m.op == nil {
				continue
			}
			op := operation{method: m.name, path: path, id: m.op.OperationId,
				params: mergeParams(shared, v3Params(m.op.Parameters)), security: doc.Security}
			// security: [] on an operation declares it open; the model cannot tell that
			// from no security list at all, the document's own nodes can.
			if m.op.Security != nil || declaresSecurity(b.root, path, m.name) {
				op.security, op.declared = m.op.Security, true
			}
			opBases := bases
			if len(m.op.Servers) > 0 || len(item.Servers) > 0 {
				srv := m.op.Servers
				if len(srv) == 0 {
					srv = item.Servers
				}
				var own []string
				for _, s := range srv {
					if s != nil {
						own = append(own, expandServer(s))
					}
				}
				opBases = b.bases(own)
			}
			b.add(op, opBases)
		}
	}
}

func (b *builder) v2(doc *v2.Swagger) {
	b.spec.Title = titleOf(doc.Info)
	b.mtls = map[string]bool{}
	if doc.SecurityDefinitions != nil && doc.SecurityDefinitions.Definitions != nil {
		for name, s := range doc.SecurityDefinitions.Definitions.FromOldest() {
			if s != nil && describesClientCert(s.Description, s.Extensions) {
				b.mtls[name] = true
			}
		}
	}
	var servers []string
	if doc.Host != "" {
		schemes := doc.Schemes
		if len(schemes) == 0 {
			schemes = []string{"https"}
		}
		for _, sc := range schemes {
			if sc == "https" || sc == "http" {
				servers = append(servers, sc+"://"+doc.Host+doc.BasePath)
			}
		}
	} else if doc.BasePath != "" {
		servers = append(servers, doc.BasePath) // relative to where the document lives
	}
	bases := b.bases(servers)
	if doc.Paths == nil || doc.Paths.PathItems == nil {
		b.spec.Notes = append(b.spec.Notes, "the document declares no paths")
		return
	}
	for path, item := range doc.Paths.PathItems.FromOldest() {
		if item == nil {
			continue
		}
		shared := v2Params(item.Parameters)
		for _, m := range []struct {
			name string
			op   *v2.Operation
		}{{"GET", item.Get}, {"PUT", item.Put}, {"POST", item.Post}, {"DELETE", item.Delete},
			{"OPTIONS", item.Options}, {"HEAD", item.Head}, {"PATCH", item.Patch}} {
			if m.op == nil {
				continue
			}
			op := operation{method: m.name, path: path, id: m.op.OperationId,
				params: mergeParams(shared, v2Params(m.op.Parameters)), security: doc.Security}
			if m.op.Security != nil || declaresSecurity(b.root, path, m.name) {
				op.security, op.declared = m.op.Security, true
			}
			b.add(op, bases)
		}
	}
}

func titleOf(i *base.Info) string {
	if i == nil {
		return ""
	}
	return i.Title
}

// expandServer substitutes a server URL's variables with their defaults.
func expandServer(s *v3.Server) string {
	u := s.URL
	if s.Variables != nil {
		for name, v := range s.Variables.FromOldest() {
			if v != nil {
				u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
			}
		}
	}
	return u
}

// bases resolves server URLs to absolute http(s) base URLs, noting what it drops.
func (b *builder) bases(servers []string) []*url.URL {
	if len(servers) == 0 {
		servers = []string{"/"}
	}
	var out []*url.URL
	for _, raw := range servers {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || strings.ContainsAny(u.Host, "{}") || strings.Contains(u.Path, "{") {
			b.note("server %q is not a URL crossgate can use; left out", raw)
			continue
		}
		if !u.IsAbs() {
			if b.opts.Base == nil {
				if b.err == nil {
					b.err = &ParseError{Msg: fmt.Sprintf("the document's server %q is relative and no base URL is known", raw)}
				}
				continue
			}
			u = b.opts.Base.ResolveReference(&url.URL{Path: u.Path})
			if raw == "/" && len(servers) == 1 {
				u.Path = "/"
			}
		}
		if u.Scheme != "https" && u.Scheme != "http" {
			b.note("server %q is not http(s); left out", raw)
			continue
		}
		if b.opts.SameOrigin && b.opts.Base != nil && (u.Scheme != b.opts.Base.Scheme || !strings.EqualFold(u.Host, b.opts.Base.Host)) {
			b.note("server %s is on another origin than the document's own %s://%s; left out (only the origin the document came from is scanned)", u.Redacted(), b.opts.Base.Scheme, b.opts.Base.Host)
			continue
		}
		u.RawQuery, u.Fragment, u.User = "", "", nil
		s := u.String()
		if !slices.Contains(b.spec.Servers, s) {
			b.spec.Servers = append(b.spec.Servers, s)
		}
		// A server named before (by the document or another path) is still this list's.
		if !slices.ContainsFunc(out, func(o *url.URL) bool { return o.String() == s }) {
			out = append(out, u)
		}
	}
	return out
}

func (b *builder) note(format string, a ...any) {
	n := fmt.Sprintf(format, a...)
	if !slices.Contains(b.spec.Notes, n) {
		b.spec.Notes = append(b.spec.Notes, n)
	}
}

func (b *builder) add(op operation, bases []*url.URL) {
	if op.method != "GET" {
		b.spec.NotProbed = append(b.spec.NotProbed, NotProbed{Method: op.method, Path: op.path,
			Reason: "only GET operations are probed; " + op.method + " can change data"})
		return
	}
	scheme, mtls := b.requiresMTLS(op.security)
	for _, base := range bases {
		target, params, err := fill(base, op.path, op.params)
		if err != nil {
			b.spec.NotProbed = append(b.spec.NotProbed, NotProbed{Method: op.method, Path: op.path, Reason: err.Error()})
			continue
		}
		b.spec.Endpoints = append(b.spec.Endpoints, Endpoint{URL: target, Path: op.path, OperationID: op.id,
			Params: params, RequireMTLS: mtls, MTLSScheme: scheme})
	}
}

// requiresMTLS reports whether every security alternative names a mutual-TLS scheme. An
// empty alternative ({}) makes the operation callable without any credential.
func (b *builder) requiresMTLS(reqs []*base.SecurityRequirement) (string, bool) {
	if len(reqs) == 0 || len(b.mtls) == 0 {
		return "", false
	}
	name := ""
	for _, r := range reqs {
		found := ""
		if r != nil && r.Requirements != nil {
			for scheme := range r.Requirements.KeysFromOldest() {
				if b.mtls[scheme] {
					found = scheme
					break
				}
			}
		}
		if found == "" {
			return "", false
		}
		if name == "" {
			name = found
		}
	}
	return name, true
}

// describesClientCert recognises how 2.0 and 3.0 documents (which have no mutualTLS type)
// declare a client certificate: an x-mutual-tls/x-mtls extension set to true, or a
// description that says so.
func describesClientCert(desc string, ext *orderedmap.Map[string, *yamlNode]) bool {
	if ext != nil {
		for k, v := range ext.FromOldest() {
			k = strings.ToLower(k)
			if (k == "x-mutual-tls" || k == "x-mtls" || k == "x-client-certificate") && v != nil && strings.EqualFold(v.Value, "true") {
				return true
			}
		}
	}
	d := strings.ToLower(desc)
	for _, w := range []string{"client certificate", "client cert", "mutual tls", "mutual-tls", "mtls"} {
		if strings.Contains(d, w) {
			return true
		}
	}
	return false
}

// declaresSecurity reports whether paths.<path>.<method> has a security key of its own.
func declaresSecurity(root *yamlNode, path, method string) bool {
	n := child(child(child(root, "paths"), path), strings.ToLower(method))
	return child(n, "security") != nil
}

// child returns the value of key in a mapping node (a document node is entered first).
func child(n *yamlNode, key string) *yamlNode {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
