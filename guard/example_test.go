package guard_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/crossgate/crossgate/guard"
)

// A Go service that terminates mutual TLS itself embeds the same checks as crossgate guard:
// the handler sees only requests from mapped certificates, reads the user from the context
// (or the X-Client-Identity header, which no client can forge through the middleware), and
// its CORS headers are replaced by the exact-origin policy.
func ExampleHandler() {
	ids, err := guard.ParseIdentities([]byte(`
identities:
  - user: alice
    subject: "CN=alice,O=Example"
  - user: billing
    uri: "spiffe://example.org/billing"
`))
	if err != nil {
		log.Fatal(err)
	}
	cors, err := guard.NewCORS(guard.CORSConfig{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"PUT"}})
	if err != nil {
		log.Fatal(err)
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _ := guard.User(r.Context())
		fmt.Fprintf(w, "hello %s\n", user)
	})
	caPEM, err := os.ReadFile("client-ca.crt")
	if err != nil {
		log.Print(err)
		return
	}
	clientCAs := x509.NewCertPool()
	clientCAs.AppendCertsFromPEM(caPEM)
	srv := &http.Server{
		Addr:    "127.0.0.1:8443",
		Handler: guard.Handler(&guard.Policy{Identities: ids, CORS: cors}, app),
		TLSConfig: &tls.Config{
			MinVersion: tls.VersionTLS12,
			ClientAuth: tls.RequireAndVerifyClientCert, // the middleware refuses unverified connections
			ClientCAs:  clientCAs,
		},
	}
	log.Fatal(srv.ListenAndServeTLS("server.crt", "server.key"))
}
