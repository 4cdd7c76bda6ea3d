package dispatch

import (
	"context"
	"strings"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

var replyCommandOK = hooks.Reply{Code: 250, Enhanced: "2.0.0", Text: "OK"}

// Decide answers the core's question a: it calls the hook that decides it,
// if the handler has one, turns what the hook returned into the core's
// Decision, and records in the Session and the Envelope what the core is
// about to accept. a and the slices in it are read before Decide returns and
// never kept.
func (c *Caller) Decide(a *fsm.Ask) fsm.Decision {
	switch a.Hook {
	case fsm.HookHELO, fsm.HookEHLO, fsm.HookLHLO:
		return c.greet(a)
	case fsm.HookMAIL:
		return c.mailFrom(a)
	case fsm.HookRCPT:
		return c.rcptTo(a)
	case fsm.HookDATA:
		return c.endOfData(a)
	case fsm.HookRSET:
		return c.reset()
	case fsm.HookAUTH:
		return c.authStart(a)
	case fsm.HookAUTHNext:
		return c.authStep(a.Data)
	case fsm.HookXCLIENT:
		return c.xclient(a.Arg)
	case fsm.HookXFORWARD:
		return c.xforwardAttrs(a.Arg)
	}
	return c.simple(a)
}

// decision turns what a hook returned into a Decision; a zero Reply leaves
// the core's default.
func (c *Caller) decision(hook string, err error) fsm.Decision {
	rep, failure := replyOf(err)
	if failure != nil {
		return c.failure(hook, failure, hooks.ErrTemporaryFailure)
	}
	return fsm.Decision{Reply: rep}
}

// failure is the Decision for a failed hook: the ExceptionHandler's choice,
// else def; a panic or a stopped session also ends the connection.
func (c *Caller) failure(hook string, err error, def hooks.Reply) fsm.Decision {
	c.report(hook, err)
	rep, closing := failureReply(c.d.hostname, err)
	if !closing {
		rep = def
	}
	if c.d.exception == nil {
		return fsm.Decision{Reply: rep, Close: closing}
	}
	var chosen hooks.Reply
	exErr := c.call("Exception", func(ctx context.Context, s *hooks.Session, _ *hooks.Envelope) error {
		chosen = c.d.exception.HandleException(ctx, s, err)
		return nil
	})
	if exErr != nil {
		c.report("Exception", exErr)
	} else if !chosen.IsZero() {
		rep = chosen
	}
	return fsm.Decision{Reply: rep, Close: closing}
}

// effective is the reply the core sends for d.
func effective(d fsm.Decision, a *fsm.Ask) hooks.Reply {
	if d.Reply.IsZero() {
		return a.Default
	}
	return d.Reply
}

func (c *Caller) greet(a *fsm.Ask) fsm.Decision {
	c.abandon(errTransactionEnded) // a greeting ends any transaction (RFC 5321 §4.1.4)
	name := string(a.Arg)
	var d fsm.Decision
	if a.Hook == fsm.HookHELO {
		if h := c.d.helo; h != nil {
			d = c.decision("HELO", c.call("HELO", func(ctx context.Context, s *hooks.Session, e *hooks.Envelope) error {
				return h.HandleHELO(ctx, s, e, name)
			}))
		}
	} else if h := c.d.capsHook(a.Hook); h != nil {
		d = c.capabilities(a, name, h)
	}
	if effective(d, a).Positive() {
		c.sess.HeloName, c.sess.Extended = name, a.Hook != fsm.HookHELO
		c.env = &hooks.Envelope{}
	}
	return d
}

type capsFunc func(ctx context.Context, s *hooks.Session, e *hooks.Envelope, hostname string, caps []string) ([]string, error)

// capsHook returns the hook that answers EHLO or LHLO, or nil.
func (d *Dispatcher) capsHook(h fsm.Hook) capsFunc {
	switch {
	case h == fsm.HookLHLO && d.lhlo != nil:
		return d.lhlo.HandleLHLO
	case d.ehlo != nil:
		return d.ehlo.HandleEHLO
	}
	return nil
}

// capabilities asks an EHLO or LHLO hook, which may rewrite the capability
// lines of the default reply.
func (c *Caller) capabilities(a *fsm.Ask, name string, h capsFunc) fsm.Decision {
	caps := append([]string(nil), a.Default.More...) // the core's lines stay its own
	hook := a.Hook.String()
	err := c.call(hook, func(ctx context.Context, s *hooks.Session, e *hooks.Envelope) error {
		var err error
		caps, err = h(ctx, s, e, name, caps)
		return err
	})
	if err != nil {
		return c.decision(hook, err)
	}
	rep := a.Default
	rep.More = caps
	return fsm.Decision{Reply: rep}
}

func (c *Caller) mailFrom(a *fsm.Ask) fsm.Decision {
	addr, opts := string(a.Path.Mailbox), options(a.Params)
	c.env = &hooks.Envelope{XForward: c.xforward} // each transaction starts afresh
	auth, ok := mailAuth(opts, c.sess.Authenticated())
	if !ok {
		return fsm.Decision{Reply: replyBadAuthParam}
	}
	var d fsm.Decision
	if h := c.d.mail; h != nil {
		d = c.decision("MAIL", c.call("MAIL", func(ctx context.Context, s *hooks.Session, e *hooks.Envelope) error {
			return h.HandleMAIL(ctx, s, e, addr, opts)
		}))
	}
	if effective(d, a).Positive() {
		c.env.MailFrom, c.env.MailOptions = addr, opts
		c.env.SMTPUTF8 = hasOption(opts, "SMTPUTF8")
		c.env.MailParams = hooks.ParseMailParams(opts)
		c.xforward = nil // XFORWARD's attributes are this transaction's
		c.env.MailAuth = auth
	}
	return d
}

// rcptTo asks the RCPT hook and records an accepted recipient. The server
// owns Envelope.RcptTos, RcptOptions and RcptParams: aiosmtpd's documentation has a
// handle_RCPT append the address itself, and a handler ported that way would
// otherwise list each recipient twice (and a message be delivered twice).
// Whatever the hook appended is dropped; the accepted address is added once.
func (c *Caller) rcptTo(a *fsm.Ask) fsm.Decision {
	addr, opts := string(a.Path.Mailbox), options(a.Params)
	before, beforeOpts, beforeParams := c.env.RcptTos, c.env.RcptOptions, c.env.RcptParams
	var d fsm.Decision
	if h := c.d.rcpt; h != nil {
		d = c.decision("RCPT", c.call("RCPT", func(ctx context.Context, s *hooks.Session, e *hooks.Envelope) error {
			return h.HandleRCPT(ctx, s, e, addr, opts)
		}))
	}
	c.env.RcptTos = upTo(c.env.RcptTos, before)
	c.env.RcptOptions = upTo(c.env.RcptOptions, beforeOpts)
	c.env.RcptParams = upTo(c.env.RcptParams, beforeParams)
	if effective(d, a).Positive() {
		c.env.RcptTos = append(c.env.RcptTos, addr)
		c.env.RcptOptions = append(c.env.RcptOptions, opts)
		c.env.RcptParams = appendRcptParams(c.env.RcptParams, len(c.env.RcptTos)-1, hooks.ParseRcptParams(opts))
	}
	return d
}

// appendRcptParams records p as recipient i's typed parameters. The slice
// stays nil while no recipient has any, so that a transaction without them
// costs no allocation (Envelope.RcptParamsOf reads it either way).
func appendRcptParams(ps []hooks.RcptParams, i int, p hooks.RcptParams) []hooks.RcptParams {
	if ps == nil && p == (hooks.RcptParams{}) {
		return nil
	}
	for len(ps) < i {
		ps = append(ps, hooks.RcptParams{})
	}
	return append(ps, p)
}

// upTo returns now cut back to the length of before, what it was before a
// hook ran: now itself (the envelope may have been copied meanwhile, when the
// hook overran its time), unless the hook made it shorter.
func upTo[T any](now, before []T) []T {
	if len(now) < len(before) {
		return before
	}
	return now[:len(before)]
}

func (c *Caller) reset() fsm.Decision {
	c.abandon(errTransactionEnded)
	var d fsm.Decision
	if h := c.d.rset; h != nil {
		d = c.decision("RSET", c.call("RSET", func(ctx context.Context, s *hooks.Session, e *hooks.Envelope) error {
			return h.HandleRSET(ctx, s, e)
		}))
	}
	c.env = &hooks.Envelope{} // RSET resets whatever the hook said
	return d
}

// simple answers the hooks that change nothing: NOOP, VRFY, QUIT and custom
// commands.
func (c *Caller) simple(a *fsm.Ask) fsm.Decision {
	arg := string(a.Arg)
	var f hookFunc
	switch h := a.Hook; {
	case h == fsm.HookNOOP && c.d.noop != nil:
		f = func(ctx context.Context, s *hooks.Session, e *hooks.Envelope) error {
			return c.d.noop.HandleNOOP(ctx, s, e, arg)
		}
	case h == fsm.HookVRFY && c.d.vrfy != nil:
		f = func(ctx context.Context, s *hooks.Session, e *hooks.Envelope) error {
			return c.d.vrfy.HandleVRFY(ctx, s, e, arg)
		}
	case h == fsm.HookQUIT:
		c.abandon(errTransactionEnded)
		if c.d.quit != nil {
			f = func(ctx context.Context, s *hooks.Session, e *hooks.Envelope) error {
				return c.d.quit.HandleQUIT(ctx, s, e)
			}
		}
	case h == fsm.HookCommand && c.d.command != nil:
		return c.custom(a, arg)
	}
	if f == nil {
		return fsm.Decision{}
	}
	return c.decision(a.Hook.String(), c.call(a.Hook.String(), f))
}

// custom answers a registered command; nil from its hook means 250 OK (the
// core's default for an unanswered command is 502).
func (c *Caller) custom(a *fsm.Ask, arg string) fsm.Decision {
	name := strings.ToUpper(string(a.Verb))
	d := c.decision(name, c.call(name, func(ctx context.Context, s *hooks.Session, e *hooks.Envelope) error {
		return c.d.command.HandleCommand(ctx, s, e, name, arg)
	}))
	if d.Reply.IsZero() {
		d.Reply = replyCommandOK
	}
	return d
}

// options copies ESMTP parameters out of the core's buffer as "KEY=value"
// or "KEY" strings. The slice is new; the caller owns it.
func options(p *codec.Params) []string {
	if p == nil || p.Len() == 0 {
		return nil
	}
	opts := make([]string, p.Len())
	for i := range opts {
		kv := p.At(i)
		opts[i] = string(kv.Key)
		if kv.Value != nil {
			opts[i] += "=" + string(kv.Value)
		}
	}
	return opts
}

func hasOption(opts []string, name string) bool {
	for _, o := range opts {
		if strings.EqualFold(o, name) {
			return true
		}
	}
	return false
}
