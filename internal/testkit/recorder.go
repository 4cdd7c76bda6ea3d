package testkit

import (
	"context"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// Message is what a Recorder's DATA hook saw of one message.
type Message struct {
	From   string
	Rcpts  []string
	Body   string
	Helo   string // the session's HELO/EHLO name
	Peer   string // the session's client
	Auth   string // the session's AuthID
	TLS    bool   // the session was under TLS
	Err    error  // how the stream ended: nil when it was read whole
	CtxErr error  // the hook's context once the stream ended
}

// Recorder is the tests' handler that keeps messages: its DATA hook reads
// each to its end, keeps what it saw, and answers as the stream ended (a
// failed stream fails the hook). It counts the MAIL commands it is asked
// about. Its methods are safe for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	seen   []Message // every message, whole or not
	next   int       // the first in seen that Next has not returned
	mails  int
	signal chan struct{} // a message was seen
}

func NewRecorder() *Recorder { return &Recorder{signal: make(chan struct{}, 1)} }

func (r *Recorder) HandleMAIL(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	r.mu.Lock()
	r.mails++
	r.mu.Unlock()
	return nil
}

func (r *Recorder) HandleDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	b, err := io.ReadAll(msg)
	m := Message{From: e.MailFrom, Rcpts: slices.Clone(e.RcptTos), Body: string(b), Helo: s.HeloName,
		Peer: s.Peer, Auth: s.AuthID, TLS: s.TLS != nil, Err: err, CtxErr: ctx.Err()}
	r.mu.Lock()
	r.seen = append(r.seen, m)
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default:
	}
	return err
}

// Next waits, at most Timeout, for the next message the DATA hook saw,
// whole or not.
func (r *Recorder) Next(t testing.TB) Message {
	t.Helper()
	deadline := time.After(Timeout)
	for {
		r.mu.Lock()
		if r.next < len(r.seen) {
			m := r.seen[r.next]
			r.next++
			r.mu.Unlock()
			return m
		}
		r.mu.Unlock()
		select {
		case <-r.signal:
		case <-deadline:
			t.Fatal("the DATA hook was not called")
			return Message{}
		}
	}
}

// Delivered returns the messages read whole, in order.
func (r *Recorder) Delivered() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var whole []Message
	for _, m := range r.seen {
		if m.Err == nil {
			whole = append(whole, m)
		}
	}
	return whole
}

// Count is the number of messages read whole.
func (r *Recorder) Count() int { return len(r.Delivered()) }

// Mails is the number of MAIL commands the recorder was asked about.
func (r *Recorder) Mails() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mails
}
