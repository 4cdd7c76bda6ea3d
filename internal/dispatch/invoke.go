package dispatch

import (
	"context"
	"crypto/tls"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// callKind names the hook a call goes to.
type callKind uint8

const (
	callHELO callKind = iota
	callEHLO
	callLHLO
	callMAIL
	callRCPT
	callRSET
	callNOOP
	callQUIT
	callVRFY
	callCommand
	callAuth
	callPROXY
	callSTARTTLS
	callException
	callDATA
	callLMTPDATA
	callConnect
)

var callNames = [...]string{"HELO", "EHLO", "LHLO", "MAIL", "RCPT", "RSET", "NOOP", "QUIT",
	"VRFY", "Command", "AUTH", "PROXY", "STARTTLS", "Exception", "DATA", "DATA", "CONNECT"}

// callArgs are one hook call's arguments, and what it gives back besides
// its error. They are a plain value rather than a closure, so that a call
// on the session's goroutine allocates nothing, and a call on a goroutine
// of its own (hooks.Abandoning) works on a copy.
type callArgs struct {
	kind  callKind
	name  string   // HELO, EHLO, LHLO: the client's name; a custom command's name
	arg   string   // NOOP, VRFY, a custom command: the argument; MAIL, RCPT: the mailbox
	opts  []string // MAIL, RCPT: the parameters
	caps  []string // EHLO, LHLO: the capability lines, rewritten by the hook
	creds *hooks.Credentials
	proxy *hooks.ProxyInfo
	tls   *tls.ConnectionState
	err   error       // Exception: the failure
	msg   Stream      // DATA: the message
	reply hooks.Reply // Exception: the reply chosen
	rcpts []error     // LMTP DATA: the answer for each recipient
}

// invoke calls the hook a names.
func (c *Caller) invoke(ctx context.Context, s *hooks.Session, e *hooks.Envelope, a *callArgs) error {
	d := c.d
	var err error
	switch a.kind {
	case callHELO:
		err = d.helo.HandleHELO(ctx, s, e, a.name)
	case callEHLO:
		a.caps, err = d.ehlo.HandleEHLO(ctx, s, e, a.name, a.caps)
	case callLHLO:
		a.caps, err = d.lhlo.HandleLHLO(ctx, s, e, a.name, a.caps)
	case callMAIL:
		err = d.mail.HandleMAIL(ctx, s, e, a.arg, a.opts)
	case callRCPT:
		err = d.rcpt.HandleRCPT(ctx, s, e, a.arg, a.opts)
	case callRSET:
		err = d.rset.HandleRSET(ctx, s, e)
	case callNOOP:
		err = d.noop.HandleNOOP(ctx, s, e, a.arg)
	case callQUIT:
		err = d.quit.HandleQUIT(ctx, s, e)
	case callVRFY:
		err = d.vrfy.HandleVRFY(ctx, s, e, a.arg)
	case callCommand:
		err = d.command.HandleCommand(ctx, s, e, a.name, a.arg)
	case callAuth:
		err = d.auth.Authenticate(ctx, s, e, a.creds)
	case callPROXY:
		err = d.proxy.HandlePROXY(ctx, s, a.proxy)
	case callSTARTTLS:
		err = d.starttls.HandleSTARTTLS(ctx, s, a.tls)
	case callException:
		a.reply = d.exception.HandleException(ctx, s, a.err)
	case callDATA:
		err = d.data.HandleDATA(ctx, s, e, a.msg)
	case callConnect:
		err = d.connect.HandleConnect(ctx, s)
	case callLMTPDATA:
		a.rcpts = append(a.rcpts, d.lmtp.HandleLMTPDATA(ctx, s, e, a.msg)...)
	}
	return err
}
