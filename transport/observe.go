package transport

import (
	"crypto/tls"
	"errors"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/observe"
)

// observation is what a session keeps for its Observer: the event being
// reported (one value reused, so that reporting allocates nothing) and the
// facts that later events carry.
type observation struct {
	to      observe.Observer
	ev      observe.Event
	started time.Time // the session's start
	mailAt  time.Time // the last accepted MAIL
	sender  []byte    // the last MAIL's reverse path (a copy: the core's is a view)
	// LMTP: the recipients accepted in this transaction, end to end in
	// rcpts, the i-th ending at rcptEnds[i], for the per-recipient replies.
	rcpts    []byte
	rcptEnds []int
	reason   string        // why the session ends, when the driver knows better than the cause
	dataHook time.Duration // the DATA hook's time while it read the message, for its HookDone
}

// observeStart reports the session's start, when there is an Observer.
func (c *conn) observeStart() {
	if c.o.Observer == nil {
		return
	}
	c.obs = &observation{to: c.o.Observer, started: time.Now()}
	c.observe(observe.SessionStarted)
}

// observe reports an event of kind k with the fields set on c.obs.ev, then
// clears them.
func (c *conn) observe(k observe.Kind) {
	o := c.obs
	s := c.calls.Session()
	o.ev.Kind, o.ev.Session, o.ev.Client = k, s.ID, s.Peer
	o.to.Observe(&o.ev)
	o.ev = observe.Event{}
}

// observeCore has the core report its outcomes to the Observer, and to the
// hooks layer when it records the Envelope from them (the core answers MAIL
// or RCPT by itself for a handler without their hooks).
func (c *conn) observeCore(cfg *fsm.SessionConfig) {
	switch {
	case c.obs != nil:
		cfg.Report = c.reported
	case c.d.Reports():
		cfg.Report = c.calls.Reported
	}
}

// reported tells the hooks layer what the core reports, when it records
// from it, and turns it into an Event.
func (c *conn) reported(e *fsm.Event) {
	if c.d.Reports() {
		c.calls.Reported(e)
	}
	o := c.obs
	o.ev.Reply = e.Reply
	switch e.Kind {
	case fsm.EventMail:
		o.sender = append(o.sender[:0], e.Path.Mailbox...)
		o.rcpts, o.rcptEnds = o.rcpts[:0], o.rcptEnds[:0]
		o.mailAt = time.Now()
		o.ev.Sender = o.sender
		c.observe(observe.Mail)
	case fsm.EventRcpt:
		if c.o.Core.LMTP && e.Reply.Positive() {
			o.rcpts = append(o.rcpts, e.Path.Mailbox...)
			o.rcptEnds = append(o.rcptEnds, len(o.rcpts))
		}
		o.ev.Sender, o.ev.Recipient = o.sender, e.Path.Mailbox
		c.observe(observe.Recipient)
	case fsm.EventMessage:
		o.ev.Sender, o.ev.Recipients, o.ev.Size = o.sender, e.Recipients, e.Size
		o.ev.Abandoned, o.ev.Duration, o.ev.Rcpt = e.Abandoned, time.Since(o.mailAt), e.Rcpt
		o.ev.Recipient = o.lmtpRecipient(e.Rcpt)
		c.observe(observe.Message)
	case fsm.EventAuth:
		o.ev.Mechanism = e.Mechanism
		c.observe(observe.Auth)
	}
}

// lmtpRecipient is the i-th recipient accepted in an LMTP transaction;
// nil in SMTP.
func (o *observation) lmtpRecipient(i int) []byte {
	if i >= len(o.rcptEnds) {
		return nil
	}
	start := 0
	if i > 0 {
		start = o.rcptEnds[i-1]
	}
	return o.rcpts[start:o.rcptEnds[i]]
}

// decide asks the handler, timing the hook when there is an Observer. The
// DATA hook answers while it reads the message (deliver, timed by
// timeMessage): its HookDone carries that time too.
func (c *conn) decide(a *fsm.Ask) fsm.Decision {
	if c.obs == nil {
		return c.calls.Decide(a)
	}
	start := time.Now()
	d := c.calls.Decide(a)
	c.obs.ev.Hook, c.obs.ev.Duration = a.Hook, time.Since(start)
	if a.Hook == fsm.HookDATA {
		c.obs.ev.Duration += c.obs.dataHook
		c.obs.dataHook = 0
	}
	c.observe(observe.HookDone)
	return d
}

// timeMessage runs the DATA hook on the message, timing it when there is an
// Observer.
func (c *conn) timeMessage(s *stream) {
	if c.obs == nil {
		c.calls.RunMessage(s)
		return
	}
	start := time.Now()
	c.calls.RunMessage(s)
	c.obs.dataHook = time.Since(start)
}

// observeTLS reports a finished TLS handshake: tc's state when it
// succeeded, err when it failed.
func (c *conn) observeTLS(tc *tls.Conn, err error) {
	if c.obs == nil {
		return
	}
	c.obs.ev.Cause, c.obs.ev.Implicit = err, c.core == nil // STARTTLS comes from the core
	if err == nil {
		c.obs.ev.TLSVersion = tc.ConnectionState().Version
	}
	c.observe(observe.TLSHandshake)
}

// observeProxyFailed reports a PROXY header that ends the session.
func (c *conn) observeProxyFailed(err error) {
	if c.obs == nil {
		return
	}
	c.obs.reason = observe.ReasonProxy
	c.obs.ev.Cause = err
	c.observe(observe.ProxyFailed)
}

// observeEnd reports the end of the session and its cause.
func (c *conn) observeEnd(err error) {
	if c.obs == nil {
		return
	}
	o := c.obs
	o.ev.Cause, o.ev.Reason, o.ev.Duration = err, o.reason, time.Since(o.started)
	if o.ev.Reason == "" {
		o.ev.Reason = observe.Reason(err)
		if errors.Is(err, ErrTLSRefused) {
			o.ev.Reason = observe.ReasonTLSFailed
		}
	}
	c.observe(observe.SessionEnded)
}
