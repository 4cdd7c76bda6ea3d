package jetstream

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Each try waits at most attemptTimeout for its acknowledgement, and the
// pause between tries grows from firstBackoff to maxBackoff. A request whose
// server died unanswered is repeated after attemptTimeout rather than after
// the whole deadline, so that the new leader gets it.
const (
	attemptTimeout = 3 * time.Second
	putTimeout     = 15 * time.Second // a whole object, every chunk acknowledged
	firstBackoff   = 50 * time.Millisecond
	maxBackoff     = time.Second
)

// publish publishes m and waits for the stream's acknowledgement, trying
// again until ctx ends. Every try carries the same Nats-Msg-Id, so that a
// try whose acknowledgement was lost but whose message was stored is
// recognised by the stream as a duplicate and stored once. Any failure is
// worth another try: a leader being elected (no responders, a timeout), a
// connection moving to another server; the client's answer is 451 anyway.
func (h *Handler) publish(ctx context.Context, m *nats.Msg) error {
	var opts []jetstream.PublishOpt
	if h.Stream != "" {
		opts = append(opts, jetstream.WithExpectStream(h.Stream))
	}
	var last error
	for wait := firstBackoff; ; wait = min(2*wait, maxBackoff) {
		try, cancel := context.WithTimeout(ctx, attemptTimeout)
		_, err := h.JetStream.PublishMsg(try, m, opts...)
		cancel()
		if err == nil {
			return nil
		}
		last = err
		if !sleep(ctx, wait) {
			return fmt.Errorf("jetstream: %s not acknowledged by stream %s: %w (%w)",
				m.Header.Get(nats.MsgIdHdr), h.Stream, ctx.Err(), last)
		}
	}
}

// putObject puts t's body in the bucket under t's identity, trying again
// until ctx ends. A failed try's chunks are purged by the object store;
// a new try replaces them.
func (h *Handler) putObject(ctx context.Context, t *transaction) error {
	meta := jetstream.ObjectMeta{Name: t.id, Description: "message " + t.id,
		Opts: &jetstream.ObjectMetaOptions{ChunkSize: h.chunkSize()}}
	var last error
	for wait := firstBackoff; ; wait = min(2*wait, maxBackoff) {
		try, cancel := context.WithTimeout(ctx, putTimeout)
		_, err := h.Bucket.Put(try, meta, t.body.reader())
		cancel()
		if err == nil {
			t.object = t.id
			return nil
		}
		last = err
		if !sleep(ctx, wait) {
			return fmt.Errorf("jetstream: message %s not stored in the object store: %w (%w)", t.id, ctx.Err(), last)
		}
	}
}

// chunkSize is the object store's default chunk, 128 KiB, or less when the
// servers' max payload is smaller.
func (h *Handler) chunkSize() uint32 {
	const standard = 128 << 10
	return uint32(max(1024, min(standard, h.JetStream.Conn().MaxPayload()-1024)))
}

// sleep waits d, or less when ctx ends first: then it returns false.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}
