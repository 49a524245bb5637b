package guard

import (
	"net/http"
	"net/textproto"
	"strings"

	"github.com/crossgate/crossgate/internal/idheaders"
)

// hopByHop are the connection-specific fields of RFC 9110 section 7.6.1 and the
// pre-standard ones proxies still meet (Proxy-Connection, Keep-Alive).
var hopByHop = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// forwarding are the headers that say who the client is at the network level; guard sets
// them itself (proxy mode), so a client's own values are never passed on.
var forwarding = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
	"X-Forwarded-Port", "X-Real-Ip", "X-Client-Ip", "True-Client-Ip"}

// Sanitize removes from h everything a client could use to pose as someone else upstream:
//   - every identity header of idheaders in any case and with '_' for '-' (a WSGI app reads
//     X_SSL_Client_S_DN as HTTP_X_SSL_CLIENT_S_DN), plus identityHeader, the one guard sets;
//   - every header whose name holds '_', since no standard header does and WSGI folds it
//     into a dashed name's variable;
//   - the hop-by-hop fields and any field the Connection header names (RFC 9110 7.6.1);
//   - Forwarded, X-Forwarded-* and the client-IP headers.
//
// It returns how many fields were removed.
func Sanitize(h http.Header, identityHeader string) int {
	removed := removeHopByHop(h) + removeFields(h, forwarding)
	for k := range h {
		if strings.IndexByte(k, '_') >= 0 || idheaders.IsIdentity(k) || (identityHeader != "" && idheaders.SameName(k, identityHeader)) {
			delete(h, k)
			removed++
		}
	}
	return removed
}

// removeHopByHop removes the fields the Connection header names and the hop-by-hop fields
// (RFC 9110 section 7.6.1), from a request or an answer, and returns how many it removed.
func removeHopByHop(h http.Header) int {
	removed := 0
	for _, v := range h["Connection"] {
		for _, f := range strings.Split(v, ",") {
			if f = textproto.TrimString(f); f != "" {
				k := textproto.CanonicalMIMEHeaderKey(f)
				if _, ok := h[k]; ok {
					delete(h, k)
					removed++
				}
			}
		}
	}
	return removed + removeFields(h, hopByHop)
}

// removeFields removes the named (canonical) fields and returns how many were there.
func removeFields(h http.Header, names []string) int {
	removed := 0
	for _, k := range names {
		if _, ok := h[k]; ok {
			delete(h, k)
			removed++
		}
	}
	return removed
}
