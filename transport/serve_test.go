package transport_test

import (
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

func TestDeliversAMessage(t *testing.T) {
	rec := newRecorder()
	s := serve(t, options(rec))
	s.Send("EHLO client.test")
	s.Expect("250 ")
	s.Send("MAIL FROM:<a@x.test> BODY=8BITMIME")
	s.Expect("250 2.1.0")
	s.Send("RCPT TO:<b@y.test>")
	s.Expect("250 2.1.5")
	s.Send("RCPT TO:<c@y.test>")
	s.Expect("250 2.1.5")
	s.Send("DATA")
	s.Expect("354 ")
	s.Send("Subject: hi", "", "..leading dot", "end", ".")
	s.Expect("250 2.0.0")
	s.Send("QUIT")
	s.Expect("221 ")
	if err := s.Wait(); err != nil {
		t.Fatalf("ServeConn after QUIT: %v", err)
	}
	m := rec.Next(t)
	if m.Body != "Subject: hi\r\n\r\n.leading dot\r\nend\r\n" || m.From != "a@x.test" ||
		strings.Join(m.Rcpts, ",") != "b@y.test,c@y.test" || m.Helo != "client.test" || m.Err != nil {
		t.Fatalf("delivered %+v", m)
	}
}

// RFC 2920: the replies to a pipelined batch go out in one write.
func TestPipelinedRepliesInOneWrite(t *testing.T) {
	rec := newRecorder()
	var cc *testkit.WriteCounter
	s := testkit.ServePipe(t, options(rec), func(c net.Conn) net.Conn { cc = &testkit.WriteCounter{Conn: c}; return cc })
	s.Expect("220 ")
	s.Send("EHLO client.test")
	s.Expect("250 ")
	before := cc.Writes.Load()
	s.Send("MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "RCPT TO:<bad>", "RCPT TO:<c@y.test>", "DATA")
	s.ExpectAll("250", "250", "553", "250", "354")
	if n := cc.Writes.Load() - before; n != 1 {
		t.Fatalf("%d writes for one batch, want 1", n)
	}
	s.Send("body", ".", "QUIT")
	s.Expect("250")
	s.Expect("221")
	if m := rec.Next(t); m.Body != "body\r\n" || len(m.Rcpts) != 2 {
		t.Fatalf("delivered %+v", m)
	}
}

// flatSink discards messages through io.Copy and counts their bytes.
type flatSink struct{ n atomic.Int64 }

func (f *flatSink) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	n, err := io.Copy(io.Discard, msg)
	f.n.Add(n)
	return err
}

// A message is streamed, never gathered: memory allocated while a large
// message passes is a small fraction of its size.
func TestLargeMessageInFlatMemory(t *testing.T) {
	const size = 64 << 20
	sink := &flatSink{}
	o := options(sink)
	o.Core.MaxMessageSize = -1
	s := serve(t, o)
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	line := strings.Repeat("x", 98) + "\r\n"
	block := []byte(strings.Repeat(line, 64<<10/len(line)))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sent := 0
	for sent < size {
		if _, err := s.Conn.Write(block); err != nil {
			t.Fatal(err)
		}
		sent += len(block)
	}
	s.Send(".")
	s.Expect("250")
	runtime.ReadMemStats(&after)
	if sink.n.Load() != int64(sent) {
		t.Fatalf("handler got %d bytes, sent %d", sink.n.Load(), sent)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 4<<20 {
		t.Fatalf("allocated %d bytes for a %d-byte message", grown, sent)
	}
}

// tooBig records what its stream returned.
type streamErr struct{ err chan error }

func (h *streamErr) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	_, err := io.Copy(io.Discard, msg)
	h.err <- err
	return nil // the core answers whatever the hook says
}

func TestTooBigMessageFailsTheStream(t *testing.T) {
	h := &streamErr{err: make(chan error, 1)}
	o := options(h)
	o.Core.MaxMessageSize = 20000
	s := serve(t, o)
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	// Read 8 KiB at a time, the first chunks reach the hook before the
	// limit is passed.
	s.Send(strings.Repeat(strings.Repeat("y", 998)+"\r\n", 30) + ".")
	s.Expect("552 5.3.4")
	select {
	case err := <-h.err:
		if !errors.Is(err, fsm.ErrMessageTooBig) {
			t.Fatalf("the stream ended with %v, want ErrMessageTooBig", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hook never saw the end of its stream")
	}
	s.Send("NOOP")
	s.Expect("250") // the session goes on
}

// early returns from DATA before reading the message.
type early struct{ reply error }

func (h early) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	msg.Read(make([]byte, 10))
	return h.reply
}

func TestHandlerReturningEarly(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply error
		want  string
	}{
		{"accepting", nil, "451 4.3.0"}, // it never had the whole message
		{"refusing", hooks.Reply{Code: 550, Enhanced: "5.7.1", Text: "spam"}, "550 5.7.1 spam"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := serve(t, options(early{tc.reply}))
			s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
			s.ExpectAll("250", "250", "250", "354")
			s.Send(strings.Repeat(strings.Repeat("m", 900)+"\r\n", 100) + ".")
			s.Expect(tc.want)
			s.Send("QUIT")
			s.Expect("221")
		})
	}
}

// envelopeHooks checks what the MAIL, RCPT and EHLO hooks see and choose.
type envelopeHooks struct{ recorder }

func (h *envelopeHooks) HandleEHLO(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, name string, caps []string) ([]string, error) {
	return append(caps, "X-TEST "+name), nil
}

func (h *envelopeHooks) HandleMAIL(_ context.Context, _ *hooks.Session, e *hooks.Envelope, addr string, opts []string) error {
	if e.MailFrom != "" || len(e.RcptTos) != 0 {
		return errors.New("MAIL saw a used envelope")
	}
	if addr == "spammer@x.test" {
		return hooks.Reply{Code: 550, Enhanced: "5.7.1", Text: "go away\r\n250 injected"}
	}
	return nil
}

func (h *envelopeHooks) HandleRCPT(_ context.Context, _ *hooks.Session, e *hooks.Envelope, addr string, _ []string) error {
	if addr == "secret@y.test" {
		return errors.New("database password is hunter2")
	}
	return nil
}

func TestHookReplies(t *testing.T) {
	h := &envelopeHooks{*newRecorder()}
	logs := &testkit.Buffer{}
	o := options(h)
	o.Logger = testkit.DebugLogger(logs)
	s := serve(t, o)
	s.Send("EHLO c")
	if caps := s.Expect("250 "); !strings.Contains(caps, "250 X-TEST c") {
		t.Fatalf("EHLO reply %q lacks the added line", caps)
	}
	s.Send("MAIL FROM:<spammer@x.test>")
	if rep := s.Expect("550 5.7.1"); rep != "550 5.7.1 go away  250 injected" {
		t.Fatalf("reply %q: handler text must stay on one line", rep)
	}
	s.Send("MAIL FROM:<a@x.test>", "RCPT TO:<secret@y.test>", "RCPT TO:<b@y.test>", "DATA")
	s.Expect("250")
	if rep := s.Expect("451 4.3.0"); strings.Contains(rep, "hunter2") {
		t.Fatalf("a handler's error text reached the client: %q", rep)
	}
	s.Expect("250")
	s.Expect("354")
	s.Send("x", ".")
	s.Expect("250")
	if m := h.Next(t); strings.Join(m.Rcpts, ",") != "b@y.test" {
		t.Fatalf("recipients %v, want only the accepted one", m.Rcpts)
	}
	if !strings.Contains(logs.String(), "hunter2") || !strings.Contains(logs.String(), "hook=RCPT") {
		t.Fatalf("the failure was not logged: %s", logs)
	}
}
