package testkit

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/transport"
)

// Session is one transport.ServeConn over net.Pipe; the test's side is
// the embedded Client.
type Session struct {
	*Client
	// Cancel cancels ServeConn's context: the graceful end of the session.
	Cancel context.CancelFunc
	done   chan error
}

// ServePipe starts ServeConn with o over net.Pipe, the server's side
// wrapped by wrap when it is not nil. The greeting is still to be read.
// When the test ends the session is cancelled, its pipe closed, and
// ServeConn waited for.
func ServePipe(t testing.TB, o *transport.Options, wrap func(net.Conn) net.Conn) *Session {
	t.Helper()
	srv, cli := net.Pipe()
	var nc net.Conn = srv
	if wrap != nil {
		nc = wrap(srv)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Session{Client: NewClient(t, cli), Cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- transport.ServeConn(ctx, nc, o) }()
	t.Cleanup(func() {
		cancel()
		cli.Close()
		<-s.done
	})
	return s
}

// Wait returns ServeConn's result; the test fails if the session has not
// ended within Timeout.
func (s *Session) Wait() error {
	s.T.Helper()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(Timeout):
		s.T.Fatal("the session did not end")
		return nil
	}
}
