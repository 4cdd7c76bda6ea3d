package dispatch

import (
	"context"
	"io"
	"testing"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

type readAll struct{}

func (readAll) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	_, err := io.Copy(io.Discard, msg)
	return err
}

// What the hooks layer costs a message for a handler with a DATA hook
// only: the MAIL and RCPT questions it records, the hook's call on an
// empty message and the final reply.
func BenchmarkMessageThroughDATAHook(b *testing.B) {
	d := NewDispatcher(Config{Handler: readAll{}})
	c := d.NewCaller(NewSession(context.Background()), CallerConfig{Timeout: 5 * 60e9})
	mail := fsm.Ask{Hook: fsm.HookMAIL, Path: codec.Path{Mailbox: []byte("a@x.test")}, Default: codec.Reply{Code: 250}}
	rcpt := fsm.Ask{Hook: fsm.HookRCPT, Path: codec.Path{Mailbox: []byte("b@y.test")}, Default: codec.Reply{Code: 250}}
	data := fsm.Ask{Hook: fsm.HookDATA, Default: codec.Reply{Code: 250}}
	b.ReportAllocs()
	for b.Loop() {
		c.Decide(&mail)
		c.Record(mail.Default)
		c.Decide(&rcpt)
		c.Record(rcpt.Default)
		c.Decide(&data)
		c.Record(data.Default)
	}
}
