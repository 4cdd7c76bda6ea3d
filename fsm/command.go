package fsm

// Rules of this file: command dispatch. The checks run in one order for every
// command: call limit, mode (SMTP or LMTP greeting verbs), require-TLS,
// auth-required, sequence (the table), then the command's own syntax.

import "github.com/gosmtpd/gosmtpd/codec"

type commandFunc func(c *Conn, cmd codec.Command, err error) (step, bool)

var commands [codec.NumVerbs]commandFunc

func init() {
	commands = [codec.NumVerbs]commandFunc{
		codec.VerbUnknown:  (*Conn).unknown,
		codec.VerbHELO:     (*Conn).helo,
		codec.VerbEHLO:     (*Conn).helo,
		codec.VerbLHLO:     (*Conn).helo,
		codec.VerbMAIL:     (*Conn).mail,
		codec.VerbRCPT:     (*Conn).rcpt,
		codec.VerbDATA:     (*Conn).data,
		codec.VerbBDAT:     (*Conn).bdat,
		codec.VerbRSET:     (*Conn).rset,
		codec.VerbNOOP:     (*Conn).noop,
		codec.VerbQUIT:     (*Conn).quit,
		codec.VerbVRFY:     (*Conn).vrfy,
		codec.VerbEXPN:     (*Conn).expn,
		codec.VerbHELP:     (*Conn).help,
		codec.VerbSTARTTLS: (*Conn).starttls,
		codec.VerbAUTH:     (*Conn).auth,
	}
}

// command acts on one command line (without CRLF).
func (c *Conn) command(line []byte) (step, bool) {
	cmd, err := codec.ParseCommand(line)
	if err == codec.ErrBadLine {
		return c.refuse(replyBadLine)
	}
	if cmd.Verb == codec.VerbLHLO && !c.cfg.lmtp {
		cmd.Verb = codec.VerbUnknown // LHLO is LMTP's; SMTP does not know it
	}
	v := cmd.Verb
	if v == codec.VerbUnknown && c.state == StateConnected && codec.LooksLikeHTTP(line) {
		c.closeWith(replyHTTP, ErrCrossProtocol)
		return step{}, false
	}
	if v != codec.VerbAUTH && len(line) > c.commandLimit(v) {
		return c.refuse(replyLineTooLong)
	}
	if c.overCallLimit(v) {
		c.closeWith(r(421, "4.7.0", v.String()+" sent too many times"), ErrCallLimit)
		return step{}, false
	}
	if !c.countJunk(v) {
		return step{}, false
	}
	if v == codec.VerbBDAT {
		return c.bdat(cmd, err) // consumes its chunk even when refused
	}
	if rep, refused := c.gate(v); refused {
		return c.refuse(rep)
	}
	return commands[v](c, cmd, err)
}

// commandLimit is the longest line command v may have: MAIL and RCPT
// after EHLO may be longer by what the offered extensions' parameters add
// (RFC 5321 §4.5.3.1.4).
func (c *Conn) commandLimit(v codec.Verb) int {
	switch {
	case !c.extended:
	case v == codec.VerbMAIL:
		return c.cfg.maxLine + c.cfg.mailExtra
	case v == codec.VerbRCPT:
		return c.cfg.maxLine + c.cfg.rcptExtra
	}
	return c.cfg.maxLine
}

// gate applies the checks shared by all commands before their own syntax.
func (c *Conn) gate(v codec.Verb) (codec.Reply, bool) {
	switch {
	case c.refused && v != codec.VerbQUIT:
		return replyRefusedSession, true // RFC 5321 §3.1
	case v == codec.VerbUnknown:
		return codec.Reply{}, false
	case c.cfg.lmtp && (v == codec.VerbHELO || v == codec.VerbEHLO):
		return replyUseLHLO, true
	case c.requireTLS && !c.tls && !allowedBeforeTLS(v):
		return replyNeedTLS, true
	case c.cfg.authRequired && !c.authed && !allowedBeforeAuth(v):
		return replyNeedAuth, true
	case table[c.state][v] == noTransition:
		return c.sequenceError(v), true
	}
	return codec.Reply{}, false
}

// allowedBeforeTLS: RFC 3207 §4, everything else gets 530.
func allowedBeforeTLS(v codec.Verb) bool {
	switch v {
	case codec.VerbEHLO, codec.VerbLHLO, codec.VerbNOOP, codec.VerbQUIT, codec.VerbSTARTTLS:
		return true
	}
	return false
}

// allowedBeforeAuth: aiosmtpd's auth_required lets these through.
func allowedBeforeAuth(v codec.Verb) bool {
	switch v {
	case codec.VerbHELO, codec.VerbEHLO, codec.VerbLHLO, codec.VerbNOOP, codec.VerbRSET,
		codec.VerbQUIT, codec.VerbSTARTTLS, codec.VerbAUTH:
		return true
	}
	return false
}

// sequenceError explains why v is out of sequence in the current state.
func (c *Conn) sequenceError(v codec.Verb) codec.Reply {
	switch {
	case c.state == StateConnected:
		return replyHELOFirst
	case c.state == StateChunking:
		return replyBDATOpen
	case v == codec.VerbAUTH:
		return replyAuthInTxn // RFC 4954 §4: not during a mail transaction
	case v == codec.VerbMAIL:
		return replyNestedMAIL
	case v == codec.VerbRCPT:
		return replyNeedMAIL
	case v == codec.VerbDATA && c.state == StateMail:
		return replyNeedRCPT
	case v == codec.VerbDATA:
		return replyNeedMAIL
	}
	return replyBadSequence
}

// overCallLimit counts the command and reports whether it was sent more often
// than allowed (aiosmtpd's command_call_limit).
func (c *Conn) overCallLimit(v codec.Verb) bool {
	limit := c.cfg.callLimits[v]
	if limit <= 0 {
		return false
	}
	c.calls[v]++
	return c.calls[v] > limit
}

// refuse queues a reply without a state change.
func (c *Conn) refuse(rep codec.Reply) (step, bool) {
	c.queue(rep)
	return step{}, false
}

// moveTo applies the table's transition for v.
func (c *Conn) moveTo(v codec.Verb) {
	if next := table[c.state][v]; next != noTransition {
		c.state = next
	}
}
