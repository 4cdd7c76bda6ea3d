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
	"github.com/gosmtpd/gosmtpd/internal/testkit"
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
			logs := &testkit.Buffer{}
			o := options(h)
			o.Logger = testkit.DebugLogger(logs)
			s := serve(t, o)
			s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>")
			s.Expect("250")
			s.Expect("250")
			if where == "DATA" {
				s.Expect("250")
				s.Send("DATA")
				s.Expect("354")
				s.Send("body", ".")
			}
			s.Expect("421 4.3.0")
			s.ExpectClosed()
			if err := s.Wait(); !errors.Is(err, fsm.ErrHookClosed) {
				t.Fatalf("ServeConn returned %v", err)
			}
			out := logs.String()
			if n := strings.Count(out, "hook panicked"); n != 1 || !strings.Contains(out, "boom in "+where) ||
				!strings.Contains(out, "goroutine") {
				t.Fatalf("%d panic logs, want 1 with its stack:\n%s", n, out)
			}
			// The next session is served as usual.
			s2 := serve(t, options(newRecorder()))
			s2.Send("NOOP")
			s2.Expect("250")
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

// Under hooks.Abandoning a hook that ignores its context is left behind
// at its time limit, and the client gets its reply then.
func TestSlowHandlerTimesOut(t *testing.T) {
	h := newSlow()
	defer close(h.release)
	o := options(hooks.Abandoning{Handler: h})
	o.HandlerTimeout = 100 * time.Millisecond
	s := serve(t, o)
	s.Send("EHLO c", "MAIL FROM:<a@x.test>")
	s.Expect("250")
	s.Expect("250")

	start := time.Now()
	s.Send("NOOP") // ignores its context: answered at the timeout all the same
	s.Expect("451 4.3.0")
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("NOOP answered after %v", d)
	}

	s.Send("RCPT TO:<b@y.test>") // honours it
	s.Expect("451 4.3.0")
	if err := <-h.cancelled; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RCPT's context ended with %v", err)
	}
	s.Send("QUIT")
	s.Expect("221")
}

// Without hooks.Abandoning hooks run on the session's goroutine, as
// net/http handlers do: a hook that ignores its context holds its session
// until it returns; its context is cancelled at its time limit all the
// same, and an answer after it is no answer.
func TestHookOnTheSessionsGoroutine(t *testing.T) {
	h := &lateNOOP{release: make(chan struct{}), cancelled: make(chan error, 1)}
	o := options(h)
	o.HandlerTimeout = 50 * time.Millisecond
	s := serve(t, o)
	s.Send("EHLO c")
	s.Expect("250")
	s.Send("NOOP")
	if err := <-h.cancelled; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the hook's context ended with %v", err)
	}
	close(h.release)
	s.Expect("451 4.3.0")
	s.Send("QUIT")
	s.Expect("221")
}

// lateNOOP answers NOOP once released, after its context ended.
type lateNOOP struct {
	release   chan struct{}
	cancelled chan error
}

func (h *lateNOOP) HandleNOOP(ctx context.Context, _ *hooks.Session, _ *hooks.Envelope, _ string) error {
	<-ctx.Done()
	h.cancelled <- ctx.Err()
	<-h.release
	return nil
}

func TestSlowDATAHandlerGetsNo250(t *testing.T) {
	h := newSlow()
	defer close(h.release)
	o := options(&slowData{h})
	o.HandlerTimeout = 100 * time.Millisecond
	s := serve(t, o)
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	s.Send("body", ".")
	s.Expect("451 4.3.0")
	if err := <-h.cancelled; err == nil {
		t.Fatal("the DATA hook's context was not cancelled")
	}
	s.Send("NOOP")
	s.Expect("250")
}

// slowData has only the DATA hook of slow.
type slowData struct{ s *slow }

func (h *slowData) HandleDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	return h.s.HandleDATA(ctx, s, e, msg)
}

// A client that goes mid-DATA: the hook's stream fails with
// io.ErrUnexpectedEOF, never io.EOF, and its context is cancelled.
func TestClientVanishesMidDATA(t *testing.T) {
	h := testkit.NewDataWatch()
	s := serve(t, options(h))
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	s.Send(strings.Repeat("part of a message\r\n", 1000))
	<-h.Started
	s.Conn.Close()
	h.ExpectAbandoned(t)
	if err := s.Wait(); !errors.Is(err, fsm.ErrPeerClosed) {
		t.Fatalf("ServeConn returned %v", err)
	}
}
