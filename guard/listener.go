package guard

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"
)

// handshakeListener hands the HTTP side (front.go) only connections whose TLS handshake
// (and so client certificate verification) has finished. Handshakes run concurrently, each
// bounded by HandshakeTimeout, and at most maxConns connections are open at once: the next
// is not accepted until one closes.
type handshakeListener struct {
	raw   net.Listener
	s     *Server
	slots chan struct{}
	ready chan net.Conn
	done  chan struct{}
	once  sync.Once
	err   error
	mu    sync.Mutex
}

func newHandshakeListener(raw net.Listener, s *Server, maxConns int) *handshakeListener {
	l := &handshakeListener{raw: raw, s: s, slots: make(chan struct{}, maxConns), ready: make(chan net.Conn), done: make(chan struct{})}
	go l.acceptLoop()
	return l
}

func (l *handshakeListener) acceptLoop() {
	var backoff time.Duration
	for {
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			return
		}
		c, err := l.raw.Accept()
		if err != nil {
			<-l.slots
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			l.fail(err)
			return
		}
		backoff = 0
		go l.handshake(&slotConn{Conn: c, release: func() { <-l.slots }})
	}
}

func (l *handshakeListener) handshake(c *slotConn) {
	st := l.s.state.Load()
	base := &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		// Every handshake takes the newest generation: a reload changes certificates and
		// trust for new connections without touching open ones.
		return l.s.state.Load().tls, nil
	}}
	tc := tls.Server(c, base)
	ctx, cancel := context.WithTimeout(context.Background(), st.cfg.HandshakeTimeout)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		reason := handshakeReason(err)
		l.s.metrics.rejections.WithLabelValues(reason).Inc()
		attrs := []slog.Attr{slog.String("reason", reason), slog.String("remote", c.RemoteAddr().String()), slog.String("error", err.Error())}
		if certs := tc.ConnectionState().PeerCertificates; len(certs) > 0 {
			attrs = append(attrs, slog.String("subject", certs[0].Subject.String()), slog.String("cert_sha256", Fingerprint(certs[0])))
		}
		var cve *tls.CertificateVerificationError
		if errors.As(err, &cve) && len(cve.UnverifiedCertificates) > 0 {
			attrs = append(attrs, slog.String("subject", cve.UnverifiedCertificates[0].Subject.String()),
				slog.String("cert_sha256", Fingerprint(cve.UnverifiedCertificates[0])))
		}
		level := slog.LevelWarn
		if reason == "handshake-failed" || reason == "protocol-version" || reason == "handshake-timeout" {
			level = slog.LevelInfo // scanners and port checks; not a certificate decision
		}
		l.s.log.LogAttrs(context.Background(), level, "tls handshake rejected", attrs...)
		tc.Close()
		return
	}
	select {
	case l.ready <- tc:
	case <-l.done:
		tc.Close()
	}
}

func (l *handshakeListener) fail(err error) {
	l.mu.Lock()
	l.err = err
	l.mu.Unlock()
	l.Close()
}

func (l *handshakeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case <-l.done:
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.err != nil {
			return nil, l.err
		}
		return nil, net.ErrClosed
	}
}

func (l *handshakeListener) Close() error {
	var err error
	l.once.Do(func() {
		close(l.done)
		err = l.raw.Close()
	})
	return err
}

func (l *handshakeListener) Addr() net.Addr { return l.raw.Addr() }

// slotConn gives its connection slot back exactly once, however often it is closed.
type slotConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
