package gosmtpd

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/dispatch"
	"github.com/gosmtpd/gosmtpd/observe"
	"github.com/gosmtpd/gosmtpd/transport"
	"github.com/gosmtpd/gosmtpd/transport/tcp"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

// ListenAndServe listens on s.Addr (see tcp.Listen) and serves.
func (s *Server) ListenAndServe() error {
	l, err := tcp.Listen(s.addr())
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// ListenAndServeTLS listens on s.Addr and serves SMTPS (implicit TLS,
// RFC 8314) with the certificate chain and key of the PEM files, added to a
// copy of s.TLSConfig; with both names empty, s.TLSConfig as it is.
func (s *Server) ListenAndServeTLS(certFile, keyFile string) error {
	cfg := s.TLSConfig
	if certFile != "" || keyFile != "" {
		loaded, err := smtptls.LoadConfig(certFile, keyFile)
		if err != nil {
			return err
		}
		if s.TLSConfig != nil {
			cfg = s.TLSConfig.Clone()
			cfg.Certificates = loaded.Certificates
		} else {
			cfg = loaded
		}
	}
	if cfg == nil {
		return errors.New("gosmtpd: ListenAndServeTLS needs certificate files or a TLSConfig")
	}
	l, err := tcp.Listen(s.addr())
	if err != nil {
		return err
	}
	return s.Serve(smtptls.NewListener(l, cfg))
}

// ServeTLS serves SMTPS on l with s.TLSConfig: every connection is TLS from
// its first byte, and sessions offer AUTH at once.
func (s *Server) ServeTLS(l net.Listener) error {
	if s.TLSConfig == nil {
		return errors.New("gosmtpd: ServeTLS needs a TLSConfig")
	}
	return s.Serve(smtptls.NewListener(l, s.TLSConfig))
}

// checkHandler refuses a handler that would silently discard mail (see
// Serve).
func checkHandler(h hooks.Handler) error {
	if err := dispatch.CheckHandler(h); err != nil {
		return fmt.Errorf("gosmtpd: %w", err)
	}
	return nil
}

func (s *Server) addr() string {
	if s.Addr == "" {
		return ":25"
	}
	return s.Addr
}

// Serve accepts connections on l and serves each on its own goroutine,
// until Shutdown or Close (then it returns ErrServerClosed) or a permanent
// accept error. It refuses at once a Handler that implements no hook, or has
// a method that looks like a hook but is none (HandleData, a wrong
// signature, pointer methods on a handler passed by value): such a server
// would accept every message and throw it away. Temporary errors (out of file descriptors, EMFILE) are
// retried after a pause growing from 5 ms to 1 s, and logged at Error
// once a minute. Serve closes l.
func (s *Server) Serve(l net.Listener) error {
	if err := checkHandler(s.Handler); err != nil {
		l.Close()
		return err
	}
	if !s.track(l) {
		l.Close()
		return ErrServerClosed
	}
	defer s.untrack(l)
	var pause time.Duration
	for {
		nc, err := l.Accept()
		if err == nil {
			pause = 0
			s.handle(nc)
			continue
		}
		if s.stopping() {
			return ErrServerClosed
		}
		if !isTemporary(err) {
			return err
		}
		pause = min(max(2*pause, 5*time.Millisecond), time.Second)
		s.logs.accept.log(s.logger(), "err", err, "pause", pause)
		if !s.sleep(pause) {
			return ErrServerClosed
		}
	}
}

func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.As(err, &t) && t.Temporary()
}

// sleep pauses for d; false when the server stops meanwhile.
func (s *Server) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.graceful.Done():
		return false
	}
}

// handle serves nc on its own goroutine, or turns it away when the server,
// or the client's own share of it, is full.
func (s *Server) handle(nc net.Conn) {
	stress, ok := s.slots.acquire()
	if !ok {
		s.turnAway(nc, tooManyConnections(s.opts.Core.Hostname), limitConnections)
		return
	}
	releaseClient, ok := s.acquireClient(nc.RemoteAddr())
	if !ok {
		s.slots.release()
		s.turnAway(nc, tooManyFromClient(s.opts.Core.Hostname), limitClientConnections)
		return
	}
	if !s.startSession() {
		releaseClient()
		s.slots.release()
		nc.Close()
		return
	}
	srv := s.srv
	if stress {
		srv = s.stressed
	}
	go func() {
		defer s.sessions.Done()
		defer s.slots.release()
		defer releaseClient()
		srv.ServeConn(s.graceful, nc)
	}()
}

// startSession counts a session in, unless the server is closed.
func (s *Server) startSession() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.sessions.Add(1)
	return true
}

// The limits a connection is turned away by, as observe.ConnectionRefused
// names them.
const (
	limitConnections       = "max_connections"
	limitClientConnections = "max_connections_per_client"
)

// turnAway answers a connection beyond a limit with rep and closes it (a
// client told to come back later, rather than one left hanging), on its own
// goroutine: an SMTPS client first needs a handshake.
func (s *Server) turnAway(nc net.Conn, rep Reply, limit string) {
	s.refused(nc.RemoteAddr(), limit)
	if !s.startSession() {
		nc.Close()
		return
	}
	go func() {
		defer s.sessions.Done()
		transport.Refuse(s.hard, nc, s.opts, rep)
	}()
}

// refused tells the Observer and the log (once a minute) of a client
// turned away by limit.
func (s *Server) refused(client net.Addr, limit string) {
	if s.Observer != nil {
		s.Observer.Observe(&observe.Event{Kind: observe.ConnectionRefused, Client: addrString(client), Limit: limit})
	}
	switch limit {
	case limitConnections:
		s.logs.full.log(s.logger(), "client", clientIP(client), "limit", s.slots.limit)
	case limitClientConnections:
		s.logs.clientFull.log(s.logger(), "client", clientIP(client), "limit", s.perClient.limit)
	}
}

func tooManyConnections(host string) Reply {
	return Reply{Code: 421, Enhanced: "4.3.2", Text: host + " Error: too many connections, try again later"}
}

func tooManyFromClient(host string) Reply {
	return Reply{Code: 421, Enhanced: "4.7.0", Text: host + " Error: too many connections from your address"}
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}
