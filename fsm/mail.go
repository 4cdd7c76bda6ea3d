package fsm

// Rules of this file: MAIL and RCPT, their paths (RFC 5321 §4.1.2) and their
// parameters, checked against the tables of extensions.go: the core's own
// (SIZE, BODY, SMTPUTF8, AUTH), the enabled built-in extensions' and the
// embedder's. Any other parameter is 555; parameters after HELO are 555.

import "github.com/gosmtpd/gosmtpd/codec"

// transaction is the core's part of a mail transaction: counts and flags. The
// envelope itself (paths, options) is kept by the hooks layer.
type transaction struct {
	rcpts, accepted int   // RCPT commands, and how many a hook accepted
	overshoot       int   // RCPTs refused past MaxRecipients (junk.go)
	binary, utf8    bool  // BODY=BINARYMIME, SMTPUTF8 on MAIL
	got             int64 // body octets received so far
	bodyErr         codec.Reply
	abandon         error // why the body is being discarded, or nil
	dec             codec.DotDecoder
	chunkLeft       int64 // BDAT octets still to read
	chunkLast       bool
	chunkRefusal    codec.Reply // the reply for a BDAT whose chunk is discarded
	lmtpNext        int         // next accepted recipient to answer for (LMTP)
}

func (c *Conn) resetTransaction() {
	dec := c.txn.dec
	dec.Reset()
	c.txn = transaction{dec: dec}
	if c.state != StateConnected && c.state != StateClosed {
		c.state = StateGreeted
	}
}

func (c *Conn) mail(cmd codec.Command, err error) (step, bool) {
	if err != nil || len(cmd.Arg) == 0 {
		return c.refuse(c.syntaxReply(replySyntaxMAIL, replySyntaxMAILExt))
	}
	path, rest, err := codec.ParsePath(cmd.Arg, codec.PathOptions{AllowNull: true, AllowUTF8: c.cfg.smtputf8, AllowNoBracket: !c.cfg.strictPaths})
	if err != nil {
		return c.refuse(pathError(err, c.syntaxReply(replySyntaxMAIL, replySyntaxMAILExt)))
	}
	if rep, bad := c.mailParams(rest); bad {
		c.queue(rep)
		c.reportPath(EventMail, path, nil, rep)
		return step{}, false
	}
	if path.UTF8 && !c.txn.utf8 {
		return c.refuse(replyNonASCII)
	}
	c.ask = Ask{Path: path, Params: &c.params, Default: replyMailOK}
	return c.askHook(HookMAIL)
}

// mailParams checks MAIL's parameters against the offered extensions'
// (extensions.go) and notes the ones the core acts on.
func (c *Conn) mailParams(rest []byte) (codec.Reply, bool) {
	c.txn.binary, c.txn.utf8 = false, false
	if len(rest) > 0 && !c.extended {
		return replyUnknownMAIL, true // parameters need EHLO (RFC 5321 §4.1.1.1)
	}
	if err := c.params.Parse(rest, c.cfg.smtputf8); err != nil {
		return replyBadParams, true
	}
	return c.checkParams(&c.params, c.cfg.ext.mail, replyUnknownMAIL)
}

// rcptParams checks RCPT's parameters likewise; their values may be UTF-8
// when MAIL carried SMTPUTF8 (RFC 6531 §3.3).
func (c *Conn) rcptParams(rest []byte) (codec.Reply, bool) {
	if len(rest) > 0 && !c.extended {
		return replyUnknownRCPT, true
	}
	if err := c.params.Parse(rest, c.txn.utf8); err != nil {
		return replyBadParams, true
	}
	return c.checkParams(&c.params, c.cfg.ext.rcpt, replyUnknownRCPT)
}

// syntaxReply picks a command's syntax reply: after EHLO it shows the
// parameters too, as aiosmtpd's does.
func (c *Conn) syntaxReply(plain, extended codec.Reply) codec.Reply {
	if c.extended {
		return extended
	}
	return plain
}

// pathError maps a path parse error to its reply.
func pathError(err error, syntax codec.Reply) codec.Reply {
	switch err {
	case codec.ErrBadAddress:
		return replyBadAddress
	case codec.ErrNonASCII:
		return replyNonASCII
	case codec.ErrBadUTF8:
		return replyBadUTF8
	}
	return syntax
}

func (c *Conn) mailDecided(rep codec.Reply) {
	c.queue(rep)
	c.reportPath(EventMail, c.ask.Path, c.ask.Params, rep)
	if rep.Positive() {
		c.state = StateMail
	}
}

func (c *Conn) rcpt(cmd codec.Command, err error) (step, bool) {
	if err != nil || len(cmd.Arg) == 0 {
		return c.refuse(c.syntaxReply(replySyntaxRCPT, replySyntaxRCPTExt))
	}
	opt := codec.PathOptions{AllowUTF8: c.txn.utf8, LocalOnly: true, AllowNoBracket: !c.cfg.strictPaths}
	path, rest, err := codec.ParsePath(cmd.Arg, opt)
	if err != nil {
		return c.refuse(pathError(err, c.syntaxReply(replySyntaxRCPT, replySyntaxRCPTExt)))
	}
	if rep, bad := c.rcptParams(rest); bad {
		return c.refuse(rep)
	}
	if c.txn.rcpts >= c.cfg.maxRcpts {
		c.reportPath(EventRcpt, path, nil, replyTooMany)
		return c.refuseOvershoot()
	}
	c.txn.rcpts++
	c.ask = Ask{Path: path, Params: &c.params, Rcpt: c.txn.rcpts - 1, Default: replyRcptOK}
	return c.askHook(HookRCPT)
}

func (c *Conn) rcptDecided(rep codec.Reply) {
	c.queue(rep)
	c.reportPath(EventRcpt, c.ask.Path, c.ask.Params, rep)
	if rep.Positive() {
		c.txn.accepted++
		c.state = StateRcpt
	}
}
