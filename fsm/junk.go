package fsm

import "github.com/gosmtpd/gosmtpd/codec"

// Junk: commands that cost the server work and move nothing forward. A
// client may send some (a NOOP to keep a session alive, RSET between
// messages), but past a limit each counts as an error, so that a session
// sending only junk reaches MaxErrors and ends with 421 instead of
// holding a slot for ever (Postfix's smtpd_junk_command_limit and
// smtpd_recipient_overshoot_limit).

// isJunk reports whether v is a junk command: Postfix's NOOP, RSET and
// VRFY (ETRN is not offered here), and HELP.
func isJunk(v codec.Verb) bool {
	switch v {
	case codec.VerbNOOP, codec.VerbRSET, codec.VerbVRFY, codec.VerbHELP:
		return true
	}
	return false
}

// countJunk counts command v if it is junk; past MaxJunk it counts as an
// error too. False when that error ended the session (421 queued): the
// command is not carried out. The count starts again after each message
// accepted.
func (c *Conn) countJunk(v codec.Verb) bool {
	if !isJunk(v) || c.cfg.maxJunk <= 0 {
		return true
	}
	if c.junk++; c.junk <= c.cfg.maxJunk {
		return true
	}
	return c.countError()
}

// refuseOvershoot refuses a recipient past MaxRecipients (452, which RFC
// 5321 §4.5.3.1.10 asks a client to retry later); past MaxOvershoot of
// them in one transaction, each counts as an error too.
func (c *Conn) refuseOvershoot() (step, bool) {
	c.queue(replyTooMany)
	if c.cfg.maxOvershoot > 0 {
		if c.txn.overshoot++; c.txn.overshoot > c.cfg.maxOvershoot {
			c.countError()
		}
	}
	return step{}, false
}
