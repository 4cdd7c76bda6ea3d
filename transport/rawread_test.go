package transport_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/transport"
)

// The tests of this file run sessions over loopback TCP, where the driver
// reads the socket's descriptor itself and waits for readiness rather than
// trying a read for nothing; net.Pipe, which the other tests use, takes the
// plain path.

// tcpSession is a ServeConn over a loopback TCP connection.
type tcpSession struct {
	*testkit.Client
	cancel context.CancelFunc
	done   chan error
}

// serveTCP starts ServeConn with o on the server's side of a loopback TCP
// connection and reads the greeting.
func serveTCP(t *testing.T, o *transport.Options) *tcpSession {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cli, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &tcpSession{Client: testkit.NewClient(t, cli), cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- transport.ServeConn(ctx, srv, o) }()
	t.Cleanup(func() {
		cancel()
		cli.Close()
		<-s.done
	})
	s.Expect("220 ")
	return s
}

func (s *tcpSession) wait() error {
	s.T.Helper()
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(testkit.Timeout):
		s.T.Fatal("the session did not end")
		return nil
	}
}

// Whole transactions in one write are answered in order, one write of
// replies per batch, and each message is delivered whole.
func TestTCPPipelinedTransactions(t *testing.T) {
	rec := newRecorder()
	s := serveTCP(t, options(rec))
	var batch []string
	for range 3 {
		batch = append(batch, "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA", "Subject: t", "", "body", ".")
	}
	s.Send(append([]string{"EHLO c"}, batch...)...)
	s.Expect("250")
	for range 3 {
		s.ExpectAll("250", "250", "354", "250")
	}
	for range 3 {
		if m := rec.Next(t); m.Body != "Subject: t\r\n\r\nbody\r\n" || m.From != "a@x.test" {
			t.Fatalf("delivered %+v", m)
		}
	}
	s.Send("QUIT")
	s.Expect("221")
	if err := s.wait(); err != nil {
		t.Fatalf("ServeConn returned %v", err)
	}
}

// A body larger than the read buffer, sent in one write, fills the buffer
// at each read: the driver reads again without waiting.
func TestTCPBodyBeyondTheReadBuffer(t *testing.T) {
	rec := newRecorder()
	o := options(rec)
	o.Core.ReadBufferSize = 1024
	s := serveTCP(t, o)
	body := strings.Repeat(strings.Repeat("y", 76)+"\r\n", 20000) // ~1.5 MiB
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	go s.Conn.Write([]byte(body + ".\r\n"))
	s.Expect("250")
	if m := rec.Next(t); m.Body != body {
		t.Fatalf("delivered %d bytes, want %d", len(m.Body), len(body))
	}
}

// An idle session times out while the driver waits for the socket.
func TestTCPCommandTimeout(t *testing.T) {
	o := options(newRecorder())
	o.Core.CommandTimeout = 50 * time.Millisecond
	s := serveTCP(t, o)
	s.Send("EHLO c")
	s.Expect("250")
	s.Expect("421 4.4.2")
	s.ExpectClosed()
	if err := s.wait(); !errors.Is(err, fsm.ErrTimeout) {
		t.Fatalf("ServeConn returned %v", err)
	}
}

// A graceful stop reaches a session that waits for the socket, and a
// transaction in flight still ends with its 250.
func TestTCPGracefulStop(t *testing.T) {
	rec := newRecorder()
	s := serveTCP(t, options(rec))
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	s.Send("first half")
	s.cancel()
	time.Sleep(20 * time.Millisecond) // let the interruption land mid-message
	s.Send("second half", ".")
	s.Expect("250 2.0.0")
	s.Expect("421 4.3.2")
	s.ExpectClosed()
	if err := s.wait(); !errors.Is(err, fsm.ErrShutdown) {
		t.Fatalf("ServeConn returned %v", err)
	}
	if m := rec.Next(t); m.Body != "first half\r\nsecond half\r\n" {
		t.Fatalf("delivered %q", m.Body)
	}
}

// Cancelling BaseContext ends a waiting session at once.
func TestTCPImmediateStop(t *testing.T) {
	o := options(newRecorder())
	base, stop := context.WithCancel(context.Background())
	o.BaseContext = base
	s := serveTCP(t, o)
	s.Send("EHLO c")
	s.Expect("250")
	stop()
	s.Expect("421 4.3.2")
	s.ExpectClosed()
	if err := s.wait(); !errors.Is(err, fsm.ErrShutdown) {
		t.Fatalf("ServeConn returned %v", err)
	}
}

// STARTTLS leaves the descriptor to crypto/tls: the session goes on
// encrypted, and pipelined plaintext after STARTTLS is still thrown away.
func TestTCPStartTLS(t *testing.T) {
	rec := newRecorder()
	o := options(rec)
	srvTLS, cliTLS := testkit.TLSConfigs(t, "mx.test")
	o.TLSConfig = srvTLS
	s := serveTCP(t, o)
	s.Send("EHLO c")
	s.Expect("250")
	s.Send("STARTTLS", "MAIL FROM:<injected@x.test>")
	s.Expect("220")
	s.StartTLS(cliTLS)
	s.Send("EHLO c")
	s.Expect("250")
	s.Deliver("a@x.test", "b@y.test", "over TLS\r\n")
	if m := rec.Next(t); !m.TLS || m.From != "a@x.test" || m.Body != "over TLS\r\n" {
		t.Fatalf("delivered %+v", m)
	}
}

// A client that half-closes right after its last command, its FIN taken by
// the read with the command, is answered and seen gone well before any
// timeout.
func TestTCPHalfCloseAfterCommand(t *testing.T) {
	s := serveTCP(t, options(newRecorder()))
	s.Send("EHLO c")
	s.Expect("250")
	start := time.Now()
	s.Send("NOOP")
	s.Conn.(*net.TCPConn).CloseWrite()
	s.Expect("250")
	s.ExpectClosed()
	if err := s.wait(); !errors.Is(err, fsm.ErrPeerClosed) {
		t.Fatalf("ServeConn returned %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the end of the stream was seen after %v", d)
	}
}

// A client gone in the middle of a body fails the hook's stream promptly.
func TestTCPVanishedMidBody(t *testing.T) {
	rec := newRecorder()
	s := serveTCP(t, options(rec))
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	s.Send("the first half")
	s.Conn.Close()
	if m := rec.Next(t); m.Err == nil {
		t.Fatalf("the hook's stream ended with no error: %+v", m)
	}
	if err := s.wait(); !errors.Is(err, fsm.ErrPeerClosed) {
		t.Fatalf("ServeConn returned %v", err)
	}
}
