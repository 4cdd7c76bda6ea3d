package jetstream

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// DeliverFunc delivers one message: nil means the message is safe where it
// went (synced to disk, accepted by the next server), and only then is it
// acknowledged to the stream. A hooks.Reply with a 5xx code is a permanent
// refusal; any other error a temporary one.
type DeliverFunc func(ctx context.Context, m *Message, text io.Reader) error

// prefetch is how many messages Deliver asks for ahead of the one it
// delivers. Their AckWait runs while they wait, so it stays small: a slow
// delivery must not let the messages behind it be redelivered meanwhile.
const prefetch = 8

// RetryDelay is how long the stream waits before it redelivers a message
// whose delivery failed for the time being.
var RetryDelay = 30 * time.Second

// Deliver takes the messages of cons, a durable pull consumer with explicit
// acknowledgement, one at a time until ctx ends, and hands each to deliver.
// A message is acknowledged, and Deliver waits for the server to confirm it,
// only after deliver returned nil: a consumer that dies in between gets the
// message again once the consumer's AckWait has passed, so a delivery must
// tolerate a repeat (a Maildir keeps both copies; an LMTP server may
// deduplicate by Message-ID). A temporary failure is redelivered after
// RetryDelay; a permanent one (5xx) is terminated: the stream gives it up.
// bucket is where the big messages are (nil: there are none).
func Deliver(ctx context.Context, cons jetstream.Consumer, bucket jetstream.ObjectStore, deliver DeliverFunc) error {
	it, err := cons.Messages(jetstream.PullMaxMessages(prefetch))
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	for {
		msg, err := it.Next()
		switch {
		case errors.Is(err, jetstream.ErrMsgIteratorClosed):
			return ctx.Err()
		case err != nil: // missed heartbeats, a reconnection: the iterator goes on
			sleep(ctx, 100*time.Millisecond)
			continue
		}
		if err := deliverOne(ctx, bucket, msg, deliver); err != nil {
			return err
		}
	}
}

// deliverOne delivers msg and settles it with the stream. It fails only
// when the acknowledgement itself fails.
func deliverOne(ctx context.Context, bucket jetstream.ObjectStore, msg jetstream.Msg, deliver DeliverFunc) error {
	msg.InProgress() // its AckWait starts again from now
	m, text, err := Open(ctx, bucket, msg)
	switch {
	case errors.Is(err, ErrNotGosmtpd):
		return msg.TermWithReason("not a message published by gosmtpd")
	case errors.Is(err, jetstream.ErrObjectNotFound):
		return msg.TermWithReason("its text is no longer in the bucket") // past the bucket's max age
	}
	if err == nil {
		err = deliver(ctx, m, text)
		text.Close()
	}
	var rep hooks.Reply
	switch {
	case err == nil:
		return msg.DoubleAck(ctx)
	case errors.As(err, &rep) && rep.Code >= 500:
		return msg.TermWithReason(rep.Error())
	}
	return msg.NakWithDelay(RetryDelay)
}

// Maildir delivers into the Maildir at dir as handlers.Mailbox does: the
// message is written under tmp/, synced, and renamed into new/.
func Maildir(dir string) DeliverFunc {
	box := &handlers.Mailbox{Dir: dir}
	return func(ctx context.Context, m *Message, text io.Reader) error {
		return box.HandleDATA(ctx, nil, &m.Envelope, text)
	}
}
