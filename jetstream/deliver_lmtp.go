package jetstream

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"strings"
	"time"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// lmtpTimeout bounds one LMTP delivery when the context has no deadline.
const lmtpTimeout = 5 * time.Minute

// LMTP delivers over LMTP (RFC 2033) to the server at addr on network
// ("unix" or "tcp"), as mail is handed to a local delivery agent (Dovecot,
// Cyrus): LHLO, MAIL, one RCPT per recipient, DATA, then one reply per
// accepted recipient. The delivery is done when every recipient got a 2xx.
// Any 4xx makes it a temporary failure, retried whole later, so a
// recipient that had accepted gets the message again: publish in LMTP
// mode (one recipient a message) where that matters. Recipients all
// refused for good make a permanent failure; some refused for good beside
// others delivered end the message too, the refusals in its reason.
func LMTP(network, addr string) DeliverFunc {
	return func(ctx context.Context, m *Message, text io.Reader) error {
		var d net.Dialer
		nc, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return err
		}
		defer nc.Close()
		deadline, ok := ctx.Deadline()
		if !ok {
			deadline = time.Now().Add(lmtpTimeout)
		}
		nc.SetDeadline(deadline)
		return lmtpSession(textproto.NewConn(nc), m, text)
	}
}

// lmtpVerdicts collects the replies for the recipients.
type lmtpVerdicts struct {
	temporary, permanent []string // "rcpt: reply"
}

func (v *lmtpVerdicts) add(rcpt string, code int, msg string) {
	switch {
	case code >= 200 && code < 300:
	case code >= 500:
		v.permanent = append(v.permanent, fmt.Sprintf("<%s>: %d %s", rcpt, code, msg))
	default:
		v.temporary = append(v.temporary, fmt.Sprintf("<%s>: %d %s", rcpt, code, msg))
	}
}

// outcome is the delivery's result: nil, a temporary error, or a 5xx
// Reply when only permanent refusals remain.
func (v *lmtpVerdicts) outcome() error {
	switch {
	case len(v.temporary) > 0:
		return fmt.Errorf("lmtp: %s", strings.Join(append(v.temporary, v.permanent...), "; "))
	case len(v.permanent) > 0:
		return hooks.Reply{Code: 550, Enhanced: "5.0.0", Text: "lmtp: " + strings.Join(v.permanent, "; ")}
	}
	return nil
}

func lmtpSession(c *textproto.Conn, m *Message, text io.Reader) error {
	defer c.Close()
	if err := expect(c, 220, ""); err != nil {
		return err
	}
	host, _ := os.Hostname()
	if err := expect(c, 250, "LHLO %s", host); err != nil {
		return err
	}
	code, msg, err := command(c, "MAIL FROM:<%s>", m.Envelope.MailFrom)
	switch {
	case err != nil:
		return err
	case code >= 500:
		return hooks.Reply{Code: 550, Enhanced: "5.0.0", Text: fmt.Sprintf("lmtp: sender <%s> refused: %d %s", m.Envelope.MailFrom, code, msg)}
	case code/100 != 2:
		return fmt.Errorf("lmtp: sender <%s>: %d %s", m.Envelope.MailFrom, code, msg)
	}
	var v lmtpVerdicts
	var accepted []string
	for _, r := range m.Envelope.RcptTos {
		code, msg, err := command(c, "RCPT TO:<%s>", r)
		if err != nil {
			return err
		}
		if code/100 == 2 {
			accepted = append(accepted, r)
		}
		v.add(r, code, msg)
	}
	if len(accepted) > 0 {
		if err := lmtpData(c, text, accepted, &v); err != nil {
			return err
		}
	}
	c.Cmd("QUIT")
	return v.outcome()
}

// lmtpData sends the message and reads one reply per accepted recipient.
func lmtpData(c *textproto.Conn, text io.Reader, accepted []string, v *lmtpVerdicts) error {
	if err := expect(c, 354, "DATA"); err != nil {
		return err
	}
	w := c.DotWriter()
	if _, err := io.Copy(w, text); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	for _, r := range accepted {
		code, msg, err := c.ReadResponse(0)
		if err != nil {
			return err
		}
		v.add(r, code, msg)
	}
	return nil
}

// command sends a command (none when format is "") and reads its reply.
func command(c *textproto.Conn, format string, args ...any) (int, string, error) {
	if format != "" {
		if err := c.PrintfLine(format, args...); err != nil {
			return 0, "", err
		}
	}
	return c.ReadResponse(0)
}

// expect sends a command and fails unless its reply has the code want:
// for the greeting, LHLO and DATA any refusal is the server's trouble, not
// the message's, and is worth another try.
func expect(c *textproto.Conn, want int, format string, args ...any) error {
	code, msg, err := command(c, format, args...)
	if err == nil && code != want {
		err = fmt.Errorf("lmtp: %q: %d %s", fmt.Sprintf(format, args...), code, msg)
	}
	return err
}
