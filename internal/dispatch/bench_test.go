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
// only: recording the sender and the recipient (from the core's reports,
// or from its questions when they are asked), the hook's call on an empty
// message and the final reply.
func BenchmarkMessageThroughDATAHook(b *testing.B) {
	d := NewDispatcher(Config{Handler: readAll{}})
	c := d.NewCaller(NewSession(context.Background()), CallerConfig{Timeout: 5 * 60e9})
	ok := codec.Reply{Code: 250}
	mail := fsm.Ask{Hook: fsm.HookMAIL, Path: codec.Path{Mailbox: []byte("a@x.test")}, Default: ok}
	rcpt := fsm.Ask{Hook: fsm.HookRCPT, Path: codec.Path{Mailbox: []byte("b@y.test")}, Default: ok}
	data := fsm.Ask{Hook: fsm.HookDATA, Default: ok}
	mailEv := fsm.Event{Kind: fsm.EventMail, Reply: ok, Path: mail.Path}
	rcptEv := fsm.Event{Kind: fsm.EventRcpt, Reply: ok, Path: rcpt.Path}
	path := func(a *fsm.Ask, e *fsm.Event) {
		if !d.Hooks().Has(a.Hook) {
			c.Reported(e)
			return
		}
		c.Decide(a)
		c.Record(a.Default)
	}
	b.ReportAllocs()
	for b.Loop() {
		path(&mail, &mailEv)
		path(&rcpt, &rcptEv)
		c.Decide(&data)
		c.Record(data.Default)
	}
	if got := c.Envelope(); got.MailFrom != "a@x.test" || len(got.RcptTos) != 1 {
		b.Fatalf("envelope %+v", got)
	}
}
