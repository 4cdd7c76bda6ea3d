package testkit

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/gosmtpd/gosmtpd/hooks"
)

func TestWriteCounterCountsWrites(t *testing.T) {
	srv, cli := net.Pipe()
	defer cli.Close()
	go io.Copy(io.Discard, cli)
	w := &WriteCounter{Conn: srv}
	w.Write([]byte("250 a\r\n"))
	w.Write([]byte("250 b\r\n"))
	if n := w.Writes.Load(); n != 2 {
		t.Fatalf("%d writes counted, want 2", n)
	}
	srv.Close()
}

// failAfter is a stream that fails with err once its text is read.
func failAfter(text string, err error) io.Reader {
	return io.MultiReader(strings.NewReader(text), &errorReader{err})
}

type errorReader struct{ err error }

func (r *errorReader) Read([]byte) (int, error) { return 0, r.err }

func TestDataWatchReportsACutStreamAndTheCancel(t *testing.T) {
	h := NewDataWatch()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- h.HandleDATA(ctx, &hooks.Session{}, &hooks.Envelope{}, failAfter("half", io.ErrUnexpectedEOF))
	}()
	<-h.Started
	cancel()
	if f := run(func(tb *fakeTB) { h.ExpectAbandoned(tb) }); f.failed {
		t.Fatalf("a cut stream and a cancelled context: %s", f.msg)
	}
	if err := <-done; err != nil {
		t.Fatalf("HandleDATA returned %v", err)
	}
}

func TestExpectAbandonedFailsOnAWholeMessage(t *testing.T) {
	h := NewDataWatch()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	go h.HandleDATA(ctx, &hooks.Session{}, &hooks.Envelope{}, strings.NewReader("whole\r\n"))
	f := run(func(tb *fakeTB) { h.ExpectAbandoned(tb) })
	if !f.failed || !strings.Contains(f.msg, "<nil>") {
		t.Fatalf("failed %v, message %q", f.failed, f.msg)
	}
}
