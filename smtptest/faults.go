package smtptest

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// Fault is how the server misbehaves for a chosen sender, recipient or
// message, so that a test reaches its code's error paths (a refused
// recipient, a 451 after DATA, a slow server) while the server still records
// what it accepts: it waits Delay, then answers Reply. A zero Reply gives the
// usual answer after the delay. This is what mailpit's chaos triggers and
// MailHog's Jim give their users, chosen rather than random.
type Fault struct {
	Delay time.Duration
	Reply hooks.Reply
}

// faultStage is the command a fault applies to.
type faultStage uint8

const (
	atMAIL faultStage = iota
	atRCPT
	atDATA
)

type fault struct {
	stage faultStage
	match string // an address (case-insensitive, "*" any) or text the message contains
	Fault
}

// OnSender applies f to MAIL FROM:<address>: the address compared without
// regard to case, "" for the null sender <>, "*" for every sender.
func OnSender(address string, f Fault) Option {
	return func(s *Server) { s.faults = append(s.faults, fault{atMAIL, address, f}) }
}

// OnRecipient applies f to RCPT TO:<address>, compared as OnSender does.
func OnRecipient(address string, f Fault) Option {
	return func(s *Server) { s.faults = append(s.faults, fault{atRCPT, address, f}) }
}

// OnMessage applies f after the final dot of each message whose bytes
// contain text ("" for every message): a message refused this way is not
// recorded; one only delayed is.
func OnMessage(text string, f Fault) Option {
	return func(s *Server) { s.faults = append(s.faults, fault{atDATA, text, f}) }
}

// injectFault runs the first fault of stage that matches, if any: its delay,
// then its reply (nil for the usual answer). The delay ends early when the
// session ends.
func (s *Server) injectFault(ctx context.Context, stage faultStage, matches func(string) bool) error {
	for _, f := range s.faults {
		if f.stage != stage || !matches(f.match) {
			continue
		}
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if f.Reply.IsZero() {
			return nil
		}
		return f.Reply
	}
	return nil
}

func addressIs(address string) func(string) bool {
	return func(match string) bool { return match == "*" || strings.EqualFold(match, address) }
}

func contains(data []byte) func(string) bool {
	return func(text string) bool { return bytes.Contains(data, []byte(text)) }
}

func (r *recorder) HandleMAIL(ctx context.Context, _ *hooks.Session, _ *hooks.Envelope, address string, _ []string) error {
	return (*Server)(r).injectFault(ctx, atMAIL, addressIs(address))
}

func (r *recorder) HandleRCPT(ctx context.Context, _ *hooks.Session, _ *hooks.Envelope, address string, _ []string) error {
	return (*Server)(r).injectFault(ctx, atRCPT, addressIs(address))
}
