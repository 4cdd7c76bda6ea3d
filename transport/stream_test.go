package transport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// The DATA hook reads the message through a stream that drives the session
// as it reads (stream.go). These tests hand messages over in the shapes
// that stress it: reads smaller than a chunk, bodies larger than the
// input buffer, io.Copy's WriterTo path, a hook that stops at the last
// byte without asking for the end, commands between BDAT chunks, and
// streams that end early.

// reads is a DATA hook that reads with a buffer of the given size, through
// Read only (never WriteTo), and keeps what it read and how it ended.
type reads struct {
	size int
	got  chan readResult
}

type readResult struct {
	body string
	err  error
}

func newReads(size int) *reads { return &reads{size: size, got: make(chan readResult, 4)} }

func (h *reads) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	var b bytes.Buffer
	buf := make([]byte, h.size)
	var err error
	for {
		var n int
		n, err = msg.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	h.got <- readResult{b.String(), err}
	if err == io.EOF {
		return nil
	}
	return err
}

func (h *reads) next(t *testing.T) readResult {
	t.Helper()
	select {
	case r := <-h.got:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no message")
		return readResult{}
	}
}

// A body many times the input buffer, read a few bytes at a time, arrives
// byte for byte, dot-unstuffed, and ends with io.EOF.
func TestStreamSmallReadsOfALargeBody(t *testing.T) {
	h := newReads(7)
	o := options(h)
	o.Core.ReadBufferSize = 64
	s := serve(t, o)
	var body strings.Builder
	for i := range 300 {
		body.WriteString(strings.Repeat("x", i%90) + "\r\n")
	}
	body.WriteString("..leading dot\r\n")
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	s.Send(body.String() + ".")
	got := h.next(t)
	want := strings.TrimSuffix(body.String(), "..leading dot\r\n") + ".leading dot\r\n"
	if got.err != io.EOF || got.body != want {
		t.Fatalf("read %d bytes ending with %v, want %d ending with EOF", len(got.body), got.err, len(want))
	}
	s.Expect("250 2.0.0")
}

// A hook that reads exactly the message's bytes and returns without the
// read that would say io.EOF took the message whole: 250. One that leaves
// bytes unread did not: 451, and the rest is discarded, not run as
// commands.
func TestStreamHookStoppingAtTheLastByte(t *testing.T) {
	const body = "Subject: t\r\n\r\nexactly this\r\n"
	for _, tc := range []struct {
		name string
		n    int
		want string
	}{
		{"every byte", len(body), "250 2.0.0"},
		{"one byte short", len(body) - 1, "451 4.3.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := serve(t, options(readN(tc.n)))
			s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
			s.ExpectAll("250", "250", "250", "354")
			s.Send(strings.TrimSuffix(body, "\r\n"), ".")
			s.Expect(tc.want)
			s.Send("NOOP")
			s.Expect("250")
		})
	}
}

// readN reads exactly n bytes of the message, then accepts it.
type readN int

func (n readN) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	_, err := io.ReadFull(msg, make([]byte, int(n)))
	return err
}

// io.Copy takes the stream's WriterTo: the writer gets the core's own
// chunks, the whole message, and the hook's answer counts.
func TestStreamWriterTo(t *testing.T) {
	h := &copier{got: make(chan string, 1)}
	s := serve(t, options(h))
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	s.Send(strings.Repeat("line of the message\r\n", 2000) + ".")
	s.Expect("250 2.0.0")
	if got := <-h.got; got != strings.Repeat("line of the message\r\n", 2000) {
		t.Fatalf("copied %d bytes", len(got))
	}
}

type copier struct{ got chan string }

func (h *copier) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	if _, ok := msg.(io.WriterTo); !ok {
		return errors.New("the stream is no io.WriterTo")
	}
	var b bytes.Buffer
	_, err := io.Copy(&b, msg)
	h.got <- b.String()
	return err
}

// BDAT: a NOOP between chunks leaves the message going; an RSET ends it,
// and the hook's stream fails with io.ErrUnexpectedEOF.
func TestStreamAcrossBDATChunks(t *testing.T) {
	h := newReads(3)
	s := serve(t, options(h))
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>")
	s.ExpectAll("250", "250", "250")
	s.Write("BDAT 6\r\nhello ")
	s.Expect("250")
	s.Send("NOOP")
	s.Expect("250")
	s.Write("BDAT 6 LAST\r\nworld!")
	s.Expect("250 2.0.0")
	if got := h.next(t); got.body != "hello world!" || got.err != io.EOF {
		t.Fatalf("read %q ending with %v", got.body, got.err)
	}

	s.Send("MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>")
	s.ExpectAll("250", "250")
	s.Write("BDAT 5\r\nfirst")
	s.Expect("250")
	s.Send("RSET")
	s.Expect("250")
	if got := h.next(t); got.body != "first" || !errors.Is(got.err, io.ErrUnexpectedEOF) {
		t.Fatalf("read %q ending with %v, want io.ErrUnexpectedEOF", got.body, got.err)
	}
	s.Send("MAIL FROM:<a@x.test>")
	s.Expect("250")
}

// A message the core refuses while it streams (too big) fails the hook's
// stream with the core's cause; the core's 552 is the client's reply.
func TestStreamFailsWithTheCoresCause(t *testing.T) {
	h := newReads(512)
	o := options(h)
	o.Core.MaxMessageSize = 1000
	s := serve(t, o)
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	s.Write(strings.Repeat("0123456789abcdef\r\n", 40)) // under the limit: the hook starts
	s.Send(strings.Repeat("0123456789abcdef\r\n", 200) + ".")
	s.Expect("552 5.3.4")
	if got := h.next(t); !errors.Is(got.err, fsm.ErrMessageTooBig) {
		t.Fatalf("the stream ended with %v", got.err)
	}
	s.Send("NOOP")
	s.Expect("250")
}

// A hook that panics halfway through the message ends that session with
// 421 4.3.0, after the replies already due.
func TestStreamHookPanicsMidMessage(t *testing.T) {
	s := serve(t, options(panicAfterRead{}))
	s.Send("EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	s.ExpectAll("250", "250", "250", "354")
	s.Write(strings.Repeat("body\r\n", 100)) // the message's end never comes
	s.Expect("421 4.3.0")
	s.ExpectClosed()
}

type panicAfterRead struct{}

func (panicAfterRead) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	msg.Read(make([]byte, 100))
	panic("boom")
}
