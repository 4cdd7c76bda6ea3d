package fuzz

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/transport"
)

// Regressions FuzzServer found, as plain tests.

// failingReader's DATA hook reads the first bytes of the message and fails;
// its ExceptionHandler answers every failure with a 250.
type failingReader struct{ calls int }

func (f *failingReader) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	f.calls++
	io.ReadFull(msg, make([]byte, 5))
	return errFuzz
}

func (f *failingReader) HandleException(context.Context, *hooks.Session, error) hooks.Reply {
	return replyFine
}

// TestExceptionCannotAcceptPartialMessage: an ExceptionHandler's 250 for a
// DATA hook that failed before it had the whole message must not reach the
// client (the hook never received the message whole).
func TestExceptionCannotAcceptPartialMessage(t *testing.T) {
	h := &failingReader{}
	o := &transport.Options{Logger: discard, Handler: h}
	srv, cli := pipe()
	done := make(chan error, 1)
	go func() { done <- transport.ServeConn(context.Background(), srv, o) }()
	outc := collect(cli)
	// The body comes in two writes, so that the hook fails while the
	// message is still arriving.
	for _, w := range []string{"EHLO c.fuzz\r\nMAIL FROM:<a@c.fuzz>\r\nRCPT TO:<b@mx.fuzz>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n", ".\r\nQUIT\r\n"} {
		if _, err := io.WriteString(cli, w); err != nil {
			t.Fatal(err)
		}
	}
	srv.endInput()
	waitServe(t, done)
	out := string(<-outc)
	cli.Close()
	if !strings.Contains(out, "354 ") || strings.Contains(out, replyFine.Text) || !strings.Contains(out, "451 4.3.0") {
		t.Errorf("the message should get 451 4.3.0, the server sent:\n%s", out)
	}
	if h.calls != 1 {
		t.Errorf("the DATA hook was called %d times, want 1", h.calls)
	}
}
