package dispatch

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// delivery is one message on its way to the DATA hook, which runs on its own
// goroutine and reads it through a body. Each chunk is handed over as the
// core's own slice, and the driver waits until the hook has used all of it
// before it reads on: nothing is buffered or gathered, so memory stays flat
// whatever the size of the message.
type delivery struct {
	chunks chan []byte   // driver -> hook; closed after the last chunk
	taken  chan struct{} // hook -> driver: the chunk handed over is used up
	done   chan struct{} // closed when the hook has returned
	end    error         // what the body returns after the last chunk; set before chunks is closed
	closed bool
	cancel context.CancelFunc
	timer  *time.Timer
	env    *hooks.Envelope // the envelope the hook received
	body   *body

	// The hook's answer, valid once done is closed: answer from a DATA
	// hook (or its failure), answers from an LMTP one.
	lmtp    bool
	answer  error
	answers []error
}

var (
	errReturnedEarly = errors.New("hooks: DATA hook returned before reading the whole message")
	errNoAnswer      = errors.New("hooks: LMTP DATA hook gave no answer for a recipient")
	// errTransactionEnded fails a message whose transaction ended before it
	// did (RSET, a new greeting or QUIT between BDAT chunks).
	errTransactionEnded = io.ErrUnexpectedEOF
)

// startMessage starts the DATA hook on a new message.
func (c *Caller) startMessage() *delivery {
	ctx, cancel := context.WithCancel(c.sess.Context())
	m := &delivery{chunks: make(chan []byte), taken: make(chan struct{}, 1),
		done: make(chan struct{}), cancel: cancel, env: c.env}
	m.lmtp = c.d.lmtp != nil && (c.d.lmtpMode || c.d.data == nil)
	m.body = &body{m: m}
	s, e, b := c.sess, c.env, m.body
	go func() {
		defer close(m.done)
		m.answer = protect("DATA", func() error {
			if m.lmtp {
				m.answers = c.d.lmtp.HandleLMTPDATA(ctx, s, e, b)
				return nil
			}
			return c.d.data.HandleDATA(ctx, s, e, b)
		})
	}()
	return m
}

// finish ends the hook's stream: after the chunks already handed over, the
// body returns end (io.EOF for a complete message).
func (m *delivery) finish(end error) {
	if !m.closed {
		m.end, m.closed = end, true
		close(m.chunks)
	}
}

// arm starts the timer of one wait for the hook; nil means no limit.
func (m *delivery) arm(d time.Duration) <-chan time.Time {
	if d <= 0 {
		return nil
	}
	if m.timer == nil {
		m.timer = time.NewTimer(d)
	} else {
		m.timer.Reset(d)
	}
	return m.timer.C
}

// abort ends the stream with err when the driver stops waiting for the hook:
// a chunk still in the hook's hands is taken back, since the driver is about
// to reuse its memory. The stream is closed first, so that the body is not
// holding its lock while it waits for a chunk.
func (m *delivery) abort(err error) {
	m.finish(err)
	m.body.revoke(err)
	m.release()
}

func (m *delivery) release() {
	m.cancel()
	if m.timer != nil {
		m.timer.Stop()
	}
}

// feed hands p to the hook and waits until it has used all of it.
func (c *Caller) feed(m *delivery, p []byte) error {
	timeout, stop := m.arm(c.timeout), c.sess.Context().Done()
	select {
	case m.chunks <- p:
	case <-m.done:
		return errReturnedEarly
	case <-timeout:
		return hooks.ErrHandlerTimeout
	case <-stop:
		return hooks.ErrStopped
	}
	select {
	case <-m.taken:
		return nil
	case <-m.done:
		select {
		case <-m.taken: // it used the chunk up, then returned
			return nil
		default:
			return errReturnedEarly
		}
	case <-timeout:
		return hooks.ErrHandlerTimeout
	case <-stop:
		return hooks.ErrStopped
	}
}

// await waits for the hook's answer at most the timeout; a hook still
// running then is cancelled and left behind.
func (c *Caller) await(m *delivery) error {
	select {
	case <-m.done:
		return nil
	case <-m.arm(c.timeout):
	case <-c.sess.Context().Done():
	}
	select {
	case <-m.done:
		return nil
	default:
	}
	m.cancel()
	err := c.cause()
	c.detach()
	return err
}
