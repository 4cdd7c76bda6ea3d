package testkit

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// DataWatch is a DATA hook for a message that never ends well (the
// client goes, the server stops): it reports how the message's stream
// ended and whether its context was cancelled. Started is closed once the
// first byte arrived.
type DataWatch struct {
	Started chan struct{}
	ReadErr chan error // the stream's end: nil when read to the end
	CtxErr  chan error // the context's error, nil if not cancelled within Timeout
}

func NewDataWatch() *DataWatch {
	return &DataWatch{Started: make(chan struct{}), ReadErr: make(chan error, 1), CtxErr: make(chan error, 1)}
}

func (h *DataWatch) HandleDATA(ctx context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	_, err := io.ReadFull(msg, make([]byte, 1))
	close(h.Started)
	if err == nil {
		_, err = io.Copy(io.Discard, msg)
	}
	h.ReadErr <- err
	select {
	case <-ctx.Done():
		h.CtxErr <- ctx.Err()
	case <-time.After(Timeout):
		h.CtxErr <- nil
	}
	return nil // too late: no 250 may follow
}

// ExpectAbandoned checks that the message's stream ended with
// io.ErrUnexpectedEOF, not a clean io.EOF, and that the hook's context
// was cancelled.
func (h *DataWatch) ExpectAbandoned(t testing.TB) {
	t.Helper()
	if err := <-h.ReadErr; !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("the stream ended with %v, want io.ErrUnexpectedEOF", err)
	}
	if err := <-h.CtxErr; err == nil {
		t.Fatal("the hook's context was not cancelled")
	}
}
