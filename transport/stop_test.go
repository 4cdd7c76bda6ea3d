package transport_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/transport"
)

func TestGracefulStopIdleSession(t *testing.T) {
	s := serve(t, options(newRecorder()))
	s.Send("EHLO c")
	s.Expect("250")
	s.Cancel()
	s.Expect("421 4.3.2")
	s.ExpectClosed()
	if err := s.Wait(); !errors.Is(err, fsm.ErrShutdown) {
		t.Fatalf("ServeConn returned %v", err)
	}
}

// A half-sent command is not a transaction: the session ends at once.
func TestGracefulStopMidCommand(t *testing.T) {
	s := serve(t, options(newRecorder()))
	io.WriteString(s.Conn, "NO")
	s.Cancel()
	s.Expect("421 4.3.2")
	s.ExpectClosed()
}

// A transaction in flight finishes: its 250, then 421 4.3.2.
func TestGracefulStopDuringDATA(t *testing.T) {
	rec := newRecorder()
	s := serve(t, options(rec))
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	s.Send("first half")
	s.Cancel()
	time.Sleep(20 * time.Millisecond) // let the interruption land mid-message
	s.Send("second half", ".")
	s.Expect("250 2.0.0")
	s.Expect("421 4.3.2")
	s.ExpectClosed()
	if m := rec.Next(t); m.Body != "first half\r\nsecond half\r\n" {
		t.Fatalf("delivered %q", m.Body)
	}
}

// Cancelling BaseContext ends a session at once, mid-message: 421 4.3.2,
// the hook's stream fails and its context is cancelled, no 250.
func TestImmediateStopDuringDATA(t *testing.T) {
	h := testkit.NewDataWatch()
	o := options(h)
	logs := &testkit.Buffer{}
	o.Logger = testkit.DebugLogger(logs)
	base, stop := context.WithCancel(context.Background())
	o.BaseContext = base
	s := serve(t, o)
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	s.Send("half a message", "and more of it")
	<-h.Started
	stop()
	s.Expect("421 4.3.2")
	s.ExpectClosed()
	h.ExpectAbandoned(t)
	if err := s.Wait(); !errors.Is(err, fsm.ErrShutdown) {
		t.Fatalf("ServeConn returned %v", err)
	}
	if !strings.Contains(logs.String(), `msg=reply session=`) || !strings.Contains(logs.String(), `line="421 4.3.2`) {
		t.Errorf("the trace at Debug lacks the last words, 421 4.3.2:\n%s", logs)
	}
}

// stuck is a RCPT hook that ignores its context until released.
type stuck struct{ release chan struct{} }

func (h stuck) HandleRCPT(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	<-h.release
	return nil
}

// An immediate stop does not wait for a hook that ignores its context,
// under hooks.Abandoning.
func TestImmediateStopDuringAHook(t *testing.T) {
	h := stuck{release: make(chan struct{})}
	defer close(h.release)
	o := options(hooks.Abandoning{Handler: h})
	base, stop := context.WithCancel(context.Background())
	o.BaseContext = base
	s := serve(t, o)
	s.Send("EHLO c", "MAIL FROM:<a@x.test>")
	s.Expect("250")
	s.Expect("250")
	s.Send("RCPT TO:<b@y.test>")
	time.Sleep(20 * time.Millisecond)
	stop()
	s.Expect("421 4.3.2")
	s.ExpectClosed()
	s.Wait()
}

// RFC 5321 §4.5.3.2.7: a command must arrive whole within the command
// timeout; bytes trickling in do not renew it (slowloris).
func TestCommandDeadlineIsNotRenewedByBytes(t *testing.T) {
	o := options(newRecorder())
	o.Core.CommandTimeout = 300 * time.Millisecond
	s := serve(t, o)
	start := time.Now()
	go func() {
		for _, b := range "NOOP NOOP NOOP NOOP" {
			if _, err := io.WriteString(s.Conn, string(b)); err != nil {
				return
			}
			time.Sleep(30 * time.Millisecond)
		}
	}()
	s.Expect("421 4.4.2")
	if d := time.Since(start); d > 450*time.Millisecond {
		t.Fatalf("cut off after %v, want about 300ms", d)
	}
	if err := s.Wait(); !errors.Is(err, fsm.ErrTimeout) {
		t.Fatalf("ServeConn returned %v", err)
	}
}

// Complete commands each get a new deadline.
func TestCommandDeadlineRenewedPerCommand(t *testing.T) {
	o := options(newRecorder())
	o.Core.CommandTimeout = 200 * time.Millisecond
	s := serve(t, o)
	for range 5 {
		time.Sleep(100 * time.Millisecond)
		s.Send("NOOP")
		s.Expect("250")
	}
}

// After a message the command timeout is back in force, though the data
// timeout's earlier deadline may still be set on the connection (it is
// moved only when too late): a client quiet for longer than the data
// timeout, not the command timeout, is served; one quiet for longer is cut
// off at the command timeout.
func TestCommandTimeoutAfterShorterDataTimeout(t *testing.T) {
	o := options(newRecorder())
	o.Core.CommandTimeout = 1500 * time.Millisecond
	o.Core.DataTimeout = 200 * time.Millisecond
	s := serve(t, o)
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	s.Send("Subject: s", "", "body", ".")
	s.Expect("250")
	time.Sleep(600 * time.Millisecond)
	s.Send("NOOP")
	s.Expect("250")
	start := time.Now()
	s.Expect("421 4.4.2")
	if d := time.Since(start); d < time.Second {
		t.Fatalf("cut off after %v of quiet, want the command timeout, 1.5 s", d)
	}
}

// MinDataRate: a body trickling in below the rate is cut off.
func TestMinDataRate(t *testing.T) {
	h := testkit.NewDataWatch()
	o := options(h)
	o.Core.DataTimeout = 200 * time.Millisecond
	o.MinDataRate = 1000 // bytes per second
	s := serve(t, o)
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	go func() {
		for range 100 { // 10 bytes every 50 ms: 200 B/s, each block within the data timeout
			if _, err := io.WriteString(s.Conn, "0123456789"); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	s.Expect("421 4.4.2")
	if err := <-h.ReadErr; !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("the stream ended with %v", err)
	}
}

// A client that never reads its replies is dropped after the write
// timeout; memory stays bounded meanwhile.
func TestClientNeverReads(t *testing.T) {
	o := options(newRecorder())
	o.WriteTimeout = 100 * time.Millisecond
	srv, cli := net.Pipe()
	defer cli.Close()
	done := make(chan error, 1)
	go func() { done <- transport.ServeConn(context.Background(), srv, o) }()
	go func() {
		for { // net.Pipe has no buffer: the greeting is never read
			if _, err := io.WriteString(cli, strings.Repeat("NOOP\r\n", 100)); err != nil {
				return
			}
		}
	}()
	select {
	case err := <-done:
		if !errors.Is(err, fsm.ErrPeerClosed) {
			t.Fatalf("ServeConn returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the session did not end")
	}
}
