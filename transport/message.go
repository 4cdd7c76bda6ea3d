package transport

import (
	"context"
	"io"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// message is one body on its way to the DATA hook, which runs in its own
// goroutine and reads from a pipe: each chunk is handed over without a copy
// of the whole message, so memory stays bounded whatever the message size.
type message struct {
	w      *io.PipeWriter
	result chan hooks.Reply
}

func startMessage(ctx context.Context, d *hooks.Dispatcher, s *hooks.Session, e *hooks.Envelope) *message {
	r, w := io.Pipe()
	m := &message{w: w, result: make(chan hooks.Reply, 1)}
	env := *e
	go func() {
		rep := d.Data(ctx, s, &env, r)
		r.CloseWithError(io.ErrClosedPipe) // a handler that stops early unblocks the driver
		m.result <- rep
	}()
	return m
}

// write hands a chunk to the handler; false when it stopped reading.
func (m *message) write(p []byte) bool {
	_, err := m.w.Write(p)
	return err == nil
}

// finish ends the stream and waits for the handler's reply.
func (m *message) finish() hooks.Reply {
	m.w.Close()
	return <-m.result
}

// abort fails the stream with err and waits for the handler to return.
func (m *message) abort(err error) {
	m.w.CloseWithError(err)
	<-m.result
}
