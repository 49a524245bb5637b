package guard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// CORSConfig is the cross-origin policy: which exact origins may read responses, and what
// their preflights may ask for.
type CORSConfig struct {
	// AllowOrigins are exact origins (scheme://host[:port]). "*" and "null" are refused.
	AllowOrigins []string
	// AllowCredentials adds Access-Control-Allow-Credentials: true for allowed origins.
	AllowCredentials bool
	// AllowMethods and AllowHeaders are what a preflight may ask for; the CORS-safelisted
	// methods (GET, HEAD, POST) are always allowed.
	AllowMethods []string
	AllowHeaders []string
	// MaxAge is how long, in seconds, a browser may cache a preflight answer (0: not sent).
	MaxAge int
}

// CORS is a compiled CORSConfig.
type CORS struct {
	origins     map[string]bool
	credentials bool
	methods     map[string]bool
	headers     map[string]bool
	allowMethod string
	allowHeader string
	maxAge      string
}

// NewCORS checks cfg and compiles it. A wildcard is refused rather than narrowed: on an API
// that authenticates by client certificate, Chromium presents the certificate even on
// requests without credentials, so "*" hands the data to every site.
func NewCORS(cfg CORSConfig) (*CORS, error) {
	c := &CORS{origins: map[string]bool{}, credentials: cfg.AllowCredentials, methods: map[string]bool{}, headers: map[string]bool{}}
	for _, o := range cfg.AllowOrigins {
		norm, err := NormalizeOrigin(o)
		if err != nil {
			return nil, err
		}
		c.origins[norm] = true
	}
	var ms []string
	for _, m := range cfg.AllowMethods {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if m == "*" {
			return nil, errors.New(`allowed methods: "*" is refused; list the methods the API needs, e.g. GET,POST`)
		}
		if !isToken(m) {
			return nil, fmt.Errorf("allowed methods: %q is not a method name", m)
		}
		if !c.methods[m] {
			c.methods[m] = true
			ms = append(ms, m)
		}
	}
	var hs []string
	for _, h := range cfg.AllowHeaders {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if h == "*" {
			return nil, errors.New(`allowed headers: "*" is refused; list the request headers the API needs, e.g. content-type`)
		}
		if !isToken(h) {
			return nil, fmt.Errorf("allowed headers: %q is not a header name", h)
		}
		if !c.headers[h] {
			c.headers[h] = true
			hs = append(hs, h)
		}
	}
	if cfg.MaxAge < 0 || cfg.MaxAge > 86400 {
		return nil, fmt.Errorf("max age %d is outside 0..86400 seconds", cfg.MaxAge)
	}
	c.allowMethod, c.allowHeader = strings.Join(ms, ", "), strings.Join(hs, ", ")
	if cfg.MaxAge > 0 {
		c.maxAge = strconv.Itoa(cfg.MaxAge)
	}
	return c, nil
}

// NormalizeOrigin checks that s is one origin as a browser serialises it in the Origin
// header (scheme://host[:port], no path, default port omitted) and returns that form.
func NormalizeOrigin(s string) (string, error) {
	switch strings.TrimSpace(s) {
	case "*":
		return "", errors.New(`allowed origin "*" is refused: with client certificates a wildcard lets every website read the API; list exact origins such as https://app.example.com`)
	case "null":
		return "", errors.New(`allowed origin "null" is refused: sandboxed frames and local files of any site send it`)
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("allowed origin %q is not an origin: write scheme://host[:port], e.g. https://app.example.com", s)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.Contains(u.Host, "*") {
		return "", fmt.Errorf("allowed origin %q must be exactly scheme://host[:port], without path, query or wildcard", s)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	out := u.Scheme + "://" + host
	if port != "" {
		out += ":" + port
	}
	return out, nil
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}

// Allowed reports whether origin is on the allowlist, compared exactly.
func (c *CORS) Allowed(origin string) bool { return c != nil && origin != "" && c.origins[origin] }

// isPreflight: an OPTIONS request carrying Origin and Access-Control-Request-Method
// (Fetch, "CORS-preflight fetch").
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// safelisted methods need no preflight (Fetch, "CORS-safelisted method").
func safelistedMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodPost
}

// Preflight answers a preflight itself: 204, with the allow headers only when the origin is
// allowed and the method and every requested header are configured. A refused preflight
// gets the same 204 without them, which the browser reads as a refusal.
func (c *CORS) Preflight(w http.ResponseWriter, r *http.Request) (allowed bool) {
	h := w.Header()
	h.Add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	allowed = c.Allowed(origin) && (safelistedMethod(method) || c.methods[method])
	if allowed {
		for _, v := range r.Header.Values("Access-Control-Request-Headers") {
			for _, name := range strings.Split(v, ",") {
				name = strings.ToLower(strings.TrimSpace(name))
				if name != "" && !c.headers[name] {
					allowed = false
				}
			}
		}
	}
	if allowed {
		h.Set("Access-Control-Allow-Origin", origin)
		if c.credentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if c.allowMethod != "" {
			h.Set("Access-Control-Allow-Methods", c.allowMethod)
		}
		if c.allowHeader != "" {
			h.Set("Access-Control-Allow-Headers", c.allowHeader)
		}
		if c.maxAge != "" {
			h.Set("Access-Control-Max-Age", c.maxAge)
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return allowed
}

// Apply rewrites the CORS headers of a response about to be sent: whatever the upstream
// said is removed, and only an allowed origin gets Access-Control-Allow-Origin (its own
// value, never "*"). Vary: Origin is always present, so a cache never serves one origin's
// answer to another.
func (c *CORS) Apply(h http.Header, origin string) {
	for k := range h {
		if len(k) > 15 && strings.EqualFold(k[:15], "Access-Control-") {
			delete(h, k)
		}
	}
	addVaryOrigin(h)
	if !c.Allowed(origin) {
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if c.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

func addVaryOrigin(h http.Header) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, "Origin") {
				return
			}
		}
	}
	h.Add("Vary", "Origin")
}

// Origins returns the allowed origins, sorted.
func (c *CORS) Origins() []string {
	if c == nil {
		return nil
	}
	out := make([]string, 0, len(c.origins))
	for o := range c.origins {
		out = append(out, o)
	}
	slices.Sort(out)
	return out
}
