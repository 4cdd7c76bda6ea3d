package attacks_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// failingEHLO fails every EHLO but "client.test" with an error that
// quotes the name, so that the name reaches the log.
type failingEHLO struct{ *recorder }

func (failingEHLO) HandleEHLO(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, name string, caps []string) ([]string, error) {
	if name == "client.test" {
		return caps, nil
	}
	return nil, fmt.Errorf("refusing EHLO %s", name)
}

// T-27: a client that resets the connection 5 MB into a message: the
// hook's stream fails with io.ErrUnexpectedEOF (not io.EOF), its context
// is cancelled, and the session is gone (Shutdown has nothing to wait for).
func TestClientResetMidDATA(t *testing.T) {
	h := testkit.NewDataWatch()
	srv := &gosmtpd.Server{Handler: h}
	c := connect(t, start(t, srv))
	c.transaction()
	block := bodyBlock()
	c.stream(block, 5<<20)
	<-h.Started
	c.Conn.(*net.TCPConn).SetLinger(0)
	c.Conn.Close() // RST
	h.ExpectAbandoned(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v: the session outlived its client", err)
	}
}

// panicky panics in the hook named by where, for mail from boom@x.test.
type panicky struct {
	where string
	*recorder
}

func (p panicky) HandleMAIL(ctx context.Context, s *hooks.Session, e *hooks.Envelope, addr string, opts []string) error {
	if p.where == "MAIL" && addr == "boom@x.test" {
		panic("boom in MAIL")
	}
	return nil
}

func (p panicky) HandleRCPT(_ context.Context, _ *hooks.Session, e *hooks.Envelope, _ string, _ []string) error {
	if p.where == "RCPT" && e.MailFrom == "boom@x.test" {
		panic("boom in RCPT")
	}
	return nil
}

func (p panicky) HandleDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	if p.where == "DATA" && e.MailFrom == "boom@x.test" {
		io.Copy(io.Discard, msg)
		panic("boom in DATA")
	}
	return p.recorder.HandleDATA(ctx, s, e, msg)
}

// T-28: a panic in MAIL, RCPT or DATA ends that session with 421 4.3.0
// (as go-smtp does), logs the stack once, and leaves the other sessions
// and the server running.
func TestHandlerPanics(t *testing.T) {
	for _, where := range []string{"MAIL", "RCPT", "DATA"} {
		t.Run(where, func(t *testing.T) {
			logs := &testkit.Buffer{}
			h := panicky{where: where, recorder: newRecorder()}
			addr := start(t, &gosmtpd.Server{Handler: h, Logger: testkit.DebugLogger(logs)})
			bystander := connect(t, addr)
			c := connect(t, addr)
			c.Send("EHLO client.test", "MAIL FROM:<boom@x.test>", "RCPT TO:<b@y.test>", "DATA")
			c.Expect("250 ")
			replies := map[string][]string{"RCPT": {"250"}, "DATA": {"250", "250", "354"}}[where]
			c.ExpectAll(replies...)
			if where == "DATA" {
				c.Send("hello", ".")
			}
			c.Expect("421 4.3.0")
			c.ExpectClosed()
			out := logs.String()
			if n := strings.Count(out, "hook panicked"); n != 1 || !strings.Contains(out, "boom in "+where) ||
				!strings.Contains(out, "goroutine ") {
				t.Fatalf("%d panic logs, want 1 with its stack:\n%s", n, out)
			}
			bystander.transaction() // the other session goes on
			bystander.Send("hello", ".")
			bystander.Expect("250 2.0.0")
			if m := h.Next(t); m.Body != "hello\r\n" {
				t.Fatalf("the other session delivered %q", m.Body)
			}
		})
	}
}

// slowRCPT is a RCPT hook that takes an hour: honouring its context, or
// ignoring it until released.
type slowRCPT struct {
	honour  bool
	release chan struct{}
	entered chan struct{}
	ctxErr  chan error
}

func newSlowRCPT(honour bool) *slowRCPT {
	return &slowRCPT{honour: honour, release: make(chan struct{}), entered: make(chan struct{}, 4), ctxErr: make(chan error, 4)}
}

func (h *slowRCPT) HandleRCPT(ctx context.Context, _ *hooks.Session, _ *hooks.Envelope, _ string, _ []string) error {
	h.entered <- struct{}{}
	if !h.honour {
		select {
		case <-h.release:
		case <-time.After(time.Hour):
		}
		return nil
	}
	select {
	case <-ctx.Done():
		h.ctxErr <- ctx.Err()
		return ctx.Err()
	case <-time.After(time.Hour):
		return nil
	}
}

// T-29: a hook that takes an hour is answered 451 4.3.0 at HandlerTimeout,
// with no 250: one that honours its context returns then; one that ignores
// it is left behind when the handler is wrapped in hooks.Abandoning (else
// it holds its session, as a net/http handler does).
func TestSlowHandler(t *testing.T) {
	for _, honour := range []bool{true, false} {
		t.Run(fmt.Sprint("honours context=", honour), func(t *testing.T) {
			h := newSlowRCPT(honour)
			defer close(h.release)
			const timeout = 200 * time.Millisecond
			var handler hooks.Handler = h
			if !honour {
				handler = hooks.Abandoning{Handler: h}
			}
			c := connect(t, start(t, &gosmtpd.Server{Handler: handler, HandlerTimeout: timeout}))
			c.Send("EHLO client.test", "MAIL FROM:<a@x.test>")
			c.ExpectAll("250 ", "250 2.1.0")
			began := time.Now()
			c.Send("RCPT TO:<b@y.test>")
			c.Expect("451 4.3.0")
			if d := time.Since(began); d < timeout-10*time.Millisecond || d > 10*timeout {
				t.Fatalf("answered after %v, want at the %v timeout", d, timeout)
			}
			if honour {
				if err := <-h.ctxErr; !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("the hook's context ended with %v", err)
				}
			}
			c.Send("NOOP")
			c.Expect("250 2.0.0")
		})
	}
}

// T-29 (b): Shutdown does not hang on a hook that ignores its context
// under hooks.Abandoning: it returns ctx.Err() at its deadline, the client
// gets 421 4.3.2, and Close frees the connection.
func TestShutdownWithAStuckHandler(t *testing.T) {
	h := newSlowRCPT(false)
	defer close(h.release)
	srv := &gosmtpd.Server{Handler: hooks.Abandoning{Handler: h}, HandlerTimeout: -1}
	c := connect(t, start(t, srv))
	c.Send("EHLO client.test", "MAIL FROM:<a@x.test>")
	c.ExpectAll("250 ", "250 2.1.0")
	c.Send("RCPT TO:<b@y.test>")
	<-h.entered
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	returned := make(chan error, 1)
	go func() { returned <- srv.Shutdown(ctx) }()
	select {
	case err := <-returned:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown returned %v, want context.DeadlineExceeded", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown hangs on a stuck hook")
	}
	c.Expect("421 4.3.2")
	c.ExpectClosed()
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// injector answers MAIL with a reply whose text tries to add a second
// reply.
type injector struct{ *recorder }

func (injector) HandleMAIL(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	return hooks.Reply{Code: 550, Enhanced: "5.7.1", Text: "no\r\n250 2.0.0 OK"}
}

// T-32: a handler's text cannot inject a reply (the client sees one
// well-formed 550), and an EHLO name with terminal escapes reaches the log
// escaped.
func TestReplyAndLogInjection(t *testing.T) {
	logs := &testkit.Buffer{}
	addr := start(t, &gosmtpd.Server{Handler: injector{newRecorder()}, Logger: testkit.DebugLogger(logs)})
	c := connect(t, addr)
	c.Send("EHLO client.test", "MAIL FROM:<a@x.test>", "NOOP")
	c.Expect("250 ")
	if rep := c.Expect("550 5.7.1"); strings.Contains(rep, "\n") {
		t.Fatalf("the handler's text split the reply: %q", rep)
	}
	c.Expect("250 2.0.0") // the NOOP's, not an injected one
	c.Send("NOOP")
	c.Expect("250 2.0.0")

	logs = &testkit.Buffer{}
	c = connect(t, start(t, &gosmtpd.Server{Handler: failingEHLO{newRecorder()}, Logger: testkit.DebugLogger(logs)}))
	c.Send("EHLO \x1b[31mred\x1b[0m\rforged")
	c.Expect("500 5.5.2") // a bare CR: refused before any hook
	c.Send("EHLO \x1b[2J\x1b[31mred")
	c.Expect("451 4.3.0")
	if out := logs.String(); strings.Contains(out, "\x1b") || !strings.Contains(out, "refusing EHLO") {
		t.Fatalf("the log holds the raw escapes, or not the failure:\n%q", out)
	}
}
