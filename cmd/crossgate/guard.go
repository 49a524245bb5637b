package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/crossgate/crossgate/guard"
)

const guardHelp = `crossgate guard: a mutual-TLS proxy that maps each client certificate to exactly one
user and enforces a strict CORS policy, in front of any HTTP application.

Usage:
  crossgate guard --listen ADDR --upstream URL --cert FILE --key FILE --client-ca FILE \
                  --identities FILE [flags]
  crossgate guard --mint-test-pki DIR

Every connection must present a client certificate issued by --client-ca (TLS 1.2 or
newer, no optional mode). The certificate must then match an entry of --identities, or the
request gets 403 and never reaches the application. The application receives the user in
--identity-header; every identity header the client sent itself (X-SSL-Client-*,
X-Client-Cert*, X-Forwarded-Client-Cert, Client-Cert, SSL_CLIENT_* and any other header
with '_', in any case) is removed first, so the application can trust that one header.

Example:
  crossgate guard --listen 127.0.0.1:8443 --upstream http://127.0.0.1:8000 \
    --cert server.crt --key server.key --client-ca client-ca.crt \
    --identities identities.yaml --allow-origin https://app.example.com

Identities file (YAML); each entry names a user and exactly one way to recognise the
certificate, compared exactly:
  identities:
    - user: alice
      subject: "CN=alice,O=Example"          # the full subject DN, compared as parsed RDNs
    - user: billing
      uri: "spiffe://example.org/billing"    # a URI SAN (SPIFFE ID)
    - user: batch
      dns: "batch.internal.example"          # a DNS SAN (no wildcard expansion)
    - user: ops
      sha256: "3A:7F:..."                    # the certificate's SHA-256 fingerprint
    - user: legacy
      cn: "legacy-client"                    # the CN alone, only with the issuer pinned:
      issuer: "CN=Example Client CA,O=Example"
  The user is any text the application expects; an app that reads a DN can be given one.
  Get a fingerprint with: openssl x509 -in alice.crt -noout -fingerprint -sha256

TLS and identity:
  --listen ADDR           HTTPS address to listen on (default 127.0.0.1:8443)
  --upstream URL          the application, http://host:port or https://... (required)
  --cert FILE             server certificate chain, PEM, leaf first (required)
  --key FILE              its private key, PEM (required)
  --client-ca FILE        PEM bundle of the CAs that issue client certificates (required);
                          the system roots are never used
  --advertise-ca FILE     CA names to send in the certificate request instead of those of
                          --client-ca; 'none' sends an empty list
  --identities FILE       the identities file above (required)
  --identity-header NAME  header carrying the user upstream (default X-Client-Identity)
  --forward-cert MODE     also send the certificate: xfcc (X-Forwarded-Client-Cert),
                          rfc9440 (Client-Cert, Client-Cert-Chain) or none (default none)

CORS (responses of the application are rewritten; preflights are answered by guard):
  --allow-origin ORIGIN   an exact origin allowed to read responses, e.g.
                          https://app.example.com; repeat for more. '*' and 'null' are
                          refused. Without it no other origin may read anything.
  --allow-credentials     send Access-Control-Allow-Credentials: true to allowed origins
  --allow-methods LIST    methods a preflight may ask for, e.g. GET,POST,PUT
  --allow-headers LIST    request headers a preflight may ask for, e.g. content-type
  --max-age SECONDS       how long browsers may cache a preflight answer (default 0: unsent)

Operations:
  --config FILE           read the flags from a YAML (.yaml/.yml) or TOML (.toml) file with
                          the same names as keys (listen: ..., allow-origin: [...]);
                          command-line flags win over the file
  --metrics ADDR          serve /metrics (Prometheus) and /_status on ADDR only, e.g.
                          127.0.0.1:9090 (default: off)
  --access-log FILE       one JSON line per request (user, certificate fingerprint,
                          decision); '-' for standard output (default: off)
  --handshake-timeout D   TLS handshake (default 10s)    --header-timeout D  request headers (10s)
  --idle-timeout D        keep-alive idle (default 2m)   --upstream-timeout D  request body + upstream exchange (60s)
  --shutdown-timeout D    draining on SIGTERM (30s)      --max-header-bytes N  (65536)
  --max-conns N           open connections at once (default 4096)

Reload: SIGHUP, or any change to the certificate, key, CA, identities or config file,
rereads them all; open connections are kept. A broken file keeps the running
configuration and the log says why. SIGINT or SIGTERM stop accepting connections and let
requests in flight finish.

Try it: --mint-test-pki DIR writes a throw-away PKI (client-ca.crt, server-ca.crt,
server.crt/.key, alice.crt/.key, bob.crt/.key) and an identities.yaml for them, valid for
30 days, for loopback experiments only.

Exit codes: 0 stopped by SIGINT or SIGTERM after draining; 2 usage, file or configuration
error (nothing was served); 3 the server could not listen or failed while serving.
`

// guardFlags binds every flag to a Config field; the same names are the keys of --config.
func guardFlags(cfg *guard.Config, configFile *string, mint *string) *flag.FlagSet {
	fs := flag.NewFlagSet("guard", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:8443", "")
	fs.StringVar(&cfg.Upstream, "upstream", "", "")
	fs.StringVar(&cfg.Cert, "cert", "", "")
	fs.StringVar(&cfg.Key, "key", "", "")
	fs.StringVar(&cfg.ClientCA, "client-ca", "", "")
	fs.StringVar(&cfg.AdvertiseCA, "advertise-ca", "", "")
	fs.StringVar(&cfg.Identities, "identities", "", "")
	fs.StringVar(&cfg.IdentityHeader, "identity-header", guard.DefaultIdentityHeader, "")
	fs.Func("forward-cert", "", func(s string) error { cfg.ForwardCert = guard.ForwardCert(s); return nil })
	fs.Func("allow-origin", "", func(s string) error {
		cfg.CORS.AllowOrigins = append(cfg.CORS.AllowOrigins, s)
		return nil
	})
	fs.BoolVar(&cfg.CORS.AllowCredentials, "allow-credentials", false, "")
	fs.Func("allow-methods", "", func(s string) error {
		cfg.CORS.AllowMethods = append(cfg.CORS.AllowMethods, strings.Split(s, ",")...)
		return nil
	})
	fs.Func("allow-headers", "", func(s string) error {
		cfg.CORS.AllowHeaders = append(cfg.CORS.AllowHeaders, strings.Split(s, ",")...)
		return nil
	})
	fs.IntVar(&cfg.CORS.MaxAge, "max-age", 0, "")
	fs.StringVar(&cfg.Metrics, "metrics", "", "")
	fs.StringVar(&cfg.AccessLog, "access-log", "", "")
	fs.DurationVar(&cfg.HandshakeTimeout, "handshake-timeout", guard.Defaults.HandshakeTimeout, "")
	fs.DurationVar(&cfg.HeaderTimeout, "header-timeout", guard.Defaults.HeaderTimeout, "")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", guard.Defaults.IdleTimeout, "")
	fs.DurationVar(&cfg.UpstreamTimeout, "upstream-timeout", guard.Defaults.UpstreamTimeout, "")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", guard.Defaults.ShutdownTimeout, "")
	fs.IntVar(&cfg.MaxHeaderBytes, "max-header-bytes", guard.Defaults.MaxHeaderBytes, "")
	fs.IntVar(&cfg.MaxConns, "max-conns", guard.Defaults.MaxConns, "")
	fs.StringVar(configFile, "config", "", "")
	fs.StringVar(mint, "mint-test-pki", "", "")
	return fs
}

// errGuardHelp and guardUsage carry a usage problem out of loadGuardConfig with its hint.
var errGuardHelp = errors.New("help")

type guardUsage struct{ msg, hint string }

func (u *guardUsage) Error() string { return u.msg }

// loadGuardConfig parses args, then fills every flag not given on the command line from
// --config. It runs again on each reload, so the file is reread and flags still win.
func loadGuardConfig(args []string) (*guard.Config, string, error) {
	cfg := &guard.Config{}
	var configFile, mint string
	fs := guardFlags(cfg, &configFile, &mint)
	if err := fs.Parse(args); err != nil {
		if isHelp(err) {
			return nil, "", errGuardHelp
		}
		return nil, "", &guardUsage{err.Error(), "run 'crossgate guard --help' for the flags"}
	}
	if fs.NArg() > 0 {
		return nil, "", &guardUsage{fmt.Sprintf("unexpected argument %q", fs.Arg(0)), "guard takes only flags; run 'crossgate guard --help'"}
	}
	if mint != "" {
		return nil, mint, nil
	}
	if configFile != "" {
		values, keys, err := guard.ReadConfigFile(configFile)
		if err != nil {
			return nil, "", &guardUsage{"cannot read the configuration file: " + err.Error(), "--config takes a .yaml, .yml or .toml file whose keys are the flag names"}
		}
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		for _, k := range keys {
			if k == "config" || k == "mint-test-pki" || fs.Lookup(k) == nil {
				return nil, "", &guardUsage{fmt.Sprintf("%s: unknown key %q", configFile, k), "the keys are the flag names without dashes in front, e.g. listen, upstream, allow-origin"}
			}
			if given[k] {
				continue // the command line wins
			}
			for _, v := range values[k] {
				if err := fs.Set(k, v); err != nil {
					return nil, "", &guardUsage{fmt.Sprintf("%s: key %q: %v", configFile, k, err), "give the value the flag --" + k + " takes"}
				}
			}
		}
		cfg.ConfigFile = configFile
	}
	return cfg, "", nil
}

func runGuard(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, mint, err := loadGuardConfig(args)
	var u *guardUsage
	switch {
	case errors.Is(err, errGuardHelp):
		fmt.Fprint(stdout, guardHelp)
		return exitOK
	case errors.As(err, &u):
		return usageError(stderr, u.msg, u.hint)
	}
	if mint != "" {
		files, err := guard.MintTestPKI(mint)
		if err != nil {
			return usageError(stderr, "cannot write the test PKI: "+err.Error(), "give an empty or new directory to --mint-test-pki")
		}
		for _, f := range files {
			fmt.Fprintln(stdout, f)
		}
		return exitOK
	}
	var access io.Writer
	switch cfg.AccessLog {
	case "":
	case "-":
		access = stdout
	default:
		f, err := os.OpenFile(cfg.AccessLog, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
		if err != nil {
			return usageError(stderr, "cannot open the access log: "+err.Error(), "give a writable file to --access-log, or '-' for standard output")
		}
		defer f.Close()
		access = f
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	first := true
	srv, err := guard.NewServer(func() (*guard.Config, error) {
		if first {
			first = false
			return cfg, nil
		}
		c, _, err := loadGuardConfig(args)
		return c, err
	}, logger, access)
	if err != nil {
		return guardStartError(stderr, err)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				logger.Info("SIGHUP: reloading")
				srv.Reload()
			}
		}
	}()
	go func() {
		if err := srv.Watch(ctx); err != nil {
			logger.Warn("watching files for changes is off; SIGHUP still reloads", "error", err.Error())
		}
	}()
	if err := srv.Run(ctx, nil); err != nil {
		var fe *guard.FileError
		if errors.As(err, &fe) {
			fmt.Fprintf(stderr, "error: %s\nhint: %s\n", fe.Error(), fe.Hint)
		} else {
			fmt.Fprintf(stderr, "error: %v\n", err)
		}
		return exitNoTarget
	}
	return exitOK
}

// guardStartError prints a configuration error with its hint.
func guardStartError(stderr io.Writer, err error) int {
	var fe *guard.FileError
	var u *guardUsage
	switch {
	case errors.As(err, &fe):
		return usageError(stderr, fe.Error(), fe.Hint)
	case errors.As(err, &u):
		return usageError(stderr, u.msg, u.hint)
	}
	return usageError(stderr, err.Error(), "run 'crossgate guard --help'")
}

// guardFlagNames lists the keys --config accepts, for tests that keep help and flags in step.
func guardFlagNames() []string {
	var cfg guard.Config
	var a, b string
	var names []string
	guardFlags(&cfg, &a, &b).VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	slices.Sort(names)
	return names
}
