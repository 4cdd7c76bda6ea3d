package handlers

import (
	"context"
	"io"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// Sink accepts every message and discards it, reading it to the end so that
// a message the client sends is always received whole before the 250.
type Sink struct{}

// DiscardsMessages tells the server that h, the handler it serves, is a
// Sink itself, not a type that embeds one and may read messages its own
// way: then the core drops each message as it decodes it, received whole
// all the same, and HandleDATA is not called.
func (Sink) DiscardsMessages(h hooks.Handler) bool {
	switch h.(type) {
	case Sink, *Sink:
		return true
	}
	return false
}

// HandleDATA discards the message.
func (Sink) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	_, err := io.Copy(io.Discard, msg)
	return err
}
