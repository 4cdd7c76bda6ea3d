package transport_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/transport"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve starts a session over net.Pipe and reads its greeting.
func serve(t testing.TB, o *transport.Options) *testkit.Session {
	t.Helper()
	s := testkit.ServePipe(t, o, nil)
	s.Expect("220 ")
	return s
}

func options(h hooks.Handler) *transport.Options {
	o := &transport.Options{Logger: slog.New(slog.DiscardHandler)}
	o.Core.Hostname = "mx.test"
	o.Handler = h
	return o
}

// message is what a recorder received.
type message struct {
	from  string
	rcpts []string
	body  string
	helo  string
	tls   bool
	auth  string
	err   error
}

// recorder is a DATA hook that keeps every message.
type recorder struct {
	mu   sync.Mutex
	msgs []message
	got  chan message
}

func newRecorder() *recorder { return &recorder{got: make(chan message, 16)} }

func (r *recorder) HandleDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	b, err := io.ReadAll(msg)
	m := message{from: e.MailFrom, rcpts: slices.Clone(e.RcptTos), body: string(b), helo: s.HeloName,
		tls: s.TLS != nil, auth: s.AuthID, err: err}
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	r.got <- m
	return err
}

func (r *recorder) next(t testing.TB) message {
	t.Helper()
	select {
	case m := <-r.got:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message delivered")
		return message{}
	}
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}
