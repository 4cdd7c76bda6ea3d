package handlers

import (
	"context"
	"io"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// Sink accepts every message and discards it, reading it to the end so that
// a message the client sends is always received whole before the 250.
type Sink struct{}

// HandleDATA discards the message.
func (Sink) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	_, err := io.Copy(io.Discard, msg)
	return err
}
