package transport_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// panicky panics in the hook named by where.
type panicky struct {
	where string
	recorder
}

func (p *panicky) HandleRCPT(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	if p.where == "RCPT" {
		panic("boom in RCPT")
	}
	return nil
}

func (p *panicky) HandleDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	if p.where == "DATA" {
		io.Copy(io.Discard, msg)
		panic("boom in DATA")
	}
	return p.recorder.HandleDATA(ctx, s, e, msg)
}

// A panic in a hook ends that session only, with 421 4.3.0; the stack is
// logged once.
func TestHandlerPanic(t *testing.T) {
	for _, where := range []string{"RCPT", "DATA"} {
		t.Run(where, func(t *testing.T) {
			h := &panicky{where: where, recorder: *newRecorder()}
			logs := &logBuffer{}
			o := options(h)
			o.Logger = newLogger(logs)
			s := serve(t, o)
			s.send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>")
			s.expect("250")
			s.expect("250")
			if where == "DATA" {
				s.expect("250")
				s.send("DATA")
				s.expect("354")
				s.send("body", ".")
			}
			s.expect("421 4.3.0")
			s.expectClosed()
			if err := s.wait(); !errors.Is(err, fsm.ErrHookClosed) {
				t.Fatalf("ServeConn returned %v", err)
			}
			out := logs.String()
			if n := strings.Count(out, "hook panicked"); n != 1 || !strings.Contains(out, "boom in "+where) ||
				!strings.Contains(out, "goroutine") {
				t.Fatalf("%d panic logs, want 1 with its stack:\n%s", n, out)
			}
			// The next session is served as usual.
			s2 := serve(t, options(newRecorder()))
			s2.send("NOOP")
			s2.expect("250")
		})
	}
}

// slow is a set of hooks that take longer than the timeout: RCPT honours
// its context, NOOP ignores it until released, DATA reads the message and
// then waits for its context.
type slow struct {
	release   chan struct{}
	cancelled chan error
}

func newSlow() *slow { return &slow{release: make(chan struct{}), cancelled: make(chan error, 4)} }

func (h *slow) HandleRCPT(ctx context.Context, _ *hooks.Session, _ *hooks.Envelope, _ string, _ []string) error {
	<-ctx.Done()
	h.cancelled <- ctx.Err()
	return ctx.Err()
}

func (h *slow) HandleNOOP(context.Context, *hooks.Session, *hooks.Envelope, string) error {
	<-h.release
	return nil
}

func (h *slow) HandleDATA(ctx context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	io.Copy(io.Discard, msg)
	<-ctx.Done()
	h.cancelled <- ctx.Err()
	return nil // too late: a 250 must not follow
}

func TestSlowHandlerTimesOut(t *testing.T) {
	h := newSlow()
	defer close(h.release)
	o := options(h)
	o.HandlerTimeout = 100 * time.Millisecond
	s := serve(t, o)
	s.send("EHLO c", "MAIL FROM:<a@x.test>")
	s.expect("250")
	s.expect("250")

	start := time.Now()
	s.send("NOOP") // ignores its context: answered at the timeout all the same
	s.expect("451 4.3.0")
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("NOOP answered after %v", d)
	}

	s.send("RCPT TO:<b@y.test>") // honours it
	s.expect("451 4.3.0")
	if err := <-h.cancelled; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RCPT's context ended with %v", err)
	}
	s.send("QUIT")
	s.expect("221")
}

func TestSlowDATAHandlerGetsNo250(t *testing.T) {
	h := newSlow()
	defer close(h.release)
	o := options(&slowData{h})
	o.HandlerTimeout = 100 * time.Millisecond
	s := serve(t, o)
	s.send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	for _, want := range []string{"250", "250", "250", "354"} {
		s.expect(want)
	}
	s.send("body", ".")
	s.expect("451 4.3.0")
	if err := <-h.cancelled; err == nil {
		t.Fatal("the DATA hook's context was not cancelled")
	}
	s.send("NOOP")
	s.expect("250")
}

// slowData has only the DATA hook of slow.
type slowData struct{ s *slow }

func (h *slowData) HandleDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	return h.s.HandleDATA(ctx, s, e, msg)
}

// vanishing records how the stream and the context of DATA ended. started
// is closed once the first bytes of the message have reached it.
type vanishing struct {
	started chan struct{}
	readErr chan error
	ctxErr  chan error
}

func newVanishing() *vanishing {
	return &vanishing{started: make(chan struct{}), readErr: make(chan error, 1), ctxErr: make(chan error, 1)}
}

func (h *vanishing) HandleDATA(ctx context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	first := make([]byte, 1)
	_, err := io.ReadFull(msg, first)
	close(h.started)
	if err == nil {
		_, err = io.Copy(io.Discard, msg)
	}
	h.readErr <- err
	<-ctx.Done()
	h.ctxErr <- ctx.Err()
	return nil
}

// A client that goes mid-DATA: the hook's stream fails with
// io.ErrUnexpectedEOF, never io.EOF, and its context is cancelled.
func TestClientVanishesMidDATA(t *testing.T) {
	h := newVanishing()
	s := serve(t, options(h))
	s.send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	for _, want := range []string{"250", "250", "250", "354"} {
		s.expect(want)
	}
	s.send(strings.Repeat("part of a message\r\n", 1000))
	<-h.started
	s.nc.Close()
	if err := <-h.readErr; !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("the stream ended with %v, want io.ErrUnexpectedEOF", err)
	}
	if err := <-h.ctxErr; err == nil {
		t.Fatal("the context was not cancelled")
	}
	if err := s.wait(); !errors.Is(err, fsm.ErrPeerClosed) {
		t.Fatalf("ServeConn returned %v", err)
	}
}
