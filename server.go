package gosmtpd

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/transport"
)

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("gosmtpd: server closed")

// Server is an SMTP or LMTP server. Its zero value serves on ":25" with no
// handler (every message accepted and discarded). Fields must not change
// after Serve is called.
type Server struct {
	Addr      string        // "host:port"; default ":25"
	Handler   hooks.Handler // nil: accept and discard
	Hostname  string        // default os.Hostname()
	Ident     string        // greeting text after the hostname
	LMTP      bool
	TLSConfig *tls.Config // enables STARTTLS; required by ListenAndServeTLS
	// RequireTLS refuses mail commands before STARTTLS (530).
	RequireTLS     bool
	MaxMessageSize int64         // default 32 MiB; <0 unlimited
	SMTPUTF8       bool          // offer SMTPUTF8
	Timeout        time.Duration // per command; default 5 minutes
	// Core, when set, is the starting point of every session's protocol
	// configuration (limits, extensions); the fields above override it.
	Core   *fsm.Config
	Logger *slog.Logger

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	shutdown  context.CancelFunc
	stopCtx   context.Context
	closed    bool
	wg        sync.WaitGroup
}

// ListenAndServe listens on s.Addr and serves.
func (s *Server) ListenAndServe() error {
	l, err := net.Listen("tcp", s.addr())
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// ListenAndServeTLS serves SMTPS (implicit TLS, RFC 8314) with the given
// certificate files, or with s.TLSConfig when both are empty.
func (s *Server) ListenAndServeTLS(certFile, keyFile string) error {
	cfg := s.TLSConfig.Clone()
	if cfg == nil {
		cfg = &tls.Config{}
	}
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	l, err := net.Listen("tcp", s.addr())
	if err != nil {
		return err
	}
	return s.Serve(&smtpsListener{tls.NewListener(l, cfg)}) // cfg: s.TLSConfig plus the files
}

func (s *Server) addr() string {
	if s.Addr == "" {
		return ":25"
	}
	return s.Addr
}

// Serve accepts connections on l and serves each in its own goroutine. It
// returns ErrServerClosed after Shutdown or Close.
func (s *Server) Serve(l net.Listener) error {
	if !s.track(l) {
		return ErrServerClosed
	}
	defer s.untrack(l)
	opts := s.options(l)
	for delay := time.Duration(0); ; {
		nc, err := l.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay) // EMFILE and friends: back off, do not spin
				continue
			}
			return err
		}
		delay = 0
		s.serveConn(nc, opts)
	}
}

func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func (s *Server) serveConn(nc net.Conn, opts *transport.Options) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.conns[nc] = struct{}{}
	s.wg.Add(1)
	ctx := s.stopCtx
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer s.forget(nc)
		err := transport.ServeConn(ctx, nc, opts)
		if err != nil && !errors.Is(err, fsm.ErrPeerClosed) {
			s.logger().Debug("session ended", "peer", nc.RemoteAddr().String(), "cause", err)
		}
	}()
}

// options builds the per-listener session options.
func (s *Server) options(l net.Listener) *transport.Options {
	d := hooks.NewDispatcher(s.Handler)
	var core fsm.Config
	if s.Core != nil {
		core = *s.Core
	}
	core.Hostname = s.hostname()
	core.Ident = s.Ident
	core.LMTP = s.LMTP || core.LMTP
	core.SMTPUTF8 = s.SMTPUTF8 || core.SMTPUTF8
	core.RequireTLS = s.RequireTLS || core.RequireTLS
	core.TLSAvailable = s.TLSConfig != nil
	core.TLSActive = isTLSListener(l)
	if s.MaxMessageSize != 0 {
		core.MaxMessageSize = s.MaxMessageSize
	}
	if s.Timeout != 0 {
		core.CommandTimeout = s.Timeout
	}
	core.Hooks = d.Hooks()
	return &transport.Options{Core: core, Dispatcher: d, TLSConfig: s.TLSConfig, Logger: s.Logger}
}

// isTLSListener reports whether l is an SMTPS listener (ServeTLS): sessions
// then start encrypted and offer AUTH at once.
func isTLSListener(l net.Listener) bool {
	_, ok := l.(*smtpsListener)
	return ok
}

func (s *Server) hostname() string {
	if s.Hostname != "" {
		return s.Hostname
	}
	if h, err := os.Hostname(); err == nil {
		return h
	}
	return "localhost"
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) track(l net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.listeners == nil {
		s.listeners = map[net.Listener]struct{}{}
		s.conns = map[net.Conn]struct{}{}
		s.stopCtx, s.shutdown = context.WithCancel(context.Background())
	}
	s.listeners[l] = struct{}{}
	return true
}

func (s *Server) untrack(l net.Listener) {
	s.mu.Lock()
	delete(s.listeners, l)
	s.mu.Unlock()
}

func (s *Server) forget(nc net.Conn) {
	s.mu.Lock()
	delete(s.conns, nc)
	s.mu.Unlock()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Shutdown stops accepting, tells every session to end at its next command
// boundary (421 4.3.2; transactions in flight finish first) and waits for
// them until ctx ends; then it closes the rest and returns ctx.Err().
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopListening()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.closeConns()
		<-done
		return ctx.Err()
	}
}

// Close stops at once: listeners and connections are closed.
func (s *Server) Close() error {
	s.stopListening()
	s.closeConns()
	s.wg.Wait()
	return nil
}

func (s *Server) stopListening() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	if s.shutdown != nil {
		s.shutdown()
	}
}

func (s *Server) closeConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for nc := range s.conns {
		nc.Close()
	}
}

// smtpsListener marks a listener whose connections are TLS from the start.
type smtpsListener struct{ net.Listener }

// ServeTLS serves SMTPS on l with s.TLSConfig: every connection is TLS from
// its first byte (RFC 8314).
func (s *Server) ServeTLS(l net.Listener) error {
	return s.Serve(&smtpsListener{tls.NewListener(l, s.TLSConfig)})
}
