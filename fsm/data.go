package fsm

// Rules of this file: DATA (RFC 5321 §4.1.1.4) and the end of every message.
// The body is decoded in place and handed out as ActBody chunks; the core
// never gathers it. Only CRLF.CRLF ends it (codec.DotDecoder). A message that
// breaks a limit or the bare-line-ending policy is abandoned at once (ActBody
// with Err) and the rest is discarded up to the end of data, where the core
// answers by itself: the client never gets a 250 for a message the handler
// did not receive whole.

import "github.com/gosmtpd/gosmtpd/codec"

func (c *Conn) data(cmd codec.Command, _ error) (step, bool) {
	if len(cmd.Arg) > 0 {
		return c.refuse(replySyntaxDATA)
	}
	if c.txn.binary {
		return c.refuse(replyBinaryDATA)
	}
	c.queue(replyStartData)
	c.state = StateData
	c.phase = phaseBody
	return step{}, false
}

// stepBody decodes the buffered body bytes.
func (c *Conn) stepBody() (step, bool) {
	out, n, done := c.txn.dec.Decode(c.in[c.r:c.w])
	c.r += n
	if done {
		c.phase = phaseDataEnd
	}
	if a, ok := c.received(out); ok {
		return a, true
	}
	if !done && n == 0 {
		return needData, true
	}
	return step{}, false
}

// received accounts for body bytes and returns the ActBody that hands them
// out, or the one that abandons the message when a limit is broken.
func (c *Conn) received(out []byte) (step, bool) {
	if c.txn.abandon != nil {
		return step{}, false
	}
	c.txn.got += int64(len(out))
	if err, rep := c.bodyViolation(); err != nil {
		return c.abandon(err, rep)
	}
	if len(out) == 0 || !c.cfg.hooks.Has(HookDATA) {
		return step{}, false
	}
	return step{kind: ActBody, data: out}, true
}

func (c *Conn) bodyViolation() (error, codec.Reply) {
	d := &c.txn.dec
	switch {
	case c.cfg.maxSize > 0 && c.txn.got > c.cfg.maxSize:
		return ErrMessageTooBig, replyTooMuchData
	case d.LongLine:
		return ErrLineTooLong, replyDataLineLong
	case d.Bare && c.cfg.bareReject:
		return ErrBareLineEnd, replyBare
	}
	return nil, codec.Reply{}
}

// abandon starts discarding the message and tells the driver so.
func (c *Conn) abandon(err error, rep codec.Reply) (step, bool) {
	c.txn.abandon, c.txn.bodyErr = err, rep
	if !c.cfg.hooks.Has(HookDATA) {
		return step{}, false
	}
	return step{kind: ActBody, err: err}, true
}

// AbortData reports that the handler's stream of the current message failed:
// the core discards the rest of the body and answers r after its end (for
// every recipient in LMTP). It counts too for the last chunk of a body,
// handed out once the end of data is already seen, until the final reply is
// asked for. Outside a message body it does nothing.
func (c *Conn) AbortData(rep codec.Reply) {
	if !c.inBody() {
		return
	}
	if c.txn.abandon == nil {
		c.txn.abandon, c.txn.bodyErr = errAborted, rep
	}
}

// inBody reports whether a message's body is still being handed out: its
// bytes are arriving, or its end was seen and its final reply is not yet
// asked for.
func (c *Conn) inBody() bool {
	switch {
	case c.phase == phaseBody || c.phase == phaseChunk || c.state == StateChunking:
		return true
	case c.phase == phaseDataEnd: // no final reply asked for or given yet
		return c.asking == HookNone && c.txn.lmtpNext == 0
	}
	return false
}

// stepDataEnd gives the final reply of a message: the abandonment reply, or
// the DATA hook's decision (once per accepted recipient in LMTP, RFC 2033
// §4.2).
func (c *Conn) stepDataEnd() (step, bool) {
	if c.txn.abandon != nil {
		for i := 0; i < c.finalReplies(); i++ {
			c.queue(c.txn.bodyErr)
			c.txn.lmtpNext = i
			c.reportMessage(c.txn.bodyErr)
		}
		c.endMessage()
		return step{}, false
	}
	c.ask = Ask{Default: replyDataOK}
	if c.cfg.lmtp {
		c.ask.Rcpt = c.txn.lmtpNext
	}
	return c.askHook(HookDATA)
}

// finalReplies is how many replies end a message: one per accepted recipient
// in LMTP, else one.
func (c *Conn) finalReplies() int {
	if c.cfg.lmtp {
		return c.txn.accepted
	}
	return 1
}

func (c *Conn) dataDecided(rep codec.Reply) {
	c.queue(rep)
	c.reportMessage(rep)
	if rep.Positive() {
		c.junk = 0 // a client delivering mail is not idling
	}
	c.txn.lmtpNext++
	if c.txn.lmtpNext >= c.finalReplies() {
		c.endMessage()
	}
}

// endMessage ends the transaction after its final reply.
func (c *Conn) endMessage() {
	c.phase = phaseCommand
	c.resetTransaction()
}
