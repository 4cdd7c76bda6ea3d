package attacks_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// secondFails is an LMTP handler that fails the second recipient.
type secondFails struct{}

func (secondFails) HandleLMTPDATA(_ context.Context, _ *hooks.Session, e *hooks.Envelope, msg io.Reader) []error {
	if _, err := io.Copy(io.Discard, msg); err != nil {
		return nil
	}
	errs := make([]error, len(e.RcptTos))
	errs[1] = hooks.Reply{Code: 452, Enhanced: "4.2.2", Text: "Mailbox full"}
	return errs
}

// T-34: LMTP over a Unix socket: after the final dot, one reply per
// accepted recipient in RCPT order; EHLO gets 500 5.5.1.
func TestLMTPPerRecipientReplies(t *testing.T) {
	srv := &gosmtpd.Server{Handler: secondFails{}, LMTP: true}
	c := dial(t, "unix", startOn(t, srv, listen(t, "unix", filepath.Join(t.TempDir(), "lmtp.sock"))))
	c.Expect("220 ")
	c.Send("EHLO client.test")
	c.Expect("500 5.5.1")
	c.Send("LHLO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<one@y.test>", "RCPT TO:<two@y.test>",
		"RCPT TO:<three@y.test>", "DATA")
	c.ExpectAll("250 ", "250 2.1.0", "250 2.1.5", "250 2.1.5", "250 2.1.5", "354 ")
	c.Send("hello", ".")
	c.ExpectAll("250 2.", "452 4.2.2", "250 2.")
	c.Send("NOOP")
	c.Expect("250 2.0.0")
}
