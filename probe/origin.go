package probe

import (
	"context"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Origin returns u's origin as the rate limit and the connection cap key it: scheme, host
// and port, the default port written out, so https://h and https://h:443 are one origin and
// two ports of one machine are two.
func Origin(u *url.URL) string {
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(host), port)
}

// OriginOf parses rawURL and returns its Origin, or rawURL itself when it does not parse.
func OriginOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return rawURL
	}
	return Origin(u)
}

// Limits holds the per-origin rate limiters and connection slots; share one between the
// clients of a scan so that every request to an origin counts against the same budget.
type Limits struct {
	mu    sync.Mutex
	rates map[string]*rate.Limiter
	slots map[string]chan struct{}
}

// NewLimits returns an empty limiter registry.
func NewLimits() *Limits {
	return &Limits{rates: map[string]*rate.Limiter{}, slots: map[string]chan struct{}{}}
}

func (l *Limits) limiter(origin string, perSecond float64) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.rates[origin]
	if lim == nil {
		// A burst of one second's worth: a scan starts at its rate, it does not save up.
		lim = rate.NewLimiter(rate.Limit(perSecond), max(1, int(perSecond)))
		l.rates[origin] = lim
	}
	return lim
}

func (l *Limits) slotsOf(origin string, n int) chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.slots[origin]
	if s == nil {
		s = make(chan struct{}, n)
		l.slots[origin] = s
	}
	return s
}

// Wait blocks until the rate limit of origin (see Origin) lets one more request go out.
func (c *Client) Wait(ctx context.Context, origin string) error {
	if c.cfg.Rate < 0 {
		return nil
	}
	return c.cfg.Limits.limiter(origin, c.cfg.Rate).Wait(ctx)
}

// acquire takes one of origin's connection slots. While none is free it closes this
// client's idle connections now and then: an idle connection kept for one identity must not
// starve a dial for another.
func (c *Client) acquire(ctx context.Context, origin string) (release func(), err error) {
	slots := c.cfg.Limits.slotsOf(origin, c.cfg.MaxConns)
	select {
	case slots <- struct{}{}:
	default:
		tick := time.NewTicker(25 * time.Millisecond)
		defer tick.Stop()
		c.CloseIdle()
	wait:
		for {
			select {
			case slots <- struct{}{}:
				break wait
			case <-tick.C:
				c.CloseIdle()
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	var once sync.Once
	return func() { once.Do(func() { <-slots }) }, nil
}

// slotConn gives its connection slot back when closed.
type slotConn struct {
	net.Conn
	release func()
}

func (s *slotConn) Close() error {
	err := s.Conn.Close()
	s.release()
	return err
}

// dialCounted dials addr for origin within the origin's connection cap.
func (c *Client) dialCounted(ctx context.Context, origin, network, addr string) (net.Conn, error) {
	release, err := c.acquire(ctx, origin)
	if err != nil {
		return nil, err
	}
	dial := c.cfg.Dial
	if dial == nil {
		d := &net.Dialer{Timeout: c.cfg.Timeout, KeepAlive: 30 * time.Second}
		dial = d.DialContext
	}
	conn, err := dial(ctx, network, addr)
	if err != nil {
		release()
		return nil, err
	}
	return &slotConn{Conn: conn, release: release}, nil
}

// DialRaw opens a TCP connection to u's host within the origin's connection cap and rate
// limit, for probes that drive a handshake themselves (old TLS versions). It counts as a
// request sent. The caller closes it.
func (c *Client) DialRaw(ctx context.Context, u *url.URL) (net.Conn, error) {
	origin := Origin(u)
	if err := c.Wait(ctx, origin); err != nil {
		return nil, err
	}
	c.CountSent(1)
	countIn(ctx)
	trace(ctx, Sent{Method: "handshake", URL: u.String(), Handshake: true})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(origin, u.Scheme+"://"))
	return c.dialCounted(ctx, origin, "tcp", net.JoinHostPort(u.Hostname(), port))
}

type counterKey struct{}

// WithCounter returns a context whose requests (sent on the wire, not answered from the
// cache) are also counted in n, besides any counter ctx already carries: the scan counts
// each endpoint's own requests, and the progress line all of them, while clients are shared.
func WithCounter(ctx context.Context, n *atomic.Int64) context.Context {
	prev, _ := ctx.Value(counterKey{}).([]*atomic.Int64)
	return context.WithValue(ctx, counterKey{}, append(slices.Clip(prev), n))
}

func countIn(ctx context.Context) {
	ns, _ := ctx.Value(counterKey{}).([]*atomic.Int64)
	for _, n := range ns {
		n.Add(1)
	}
}
