// Package openapi turns an API's own description (OpenAPI 3.0, 3.1 or Swagger 2.0, JSON or
// YAML) into the endpoints a scan probes. It follows the description rather than crawling:
// the servers and paths name the endpoints, GET operations are probed and the others only
// listed, and path parameters are filled from the document's own examples, defaults and
// enums, or with a placeholder of the declared type that the report marks as guessed.
//
// Operations whose security requirements all include a mutual-TLS scheme (OpenAPI 3.1's
// `mutualTLS` type, or in 2.0 and 3.0 a scheme that says so through an `x-mutual-tls: true`
// extension or a description naming client certificates) are marked: the scan then treats
// them as it treats --expect-mtls.
//
// Parsing is libopenapi's (github.com/pb33f/libopenapi): it reads all three versions into
// typed models. External and remote $refs are not followed: a description fetched from a
// server must not make crossgate read local files or contact other hosts.
package openapi

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel"
)

// MaxDocument is the largest description read, in bytes.
const MaxDocument = 16 << 20

// Endpoint is one GET operation, ready to probe.
type Endpoint struct {
	URL         string  // absolute, parameters filled
	Path        string  // the path template as the document writes it, e.g. /users/{id}
	OperationID string  // may be empty
	Params      []Param // the path (and required query) parameters and the values used
	// RequireMTLS is set when every security alternative of the operation includes a
	// mutual-TLS scheme: the operation must refuse a client without a certificate.
	RequireMTLS bool
	MTLSScheme  string // the name of that scheme, for the report
}

// Guessed names the parameters whose value is a placeholder, not one the document gave.
func (e Endpoint) Guessed() []string {
	var out []string
	for _, p := range e.Params {
		if p.Source == SourcePlaceholder {
			out = append(out, p.Name)
		}
	}
	return out
}

// Where a parameter value came from.
const (
	SourceExample     = "example"
	SourceDefault     = "default"
	SourceEnum        = "enum"
	SourcePlaceholder = "placeholder"
)

// Param is one filled parameter.
type Param struct {
	Name   string
	In     string // "path" or "query"
	Value  string
	Source string // one of the Source* values
}

// NotProbed is an operation crossgate lists but does not send.
type NotProbed struct {
	Method string
	Path   string
	Reason string
}

// Spec is what a description yields.
type Spec struct {
	Version   string // "3.1.0", "3.0.3", "2.0"
	Title     string
	Servers   []string // the base URLs used
	Endpoints []Endpoint
	NotProbed []NotProbed
	// Notes say what was assumed (a relative server resolved, a server left out).
	Notes []string
}

// Origins returns the scheme://host[:port] of the endpoints, in first-seen order.
func (s *Spec) Origins() []string {
	var out []string
	for _, e := range s.Endpoints {
		if u, err := url.Parse(e.URL); err == nil {
			o := u.Scheme + "://" + u.Host
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

// Options say how to resolve the document's servers.
type Options struct {
	// Base resolves relative server URLs (and stands in for a document with no servers):
	// the URL the document was fetched from, or the origin the user named.
	Base *url.URL
	// SameOrigin keeps only endpoints on Base's origin: set for a document the server
	// itself served (--discover), so that it cannot point the scan, and the user's client
	// certificate, at other hosts.
	SameOrigin bool
}

// ParseError is a document that is not a usable API description.
type ParseError struct{ Msg string }

func (e *ParseError) Error() string { return e.Msg }

// Parse reads a description. It returns a ParseError for anything that is not OpenAPI 3.x or
// Swagger 2.0, and never panics on bad input (libopenapi's own panics are turned into
// errors: the document comes from outside).
func Parse(data []byte, opts Options) (spec *Spec, err error) {
	if len(data) > MaxDocument {
		return nil, &ParseError{Msg: fmt.Sprintf("the document is larger than %d MiB", MaxDocument>>20)}
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, &ParseError{Msg: "the document is empty"}
	}
	defer func() {
		if r := recover(); r != nil {
			spec, err = nil, &ParseError{Msg: fmt.Sprintf("the document could not be parsed (%v)", r)}
		}
	}()
	cfg := datamodel.NewDocumentConfiguration()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) // the default logs to stdout
	cfg.AllowFileReferences, cfg.AllowRemoteReferences = false, false
	doc, err := libopenapi.NewDocumentWithConfiguration(data, cfg)
	if err != nil {
		return nil, &ParseError{Msg: "not an OpenAPI or Swagger document: " + firstLine(err)}
	}
	info := doc.GetSpecInfo()
	if info == nil {
		return nil, &ParseError{Msg: "not an OpenAPI or Swagger document"}
	}
	b := &builder{opts: opts, spec: &Spec{Version: info.Version}, root: info.RootNode}
	switch info.SpecType {
	case "openapi":
		m, err := doc.BuildV3Model()
		if m == nil {
			return nil, &ParseError{Msg: "the OpenAPI document could not be read: " + firstLine(err)}
		}
		b.v3(&m.Model)
	case "swagger":
		m, err := doc.BuildV2Model()
		if m == nil {
			return nil, &ParseError{Msg: "the Swagger document could not be read: " + firstLine(err)}
		}
		b.v2(&m.Model)
	default:
		return nil, &ParseError{Msg: "not an OpenAPI or Swagger document (no openapi or swagger version field)"}
	}
	if b.err != nil {
		return nil, b.err
	}
	return b.spec, nil
}

func firstLine(err error) string {
	if err == nil {
		return "unknown error"
	}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		if es := joined.Unwrap(); len(es) > 0 {
			err = es[0]
		}
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
