package gosmtpd

import (
	"context"
	"errors"
	"net"
	"time"
)

// track adds l to the listeners Shutdown closes; false once closed.
func (s *Server) track(l net.Listener) bool {
	if !s.init() {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.listeners[l] = struct{}{}
	return true
}

func (s *Server) untrack(l net.Listener) {
	s.mu.Lock()
	delete(s.listeners, l)
	s.mu.Unlock()
	l.Close()
}

func (s *Server) stopping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// RegisterOnShutdown registers f to be called, on a goroutine of its own,
// when Shutdown or Close is first called, as net/http's Server does: to
// tell a load balancer that the server is going (a health check that turns
// unready), or to end what the server's hooks started.
func (s *Server) RegisterOnShutdown(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onShutdown = append(s.onShutdown, f)
}

// Shutdown stops the server gracefully: it closes the listeners, then every
// session ends at its next command boundary: an idle one at once with
// "421 4.3.2", one in a mail transaction after its final reply. Shutdown
// waits for them until ctx ends; then it ends the rest at once (421 4.3.2,
// their hooks' contexts cancelled, no message acknowledged that was not
// delivered whole), waits for them to go (at most stuckGrace) and returns
// ctx.Err().
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.stopListening()
	done := s.sessionsDone()
	select {
	case <-done:
		return err
	case <-ctx.Done():
	}
	s.stopHard()
	waitAtMost(done, stuckGrace)
	return ctx.Err()
}

// Close stops the server at once: it closes the listeners and ends every
// session with "421 4.3.2", cancelling their hooks' contexts, and waits for
// them to go, at most stuckGrace. Hooks run on their sessions' goroutines:
// a session whose hook ignores its context ends when the hook returns,
// unless the handler is wrapped in hooks.Abandoning, which leaves such a
// hook behind.
func (s *Server) Close() error {
	err := s.stopListening()
	s.stopHard()
	waitAtMost(s.sessionsDone(), stuckGrace)
	return err
}

// stuckGrace bounds the wait for sessions ended at once: time for their
// last words, not for a hook that ignores its context.
const stuckGrace = 2 * time.Second

// sessionsDone is closed when every session has ended.
func (s *Server) sessionsDone() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		s.sessions.Wait()
		close(done)
	}()
	return done
}

func waitAtMost(done <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// stopListening marks the server closed, closes its listeners and asks the
// sessions to end gracefully.
func (s *Server) stopListening() error {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		for _, f := range s.onShutdown {
			go f()
		}
	}
	s.closed = true
	var err error
	for l := range s.listeners {
		if cerr := l.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) {
			err = errors.Join(err, cerr)
		}
	}
	s.stopAll()
	return err
}
