package fsm

// Rules of this file: what the core tells Config.Report of a session's
// outcomes, for logs and metrics. Only the core knows them all: it refuses
// some commands and messages by itself (a SIZE too big, too many
// recipients, a message abandoned at its limit) and applies the default
// reply when no hook is asked. Reporting is a read of facts the core has
// just decided, after the reply is queued; the core's behaviour never
// depends on it.

import "github.com/gosmtpd/gosmtpd/codec"

// EventKind says what an Event reports.
type EventKind uint8

const (
	// EventMail: a MAIL command was answered, by its hook or by the core
	// (a parameter refused, a SIZE above the limit). Reply, Path.
	EventMail EventKind = iota + 1
	// EventRcpt: a RCPT command was answered, by its hook or by the core
	// (too many recipients). Reply, Path.
	EventRcpt
	// EventMessage: a message got its final reply (after DATA's dot or
	// BDAT LAST), from the DATA hook or from the core when it refused the
	// message by itself (Abandoned says why). In LMTP there is one per
	// accepted recipient, Rcpt says which. Reply, Size, Recipients.
	EventMessage
	// EventAuth: an AUTH exchange got its verdict from the mechanism (235,
	// or a refusal). Refusals before any mechanism runs (an unknown
	// mechanism, AUTH before TLS, bad base64, a cancelled exchange) are
	// not reported. Reply, Mechanism.
	EventAuth
)

var eventNames = [...]string{"", "Mail", "Rcpt", "Message", "Auth"}

func (k EventKind) String() string { return eventNames[k] }

// Event is one outcome reported to Config.Report. It and Path's slices,
// which point into the core's input buffer, are valid only during the
// call, and Report must not change them.
type Event struct {
	Kind       EventKind
	Reply      codec.Reply   // the reply sent
	Path       codec.Path    // EventMail: the sender; EventRcpt: the recipient
	Params     *codec.Params // EventMail, EventRcpt: the command's parameters, when it reached its hook or default reply; nil when the core refused them
	Mechanism  string        // EventAuth: the SASL mechanism, upper case, as offered
	Size       int64         // EventMessage: the body's octets, as received (BDAT: as announced)
	Recipients int           // EventMessage: the recipients accepted for the message
	Rcpt       int           // EventMessage in LMTP: the index of the recipient among those accepted
	Abandoned  error         // EventMessage: ErrMessageTooBig, ErrLineTooLong, ErrBareLineEnd, or the handler's abort; nil when the DATA hook answered
}

// event starts the event of kind k to report, or returns nil when nothing
// is reported. Each kind has its own Event in the Conn, reused: reporting
// neither allocates nor copies one, and, since each reporter sets every
// field of its kind and no other, nor clears one (the fields of other
// kinds stay zero).
func (c *Conn) event(k EventKind, rep codec.Reply) *Event {
	if c.onEvent == nil {
		return nil
	}
	if c.ev == nil {
		c.ev = new([len(eventNames)]Event)
	}
	e := &c.ev[k]
	e.Kind, e.Reply = k, rep
	return e
}

// reportPath reports a MAIL or RCPT reply; params is nil when the core
// refused the command before its parameters were accepted.
func (c *Conn) reportPath(k EventKind, path codec.Path, params *codec.Params, rep codec.Reply) {
	if e := c.event(k, rep); e != nil {
		e.Path, e.Params = path, params
		c.onEvent(e)
	}
}

// reportMessage reports a message's final reply.
func (c *Conn) reportMessage(rep codec.Reply) {
	e := c.event(EventMessage, rep)
	if e == nil {
		return
	}
	e.Size, e.Recipients, e.Abandoned = c.txn.got, c.txn.accepted, c.txn.abandon
	e.Rcpt = 0
	if c.cfg.lmtp {
		e.Rcpt = c.txn.lmtpNext
	}
	c.onEvent(e)
}

// reportAuth reports a mechanism's verdict.
func (c *Conn) reportAuth(rep codec.Reply) {
	if c.authMech < 0 || c.authMech >= len(c.cfg.mechanisms) {
		return
	}
	if e := c.event(EventAuth, rep); e != nil {
		e.Mechanism = c.cfg.mechanisms[c.authMech]
		c.onEvent(e)
	}
}
