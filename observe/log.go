package observe

import (
	"context"
	"log/slog"
)

// Log returns an Observer that writes to l, at Info, the lines an operator
// reads to follow the mail, in the manner of Postfix's: one per message's
// final reply, accepted or refused,
//
//	msg="message accepted" session=1a2b3c-4 client=192.0.2.7:41234 from=<a@example.org> nrcpt=2 size=5120 reply="250 2.0.0 OK" duration=41ms
//
// (a message the server refused by itself also says why, abandoned="smtp:
// message exceeds the size limit"), one per refused sender ("sender
// refused") and one per refused recipient ("recipient refused", with
// to=<...>), as Postfix's "NOQUEUE: reject" lines. The other events are not
// logged here. Addresses and replies are logged as slog values, which
// slog's handlers quote and escape: a client's bytes cannot forge a line.
func Log(l *slog.Logger) Observer { return &logObserver{l: l} }

type logObserver struct{ l *slog.Logger }

func (o *logObserver) Observe(e *Event) {
	switch e.Kind {
	case Message:
		o.message(e)
	case Mail:
		if !e.Reply.Positive() {
			o.log("sender refused", e, slog.String("reply", e.Reply.Error()))
		}
	case Recipient:
		if !e.Reply.Positive() {
			o.log("recipient refused", e, slog.String("to", angle(e.Recipient)),
				slog.String("reply", e.Reply.Error()))
		}
	}
}

func (o *logObserver) message(e *Event) {
	msg := "message accepted"
	if !e.Reply.Positive() {
		msg = "message refused"
	}
	attrs := []slog.Attr{slog.Int("nrcpt", e.Recipients), slog.Int64("size", e.Size),
		slog.String("reply", e.Reply.Error()), slog.Duration("duration", e.Duration)}
	if e.Abandoned != nil {
		attrs = append(attrs, slog.String("abandoned", e.Abandoned.Error()))
	}
	o.log(msg, e, attrs...)
}

// log writes one line: the session, the client and the sender, then attrs.
func (o *logObserver) log(msg string, e *Event, attrs ...slog.Attr) {
	ctx := context.Background()
	if !o.l.Enabled(ctx, slog.LevelInfo) {
		return
	}
	head := []slog.Attr{slog.String("session", e.Session), slog.String("client", e.Client),
		slog.String("from", angle(e.Sender))}
	o.l.LogAttrs(ctx, slog.LevelInfo, msg, append(head, attrs...)...)
}

// angle writes a mailbox between angle brackets, as Postfix's from=<...>:
// the null reverse-path is "<>".
func angle(mailbox []byte) string { return "<" + string(mailbox) + ">" }
