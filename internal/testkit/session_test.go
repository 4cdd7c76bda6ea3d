package testkit

import (
	"errors"
	"log/slog"
	"net"
	"testing"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/transport"
)

func pipeOptions() *transport.Options {
	o := &transport.Options{Logger: slog.New(slog.DiscardHandler)}
	o.Core.Hostname = "mx.test"
	return o
}

func TestServePipeRunsASessionToQUIT(t *testing.T) {
	var counted *WriteCounter
	s := ServePipe(t, pipeOptions(), func(c net.Conn) net.Conn { counted = &WriteCounter{Conn: c}; return counted })
	s.Expect("220 mx.test")
	s.Send("NOOP", "QUIT")
	s.ExpectAll("250", "221")
	s.ExpectClosed()
	if err := s.Wait(); err != nil {
		t.Fatalf("ServeConn returned %v", err)
	}
	if counted.Writes.Load() == 0 {
		t.Fatal("the wrapped connection was not the server's")
	}
}

func TestSessionCancelStopsIt(t *testing.T) {
	s := ServePipe(t, pipeOptions(), nil)
	s.Expect("220 ")
	s.Cancel()
	s.Expect("421 4.3.2")
	if err := s.Wait(); !errors.Is(err, fsm.ErrShutdown) {
		t.Fatalf("ServeConn returned %v, want ErrShutdown", err)
	}
}
