// Package targets runs in-process HTTPS API servers on loopback that reproduce the CORS and
// mTLS mistakes crossgate looks for. Tests and `crossgate demo` scan them; each server mints its
// own server CA, client CA and a valid client certificate (CN=alice), and nothing is written to
// disk.
//
// The CORS behaviour follows django-cors-headers (read from its source, 3.14 and 4.x; see
// /work/shared/knowledge/cors-anchors.md §5) unless a knob says otherwise: Vary: Origin on every
// response, the allowed origin echoed verbatim, preflights (OPTIONS with
// Access-Control-Request-Method) answered 200 with an empty body before the view runs, a static
// method and header list on preflights, max-age 86400.
package vulnserver

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/crossgate/crossgate/internal/pki"
)

// Kind is the shape of the origin check.
type Kind int

const (
	None                Kind = iota // no CORS headers at all
	Wildcard                        // ACAO: * (CORS_ALLOW_ALL_ORIGINS, or nginx add_header *)
	WildcardCredentials             // ACAO: * and ACAC: true (a combination browsers refuse)
	Reflect                         // any Origin echoed, null included
	ReflectCredentials              // any Origin echoed with ACAC: true (allow-all + credentials)
	Allowlist                       // exact, case-sensitive equality with one of Origins
	Regex                           // Pattern with Python re.match semantics: anchored at the start only
	Prefix                          // Origin starts with one of Origins
	Suffix                          // Origin ends with one of Origins (e.g. "example.com")
	Substring                       // Origin contains one of Origins
	NullAllowed                     // Allowlist plus the literal "null"
	Fixed                           // ACAO is always Origins[0], whatever the Origin (a static nginx add_header)
)

var kindNames = [...]string{"none", "wildcard", "wildcard+credentials", "reflect", "reflect+credentials",
	"allowlist", "regex", "prefix", "suffix", "substring", "null-allowed", "fixed"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return kindNames[k]
}

// Policy is the target's CORS behaviour.
type Policy struct {
	Kind Kind
	// Origins are compared according to Kind (Allowlist, Prefix, Suffix, Substring, NullAllowed).
	Origins []string
	// Pattern is the Go regexp for Regex, applied like Python's re.match.
	Pattern string
	// Credentials adds ACAC: true to allowed responses (Reflect and Wildcard kinds imply their own).
	Credentials bool

	OmitVary            bool // no Vary: Origin (a hand-written middleware, not django-cors-headers)
	PermissivePreflight bool // ACAM/ACAH echo the requested method and headers, max-age 1000000
	// StrictPreflightHeaders refuses (403, no CORS header) a preflight that asks for a header
	// other than Content-Type while echoing any method, as Spring's CorsConfiguration does
	// with allowedMethods("*") and a fixed allowedHeaders list.
	StrictPreflightHeaders bool
	PrivateNetwork         bool     // ACAPN: true to allowed origins that ask for it (django-cors-headers 4.x)
	ExposeHeaders          []string // Access-Control-Expose-Headers on allowed responses
	// DuplicateACAO makes a proxy add its own "Access-Control-Allow-Origin: *" line to every
	// response that carries an Origin, over whatever the app sent.
	DuplicateACAO bool
	// CredentialsOnDisallowed sends ACAC: true on every response to a request with an Origin,
	// allowed or not (django-cors-headers before 4.3, e.g. Debian 12's 3.14).
	CredentialsOnDisallowed bool
}

// Bodies served by default.
const (
	// ProfileBody is a profile with PII (an email address and a phone number).
	ProfileBody = `{"user":"alice","name":"Alice Example","email":"alice@example.com","phone":"+1 202-555-0143","role":"admin"}`
	// CleanBody has nothing sensitive in it.
	CleanBody = `{"ok":true}`
	// RejectBody is what nginx sends with ssl_verify_client on and no certificate
	// (ngx_http_request.c, internal status 496 sent as 400).
	RejectBody = "<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>No required SSL certificate was sent</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)

// Config describes one target.
type Config struct {
	// ClientAuth is the TLS-level client certificate policy. With HTTPReject it defaults to
	// VerifyClientCertIfGiven (nginx ssl_verify_client on completes the handshake).
	ClientAuth tls.ClientAuthType
	// HTTPReject answers 400 "No required SSL certificate was sent" to requests without a
	// verified client certificate, as nginx does, preflights included.
	HTTPReject bool
	// RejectPolicy is the CORS behaviour of that 400 page; nil means the same as Policy
	// (nginx add_header ... always).
	RejectPolicy *Policy
	Policy       Policy
	// PreflightPolicy is the CORS behaviour of preflight answers; nil means the same as Policy.
	// A separate one models a proxy that answers OPTIONS itself (nginx `if ($request_method =
	// OPTIONS) { add_header ...; return 204; }`) in front of an app with its own policy.
	PreflightPolicy *Policy
	// AnonymousBody is served to requests without a verified client certificate when the
	// certificate is optional (no HTTPReject): an app that authorises in HTTP and shows less to
	// anonymous callers. "" serves the same body to everyone.
	AnonymousBody string
	// Body is served as application/json; "" means ProfileBody, or CleanBody with Clean.
	Body  string
	Clean bool
	// Cookies sets csrftoken and sessionid cookies and Vary: Cookie, as a Django app does.
	Cookies bool
	// ServerHeader is sent as Server (e.g. "nginx/1.22.1"); "" sends none.
	ServerHeader string
	// DNSNames are added to the server certificate (besides localhost, 127.0.0.1 and ::1),
	// for tests that dial a made-up name to loopback.
	DNSNames []string
}

// Server is a running target.
type Server struct {
	URL      string    // https://127.0.0.1:port/api/profile
	Base     string    // https://127.0.0.1:port
	CA       *pki.CA   // issued the server certificate: trust it with CA.Pool()
	ClientCA *pki.CA   // the only CA whose client certificates the server accepts
	Client   *pki.Leaf // a valid client certificate, CN=alice
	Config   Config

	srv      *httptest.Server
	re       *regexp.Regexp
	rejectRe *regexp.Regexp
	preRe    *regexp.Regexp
	requests atomic.Int64

	mu      sync.Mutex
	origins []string
}

// Origins returns the Origin header of every request so far, in arrival order ("" when absent).
func (s *Server) Origins() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.origins...)
}

// Requests is how many HTTP requests reached the server (handshake failures not counted).
func (s *Server) Requests() int64 { return s.requests.Load() }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

func compile(p Policy) (*regexp.Regexp, error) {
	if p.Kind != Regex {
		return nil, nil
	}
	if p.Pattern == "" {
		return nil, errors.New("targets: Regex policy needs a Pattern")
	}
	// Python's re.match anchors at the start only; django-cors-headers relies on it.
	re, err := regexp.Compile(`^(?:` + p.Pattern + `)`)
	if err != nil {
		return nil, fmt.Errorf("targets: pattern %q: %w", p.Pattern, err)
	}
	return re, nil
}

// Start launches a target on 127.0.0.1 with a fresh PKI.
func Start(cfg Config) (*Server, error) {
	if cfg.Policy.Kind < None || cfg.Policy.Kind > Fixed {
		return nil, fmt.Errorf("targets: unknown policy kind %d", cfg.Policy.Kind)
	}
	re, err := compile(cfg.Policy)
	if err != nil {
		return nil, err
	}
	s := &Server{Config: cfg, re: re, rejectRe: re, preRe: re}
	if cfg.RejectPolicy != nil {
		if s.rejectRe, err = compile(*cfg.RejectPolicy); err != nil {
			return nil, err
		}
	}
	if cfg.PreflightPolicy != nil {
		if s.preRe, err = compile(*cfg.PreflightPolicy); err != nil {
			return nil, err
		}
	}
	s.CA = pki.NewCA("crossgate target server CA")
	s.ClientCA = pki.NewCA("crossgate target client CA")
	s.Client = s.ClientCA.Client("alice", "crossgate targets")
	serverLeaf := s.CA.Server(cfg.DNSNames...)

	auth := cfg.ClientAuth
	if cfg.HTTPReject && auth == tls.NoClientCert {
		auth = tls.VerifyClientCertIfGiven
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("targets: listen on loopback: %w", err)
	}
	hs := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	hs.Listener.Close()
	hs.Listener = ln
	hs.TLS = &tls.Config{
		Certificates: []tls.Certificate{serverLeaf.TLS},
		ClientAuth:   auth,
		ClientCAs:    s.ClientCA.Pool(),
		MinVersion:   tls.VersionTLS12,
	}
	// Handshake failures without a certificate are the point of some targets, not news.
	hs.Config.ErrorLog = log.New(io.Discard, "", 0)
	hs.StartTLS()
	s.srv = hs
	s.Base = hs.URL
	s.URL = hs.URL + "/api/profile"
	return s, nil
}

// StartT is Start for tests: it fails t on error and closes the server at cleanup.
func StartT(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// allowed says whether p lets origin read, and the ACAO value it sends then.
func allowed(p Policy, re *regexp.Regexp, origin string) (string, bool) {
	in := func(list []string, f func(a, b string) bool) bool {
		for _, o := range list {
			if f(origin, o) {
				return true
			}
		}
		return false
	}
	switch p.Kind {
	case Wildcard, WildcardCredentials:
		return "*", true
	case Reflect, ReflectCredentials:
		return origin, true
	case Allowlist:
		return origin, in(p.Origins, func(a, b string) bool { return a == b })
	case NullAllowed:
		return origin, origin == "null" || in(p.Origins, func(a, b string) bool { return a == b })
	case Regex:
		return origin, re != nil && re.MatchString(origin)
	case Prefix:
		return origin, in(p.Origins, strings.HasPrefix)
	case Suffix:
		return origin, in(p.Origins, strings.HasSuffix)
	case Substring:
		return origin, in(p.Origins, strings.Contains)
	case Fixed:
		if len(p.Origins) == 0 {
			return "", false
		}
		return p.Origins[0], true
	}
	return "", false
}

func credentials(p Policy) bool {
	return p.Credentials || p.Kind == WildcardCredentials || p.Kind == ReflectCredentials
}

// cors writes the CORS headers of p for r.
func cors(w http.ResponseWriter, r *http.Request, p Policy, re *regexp.Regexp, preflight bool) {
	h := w.Header()
	if p.Kind == None {
		return
	}
	if !p.OmitVary {
		h.Add("Vary", "Origin")
	}
	origin, has := r.Header["Origin"]
	if !has || len(origin) == 0 {
		return
	}
	if p.CredentialsOnDisallowed {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	acao, ok := allowed(p, re, origin[0])
	if ok {
		h.Set("Access-Control-Allow-Origin", acao)
		if credentials(p) {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if len(p.ExposeHeaders) > 0 && !preflight {
			h.Set("Access-Control-Expose-Headers", strings.Join(p.ExposeHeaders, ", "))
		}
		if preflight {
			if p.PermissivePreflight {
				h.Set("Access-Control-Allow-Methods", r.Header.Get("Access-Control-Request-Method"))
				if acrh := r.Header.Get("Access-Control-Request-Headers"); acrh != "" {
					h.Set("Access-Control-Allow-Headers", acrh)
				}
				h.Set("Access-Control-Max-Age", "1000000")
			} else {
				h.Set("Access-Control-Allow-Methods", "DELETE, GET, OPTIONS, PATCH, POST, PUT")
				h.Set("Access-Control-Allow-Headers", "accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with")
				h.Set("Access-Control-Max-Age", "86400")
			}
			if p.PrivateNetwork && r.Header.Get("Access-Control-Request-Private-Network") == "true" {
				h.Set("Access-Control-Allow-Private-Network", "true")
			}
		}
	}
	if p.DuplicateACAO {
		h.Add("Access-Control-Allow-Origin", "*")
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.mu.Lock()
	s.origins = append(s.origins, r.Header.Get("Origin"))
	s.mu.Unlock()
	cfg := s.Config
	if cfg.ServerHeader != "" {
		w.Header().Set("Server", cfg.ServerHeader)
	}
	verified := r.TLS != nil && len(r.TLS.VerifiedChains) > 0
	if cfg.HTTPReject && !verified {
		p, re := cfg.Policy, s.re
		if cfg.RejectPolicy != nil {
			p, re = *cfg.RejectPolicy, s.rejectRe
		}
		cors(w, r, p, re, false)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, RejectBody)
		return
	}
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if preflight && cfg.Policy.StrictPreflightHeaders {
		for _, name := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
			if name = strings.ToLower(strings.TrimSpace(name)); name != "" && name != "content-type" {
				w.WriteHeader(http.StatusForbidden)
				return
			}
		}
		cors(w, r, cfg.Policy, s.re, true)
		w.Header().Set("Access-Control-Allow-Methods", r.Header.Get("Access-Control-Request-Method"))
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	if preflight && cfg.PreflightPolicy != nil {
		cors(w, r, *cfg.PreflightPolicy, s.preRe, true)
	} else {
		cors(w, r, cfg.Policy, s.re, preflight)
	}
	if preflight {
		// django-cors-headers answers before the view (and its authentication) runs.
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	if cfg.Cookies {
		w.Header().Add("Vary", "Cookie")
		http.SetCookie(w, &http.Cookie{Name: "csrftoken", Value: "t0k3nCrossgateTargetCsrf00000000", Path: "/", Secure: true, SameSite: http.SameSiteLaxMode})
		http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: "s3ss10nCrossgateTarget000000000", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	body := cfg.Body
	if body == "" {
		body = ProfileBody
		if cfg.Clean {
			body = CleanBody
		}
	}
	if cfg.AnonymousBody != "" && !verified {
		body = cfg.AnonymousBody
	}
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodHead {
		return
	}
	io.WriteString(w, body)
}
