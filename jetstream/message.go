package jetstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// Message is a message the Handler published, as a consumer reads it back
// from the headers.
type Message struct {
	ID       string         // the transaction's identity (Gosmtpd-Id)
	Envelope hooks.Envelope // MailFrom, MailOptions, RcptTos, RcptOptions
	Client   string         // "ip:port"
	Helo     string         // the HELO, EHLO or LHLO name
	TLS      string         // "TLS 1.3 TLS_AES_128_GCM_SHA256"; "" without TLS
	Auth     string         // the authenticated identity; "" when none
	Receiver string         // the receiving server and its session
	Received time.Time      // when the message ended
	Size     int64          // the length of the message's text
	Object   string         // the bucket's object holding the text; "" when inline
}

// ErrNotGosmtpd is returned by ParseMessage for a message the Handler did
// not publish: it has no Gosmtpd-Id or Gosmtpd-Mail-From header.
var ErrNotGosmtpd = errors.New("jetstream: not a message published by gosmtpd")

// ParseMessage reads a published message's headers.
func ParseMessage(h nats.Header) (*Message, error) {
	m := &Message{ID: h.Get(HeaderID), Client: h.Get(HeaderClient), Helo: h.Get(HeaderHelo),
		TLS: h.Get(HeaderTLS), Auth: h.Get(HeaderAuth), Receiver: h.Get(HeaderReceiver), Object: h.Get(HeaderObject)}
	from := h.Get(HeaderMailFrom)
	if m.ID == "" || from == "" {
		return nil, ErrNotGosmtpd
	}
	m.Envelope.MailFrom, m.Envelope.MailOptions = parsePath(from)
	for _, v := range h.Values(HeaderRcptTo) {
		addr, opts := parsePath(v)
		m.Envelope.RcptTos = append(m.Envelope.RcptTos, addr)
		m.Envelope.RcptOptions = append(m.Envelope.RcptOptions, opts)
	}
	var err error
	if m.Received, err = time.Parse(time.RFC3339Nano, h.Get(HeaderReceived)); err != nil {
		return nil, fmt.Errorf("jetstream: %s: %w", HeaderReceived, err)
	}
	if m.Size, err = strconv.ParseInt(h.Get(HeaderSize), 10, 64); err != nil {
		return nil, fmt.Errorf("jetstream: %s: %w", HeaderSize, err)
	}
	return m, nil
}

// Open reads a stream message back: its envelope, and a reader of its text,
// from the payload or from the bucket. The reader fails at its end when an
// object's digest does not match. The caller closes it.
func Open(ctx context.Context, bucket jetstream.ObjectStore, msg jetstream.Msg) (*Message, io.ReadCloser, error) {
	m, err := ParseMessage(msg.Headers())
	if err != nil {
		return nil, nil, err
	}
	if m.Object == "" {
		return m, io.NopCloser(bytes.NewReader(msg.Data())), nil
	}
	if bucket == nil {
		return nil, nil, fmt.Errorf("jetstream: message %s is in object %q but no bucket was given", m.ID, m.Object)
	}
	body, err := bucket.Get(ctx, m.Object)
	if err != nil {
		return nil, nil, fmt.Errorf("jetstream: message %s: object %q: %w", m.ID, m.Object, err)
	}
	return m, body, nil
}
