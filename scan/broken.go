package scan

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"

	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// cutShort warns when the server broke off a response it had begun (status line and headers
// arrived, the body did not): the checks that read bodies saw only part of it.
func cutShort(env *endpoint.Env) []string {
	for _, ex := range []*probe.Exchange{env.Facts.Baseline, env.Facts.Anonymous} {
		if !ex.OK() || ex.BodyErr == nil {
			continue
		}
		how := "closed the connection"
		switch kind, _ := probe.Classify(ex.BodyErr); kind {
		case probe.ErrReset:
			how = "reset the connection"
		case probe.ErrTimeout:
			how = "stopped sending (nothing more within --timeout)"
		}
		announced := ""
		if n, err := strconv.Atoi(ex.Header.Get("Content-Length")); err == nil && n > len(ex.Body) {
			announced = fmt.Sprintf(" of the %d its Content-Length announced", n)
		}
		return []string{fmt.Sprintf("the server %s in the middle of its response (HTTP %d, after %d bytes of the body%s): checks that read the body saw only that part", how, ex.Status, len(ex.Body), announced)}
	}
	return nil
}

// brokenConnection names how a connection broke before any answer, for describeFailure: a
// reset, or a server that does not speak TLS on the port at all.
func brokenConnection(ex *probe.Exchange) (string, bool) {
	var rhe tls.RecordHeaderError
	switch {
	case ex.ErrKind == probe.ErrReset:
		return fmt.Sprintf("the server reset the connection (TCP RST) without an answer: %v", ex.Err), true
	case ex.ErrKind == probe.ErrTLSHandshake && errors.As(ex.Err, &rhe):
		return fmt.Sprintf("the server does not speak TLS on this port (its first bytes are not a TLS record): %v", ex.Err), true
	}
	return "", false
}
