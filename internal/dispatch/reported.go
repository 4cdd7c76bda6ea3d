package dispatch

// Rules of this file: the sender and the recipients the core accepted by
// itself. A handler with no MAIL or RCPT hook (the usual one: a DATA hook
// only) still gets the whole Envelope, but asking the core's question and
// answering it with the default reply would cost each command a hand-over;
// the core answers such a command itself and reports what it accepted
// (fsm.Config.Report), and the Envelope is recorded from that report. A
// command the core refused (a parameter refused, too many recipients) is
// never recorded, as it is never recorded when its hook is asked.

import (
	"github.com/gosmtpd/gosmtpd/fsm"
)

// Reports reports whether the Caller must be told what the core reports
// (Reported): the Envelope is kept for a handler and the core answers MAIL
// or RCPT by itself.
func (d *Dispatcher) Reports() bool {
	return d.hooks.Has(fsm.HookHELO) && (!d.hooks.Has(fsm.HookMAIL) || !d.hooks.Has(fsm.HookRCPT))
}

// Reported records in the Envelope a sender or a recipient the core
// accepted without asking its hook. Reports of a command whose hook is
// asked are left to Record, and refusals are ignored. It is the
// fsm.Config.Report of the session's core (or called from it) and reads e
// during the call only.
func (c *Caller) Reported(e *fsm.Event) {
	if !e.Reply.Positive() {
		return
	}
	switch {
	case e.Kind == fsm.EventMail && !c.d.hooks.Has(fsm.HookMAIL):
		c.startEnvelope()
		opts := options(e.Params)
		// The core takes AUTH= only when it offers AUTH, and then MAIL is
		// asked: no AUTH= parameter comes this way.
		c.recordSender(c.recent.senderOf(e.Path.Mailbox), opts, "")
	case e.Kind == fsm.EventRcpt && !c.d.hooks.Has(fsm.HookRCPT):
		n := len(c.env.RcptTos)
		c.recordRecipient(c.recent.recipientOf(n, e.Path.Mailbox), options(e.Params))
	}
}
