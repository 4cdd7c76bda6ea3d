package jetstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// DefaultTimeout is how long a message may wait for the stream's
// acknowledgement, retries included, before the client is told 451 4.3.0.
// It spans a JetStream leader election (a few seconds) with room to spare,
// and stays far below the 10 minutes an SMTP client waits after the final
// dot (RFC 5321 §4.5.3.2.6).
const DefaultTimeout = 30 * time.Second

// Handler publishes each message it accepts to a JetStream stream and
// answers 250 only once the stream has acknowledged it: with a replicated
// stream, once a quorum of the servers holds it. A message that is not
// acknowledged within Timeout gets 451 4.3.0, so that the client keeps it
// and tries again; a message is published only once it has arrived whole,
// so a client that goes in the middle of DATA leaves nothing in the stream.
//
// The message is the payload, exactly as received (dot-unstuffed, CRLF line
// ends); the envelope travels in headers (see the package documentation).
// A message too big for one NATS message is put in Bucket, an object store,
// and the stream message refers to it.
//
// In LMTP, each recipient gets a stream message of its own and the verdict
// of its own publication.
type Handler struct {
	// JetStream is the client the handler publishes with; its
	// connection's maximum payload decides which messages go to Bucket.
	JetStream jetstream.JetStream
	// Subject is the subject messages are published to.
	Subject string
	// Stream is the name of the stream that must capture Subject: the
	// publication is refused (and the client told 451) by any other. New
	// finds it.
	Stream string
	// Bucket holds the messages too big for one NATS message. Without it
	// such messages are refused with 552 5.3.4.
	Bucket jetstream.ObjectStore
	// Timeout bounds the wait for the acknowledgement of a message,
	// retries included (0: DefaultTimeout).
	Timeout time.Duration
	// Receiver names this server in each message's Gosmtpd-Receiver
	// header ("": the host name), to tell the instances of a fleet apart.
	Receiver string
	// SpoolDir is where a message too big for memory is written while it
	// arrives ("": os.TempDir()). The file is unlinked at once.
	SpoolDir string
}

// ErrNoStream is returned by New when no stream captures the subject.
var ErrNoStream = errors.New("no JetStream stream captures the subject")

// New returns a Handler publishing to subject, once it has found the stream
// that captures it (ErrNoStream when there is none) and, when bucket is not
// "", the object store of that name for big messages.
func New(ctx context.Context, js jetstream.JetStream, subject, bucket string) (*Handler, error) {
	stream, err := js.StreamNameBySubject(ctx, subject)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("%w %q: create one (nats stream add --subjects %q)", ErrNoStream, subject, subject)
	}
	if err != nil {
		return nil, fmt.Errorf("looking for the stream of %q: %w", subject, err)
	}
	h := &Handler{JetStream: js, Subject: subject, Stream: stream}
	if bucket == "" {
		return h, nil
	}
	if h.Bucket, err = js.ObjectStore(ctx, bucket); err != nil {
		return nil, fmt.Errorf("object store %q for messages over %d bytes: %w (nats object add %s)",
			bucket, js.Conn().MaxPayload(), err, bucket)
	}
	return h, nil
}

// HandleDATA publishes the message once it has arrived whole.
func (h *Handler) HandleDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	t, err := h.receive(s, e, msg)
	if err != nil {
		return err
	}
	defer t.close()
	return h.deliver(ctx, t, []int{-1})[0]
}

// HandleLMTPDATA publishes the message once per recipient, and answers each
// with the fate of its own publication.
func (h *Handler) HandleLMTPDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) []error {
	rcpts := make([]int, len(e.RcptTos))
	for i := range rcpts {
		rcpts[i] = i
	}
	t, err := h.receive(s, e, msg)
	if err != nil {
		errs := make([]error, len(rcpts))
		for i := range errs {
			errs[i] = err // the same answer for every recipient
		}
		return errs
	}
	defer t.close()
	return h.deliver(ctx, t, rcpts)
}

// deliver publishes t once for each of rcpts (-1: one message for all the
// recipients) within the handler's time limit, the body first when it goes
// to the bucket, and returns each publication's answer.
func (h *Handler) deliver(ctx context.Context, t *transaction, rcpts []int) []error {
	ctx, cancel := context.WithTimeout(ctx, h.timeout())
	defer cancel()
	errs := make([]error, len(rcpts))
	if t.body.file != nil {
		if err := h.putObject(ctx, t); err != nil {
			for i := range errs {
				errs[i] = err
			}
			return errs
		}
	}
	for i, r := range rcpts {
		errs[i] = h.publish(ctx, t.message(h.Subject, r))
	}
	return errs
}

func (h *Handler) timeout() time.Duration {
	if h.Timeout > 0 {
		return h.Timeout
	}
	return DefaultTimeout
}

func (h *Handler) receiver() string {
	if h.Receiver != "" {
		return h.Receiver
	}
	name, _ := os.Hostname()
	return name
}
