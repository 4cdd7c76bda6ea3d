package fsm

// Rules of this file: the commands that change little: RSET, NOOP, QUIT,
// VRFY and EXPN. Each is checked here and asked of its hook with its
// default reply; apply (next.go) makes the change the reply implies.

import (
	"bytes"

	"github.com/gosmtpd/gosmtpd/codec"
)

func (c *Conn) rset(cmd codec.Command, _ error) (step, bool) {
	if len(cmd.Arg) > 0 {
		return c.refuse(replySyntaxRSET)
	}
	c.ask = Ask{Default: replyOK}
	return c.askHook(HookRSET)
}

func (c *Conn) noop(cmd codec.Command, _ error) (step, bool) {
	c.ask = Ask{Arg: cmd.Arg, Default: replyOK}
	return c.askHook(HookNOOP)
}

func (c *Conn) quit(cmd codec.Command, _ error) (step, bool) {
	if len(cmd.Arg) > 0 {
		return c.refuse(replySyntaxQUIT)
	}
	c.ask = Ask{Default: replyBye}
	return c.askHook(HookQUIT)
}

func (c *Conn) vrfy(cmd codec.Command, _ error) (step, bool) {
	if len(cmd.Arg) == 0 {
		return c.refuse(replySyntaxVRFY)
	}
	if rep, bad := c.vrfyArg(cmd.Arg); bad {
		return c.refuse(rep)
	}
	c.ask = Ask{Arg: cmd.Arg, Default: replyVRFY}
	return c.askHook(HookVRFY)
}

// vrfyArg checks VRFY's argument (RFC 5321 §3.5.3): a user name ("alice",
// "Alice Smith") is taken as it is, but what looks like a mailbox (it has
// "<" or "@") must be one, bracketed or not, or the 252 "will attempt
// delivery" would promise what RCPT refuses; it gets RCPT's error reply.
func (c *Conn) vrfyArg(arg []byte) (codec.Reply, bool) {
	if !bytes.ContainsAny(arg, "<@") {
		return codec.Reply{}, false
	}
	opt := codec.PathOptions{AllowNoBracket: true, AllowUTF8: c.cfg.smtputf8, LocalOnly: true}
	_, rest, err := codec.ParsePath(arg, opt)
	switch {
	case err != nil:
		return pathError(err, replySyntaxVRFY), true
	case len(rest) > 0:
		return replySyntaxVRFY, true
	}
	return codec.Reply{}, false
}

func (c *Conn) expn(codec.Command, error) (step, bool) { return c.refuse(replyNoEXPN) }
