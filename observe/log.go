package observe

import (
	"bytes"
	"context"
	"log/slog"

	"github.com/gosmtpd/gosmtpd/codec"
)

// Log returns an Observer that writes to l, at Info, the lines an operator
// reads to follow the mail, in the manner of Postfix's: one per message's
// final reply, accepted or refused,
//
//	msg="message accepted" session=1a2b3c-4 client=192.0.2.7:41234 from=<a@example.org> nrcpt=2 size=5120 reply="250 2.0.0 OK" duration=41ms
//
// (a message the server refused by itself also says why, abandoned="smtp:
// message exceeds the size limit"; in LMTP there is one per recipient,
// with to=<...>, as each recipient gets its own reply), one per refused sender ("sender
// refused") and one per refused recipient ("recipient refused", with
// to=<...>), as Postfix's "NOQUEUE: reject" lines. The other events are not
// logged here. Addresses and replies are logged as slog values, which
// slog's handlers quote and escape: a client's bytes cannot forge a line.
func Log(l *slog.Logger) Observer { return &logObserver{l: l} }

type logObserver struct{ l *slog.Logger }

func (o *logObserver) Observe(e *Event) {
	switch {
	case e.Kind == Message:
		o.message(e)
	case e.Kind == Mail && !e.Reply.Positive():
		o.log("sender refused", e, slog.String("reply", replyLine(e.Reply)))
	case e.Kind == Recipient && !e.Reply.Positive():
		o.log("recipient refused", e, slog.String("to", angle(e.Recipient)), slog.String("reply", replyLine(e.Reply)))
	}
}

func (o *logObserver) message(e *Event) {
	msg := "message accepted"
	if !e.Reply.Positive() {
		msg = "message refused"
	}
	tail := [...]slog.Attr{slog.Int("nrcpt", e.Recipients), slog.Int64("size", e.Size),
		slog.String("reply", replyLine(e.Reply)), slog.Duration("duration", e.Duration), {}, {}}
	n := len(tail) - 2
	if e.Recipient != nil { // LMTP: the reply is this recipient's
		tail[n] = slog.String("to", angle(e.Recipient))
		n++
	}
	if e.Abandoned != nil {
		tail[n] = slog.String("abandoned", e.Abandoned.Error())
		n++
	}
	o.log(msg, e, tail[:n]...)
}

// log writes one line: the session, the client and the sender, then tail.
func (o *logObserver) log(msg string, e *Event, tail ...slog.Attr) {
	ctx := context.Background()
	if !o.l.Enabled(ctx, slog.LevelInfo) {
		return
	}
	var attrs [9]slog.Attr
	n := copy(attrs[:], []slog.Attr{slog.String("session", e.Session), slog.String("client", e.Client),
		slog.String("from", angle(e.Sender))})
	n += copy(attrs[n:], tail)
	o.l.LogAttrs(ctx, slog.LevelInfo, msg, attrs[:n]...)
}

// angle writes a mailbox between angle brackets, as Postfix's from=<...>:
// the null reverse-path is "<>".
func angle(mailbox []byte) string { return "<" + string(mailbox) + ">" }

// replyLine is the first line of a reply, with its enhanced code and
// without its CRLF: "550 5.1.1 no such user".
func replyLine(r codec.Reply) string {
	var buf [128]byte
	return string(appendReplyLine(buf[:0], r))
}

// appendReplyLine appends replyLine(r) to dst.
func appendReplyLine(dst []byte, r codec.Reply) []byte {
	n := len(dst)
	dst = r.AppendTo(dst, true)
	if i := bytes.IndexByte(dst[n:], '\r'); i >= 0 {
		dst = dst[:n+i]
	}
	return dst
}
