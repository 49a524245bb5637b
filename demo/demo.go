// Package demo is crossgate's self-contained tour: an in-process HTTPS API on loopback that
// reproduces the mistake crossgate exists for (client certificate required, Access-Control-Allow-Origin: *,
// a profile with personal data), a scan of it with the client certificate, then the same API
// with the fix applied, scanned clean. Certificates live in memory; no file is written and
// nothing outside loopback is touched.
package demo

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan"
)

// TrustedOrigin is the front-end the demo API is meant to serve.
const TrustedOrigin = "https://app.example.com"

const profile = `{"user":"alice","name":"Alice Example","email":"alice.liddell@acme-health.net","phone":"+1 415 555 0134","plan":"enterprise"}`

// API is one running demo server.
type API struct {
	URL    string
	srv    *http.Server
	ln     net.Listener
	served chan error
}

// Start runs the demo API on 127.0.0.1; fixed selects the corrected CORS policy.
func Start(serverCert, clientCA *x509.CertPool, cert tls.Certificate, fixed bool) (*API, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: cannot listen on loopback: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/profile", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if fixed {
			// The fix: an exact allowlist, the decision keyed on Origin for caches.
			h.Set("Vary", "Origin")
			if r.Header.Get("Origin") == TrustedOrigin {
				h.Set("Access-Control-Allow-Origin", TrustedOrigin)
			}
		} else {
			// The mistake: "mTLS protects us anyway".
			h.Set("Access-Control-Allow-Origin", "*")
		}
		if r.Method == http.MethodOptions {
			if fixed && r.Header.Get("Origin") == TrustedOrigin {
				h.Set("Access-Control-Allow-Methods", "GET")
				h.Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Content-Type", "application/json")
		io.WriteString(w, profile)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":"not found"}`)
	})
	tcfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    clientCA,
		MinVersion:   tls.VersionTLS12,
	}
	if fixed {
		// Verify against the pool without advertising its CA names in the CertificateRequest.
		tcfg.ClientAuth = tls.RequireAnyClientCert
		tcfg.ClientCAs = nil
		tcfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			return verifyClient(raw, clientCA)
		}
	}
	a := &API{URL: "https://" + ln.Addr().String() + "/api/profile", ln: ln, served: make(chan error, 1),
		srv: &http.Server{Handler: mux, TLSConfig: tcfg, ReadHeaderTimeout: 5 * time.Second, ErrorLog: nil}}
	a.srv.ErrorLog = quietLog()
	go func() { a.served <- a.srv.ServeTLS(ln, "", "") }()
	return a, nil
}

func verifyClient(raw [][]byte, roots *x509.CertPool) error {
	if len(raw) == 0 {
		return errors.New("no client certificate")
	}
	leaf, err := x509.ParseCertificate(raw[0])
	if err != nil {
		return err
	}
	inter := x509.NewCertPool()
	for _, r := range raw[1:] {
		if c, err := x509.ParseCertificate(r); err == nil {
			inter.AddCert(c)
		}
	}
	_, err = leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	return err
}

// Close stops the server.
func (a *API) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := a.srv.Shutdown(ctx)
	<-a.served
	return err
}

// Result is what the demo found, for tests and the exit code.
type Result struct {
	Vulnerable, Fixed *report.Report
}

// Run plays the tour, writing the narrative and both reports to w.
func Run(ctx context.Context, w io.Writer, topts report.TextOptions) (*Result, error) {
	serverCA := pki.NewCA("crossgate demo server CA")
	clientCA := pki.NewCA("crossgate demo client CA")
	server := serverCA.Server()
	alice := clientCA.Client("alice", "Example")
	user := &probe.Identity{Name: "user", Certificate: &alice.TLS}
	res := &Result{}
	for i, fixed := range []bool{false, true} {
		api, err := Start(serverCA.Pool(), clientCA.Pool(), server.TLS, fixed)
		if err != nil {
			return nil, err
		}
		if !fixed {
			fmt.Fprintf(w, "Step 1: the mistake.\n")
			fmt.Fprintf(w, "  An API on %s requires a client certificate (mTLS) and answers\n", api.URL)
			fmt.Fprintf(w, "  every origin with Access-Control-Allow-Origin: *, \"because mTLS protects us anyway\".\n")
			fmt.Fprintf(w, "  Scanning it with alice's client certificate (minted in memory):\n\n")
		} else {
			fmt.Fprintf(w, "\nStep 2: the fix.\n")
			fmt.Fprintf(w, "  The same API on %s now allows exactly %s,\n", api.URL, TrustedOrigin)
			fmt.Fprintf(w, "  sends Vary: Origin, and no longer names its client CA in the handshake.\n\n")
		}
		rep, err := scan.Run(ctx, scan.Config{
			Targets: []string{api.URL},
			User:    user,
			Origins: []string{TrustedOrigin},
			Probe:   probe.Config{RootCAs: serverCA.Pool(), Timeout: 5 * time.Second, Rate: -1},
		})
		_ = api.Close()
		if err != nil {
			return nil, err
		}
		rep.Command = "demo"
		if err := report.WriteText(w, rep, topts); err != nil {
			return nil, err
		}
		if i == 0 {
			res.Vulnerable = rep
		} else {
			res.Fixed = rep
		}
	}
	if !hasRule(res.Vulnerable, "cors-wildcard-on-mtls") {
		return res, errors.New("demo: the vulnerable API was not reported as cors-wildcard-on-mtls")
	}
	if m, ok := finding.Max(res.Fixed.Findings); ok && m > finding.Info {
		return res, fmt.Errorf("demo: the fixed API still has a %s finding", m)
	}
	fmt.Fprintf(w, "\nThe fixed API scans clean: nothing above info (what remains only names the user's own data,\nreturned to nobody but them). Try it on your own API:\n")
	fmt.Fprintf(w, "  crossgate scan --cert client.crt --key client.key --cacert server-ca.pem --origin %s https://your-api/path\n", TrustedOrigin)
	return res, nil
}

func hasRule(r *report.Report, id string) bool {
	for _, f := range r.Findings {
		if f.Rule == id {
			return true
		}
	}
	return false
}
