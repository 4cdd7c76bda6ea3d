package gosmtpd

import (
	"context"
	"log/slog"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// AuthFailureMessage is the message of the log record written for every
// AUTH attempt whose credentials were refused (535), at Warn, with these
// attributes in this order:
//
//	client     the client's IP address (under PROXY, the original client's)
//	mechanism  the SASL mechanism, upper case
//	user       the user name given, as the client sent it (slog's handlers
//	           quote and escape it)
//	session    the session's ID
//
// With slog's text handler, as the gosmtpd command logs to stderr:
//
//	time=2026-01-02T15:04:05.000Z level=WARN msg="AUTH failed" client=192.0.2.7 mechanism=PLAIN user=alice session=1a2b3c-4
//
// The record's shape is stable: the fail2ban filter shipped with the
// command (cmd/gosmtpd/fail2ban) matches it, and so may other tools. The
// client comes first so that nothing the client chooses (the user name)
// can stand before it.
const AuthFailureMessage = "AUTH failed"

// authFailureLog writes the AUTH failure records: the one place their
// format is made.
type authFailureLog struct{ l *slog.Logger }

func (a *authFailureLog) failed(s *hooks.Session, c *hooks.Credentials) {
	ctx := context.Background()
	if !a.l.Enabled(ctx, slog.LevelWarn) {
		return
	}
	a.l.LogAttrs(ctx, slog.LevelWarn, AuthFailureMessage,
		slog.String("client", hostOf(s.Peer)),
		slog.String("mechanism", c.Mechanism),
		slog.String("user", c.Username),
		slog.String("session", s.ID))
}
