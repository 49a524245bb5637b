// Package guard puts three things in front of an HTTP application that authenticates its
// users by client certificate, and does them together because getting one wrong undoes the
// others:
//
//   - mutual TLS enforced at the edge: a verified client certificate on every connection,
//     TLS 1.2 or newer, no optional mode;
//   - the certificate mapped to a user exactly (Identities: by SHA-256 fingerprint, SPIFFE or
//     other URI SAN, DNS SAN, or the full subject compared as parsed RDNs, never a
//     substring), with every identity header a client could forge stripped before the
//     request goes on (Sanitize), so the application can trust the one header guard sets;
//   - a CORS policy of exact origins that never says "*" (CORS), applied over whatever the
//     application sends, because a browser presents a client certificate to any site that
//     asks it to.
//
// Handler is that logic as net/http middleware for a Go service that terminates TLS itself.
// Server is the same as a reverse proxy (crossgate guard), with hot reload, metrics and an
// access log.
package guard
