package probe

import (
	"context"
	"net/http"
)

// Sent describes one request that went on the wire (a raw handshake included), for a
// benchmark or a test that accounts for where a scan's requests go.
type Sent struct {
	// Phase is the label the caller put on the context (WithPhase), e.g. "cors".
	Phase    string
	Method   string
	URL      string
	Identity string
	Header   http.Header
	Host     string
	Fresh    bool
	// Handshake marks a raw connection opened for a handshake of the caller's own (DialRaw).
	Handshake bool
}

type traceKey struct{}
type phaseKey struct{}

// WithTrace returns a context whose requests sent on the wire (not those answered from the
// cache) are reported to fn, which must be safe for concurrent use.
func WithTrace(ctx context.Context, fn func(Sent)) context.Context {
	return context.WithValue(ctx, traceKey{}, fn)
}

// WithPhase labels the requests sent with ctx (see Sent.Phase).
func WithPhase(ctx context.Context, phase string) context.Context {
	if ctx.Value(traceKey{}) == nil {
		return ctx // nobody listens: no allocation per request
	}
	return context.WithValue(ctx, phaseKey{}, phase)
}

func trace(ctx context.Context, s Sent) {
	fn, _ := ctx.Value(traceKey{}).(func(Sent))
	if fn == nil {
		return
	}
	s.Phase, _ = ctx.Value(phaseKey{}).(string)
	fn(s)
}
