package dispatch

import (
	"strings"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

var replyCommandOK = hooks.Reply{Code: 250, Enhanced: "2.0.0", Text: "OK"}

// Decide answers the core's question a: it calls the hook that decides it,
// if the handler has one, and turns what the hook returned into the core's
// Decision. What the answer would change in the Session and the Envelope
// waits for Record. a and the slices in it are read before Decide returns
// and never kept.
func (c *Caller) Decide(a *fsm.Ask) fsm.Decision {
	c.pending = pendingFacts{hook: a.Hook}
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

// pendingFacts is what the answer to the last question changes once the
// core applies it with a positive reply.
type pendingFacts struct {
	hook  fsm.Hook
	name  string   // HELO, EHLO, LHLO: the client's name
	addr  string   // MAIL, RCPT: the mailbox
	opts  []string // MAIL, RCPT: the parameters
	auth  string   // MAIL: the AUTH= mailbox
	creds *hooks.Credentials
}

// Record takes note of the reply the core applied to the last Decision
// (fsm.Conn.Resolve's result): a greeting, a sender or a recipient is
// recorded when the core accepted it, an authentication when it answered
// 235, and only then.
func (c *Caller) Record(applied hooks.Reply) {
	p := &c.pending
	switch p.hook {
	case fsm.HookHELO, fsm.HookEHLO, fsm.HookLHLO:
		if applied.Positive() {
			c.sess.HeloName, c.sess.Extended = p.name, p.hook != fsm.HookHELO
			c.resetEnvelope()
		}
	case fsm.HookMAIL:
		if applied.Positive() {
			c.recordSender(p.addr, p.opts, p.auth)
		}
	case fsm.HookRCPT:
		if applied.Positive() {
			c.recordRecipient(p.addr, p.opts)
		}
	case fsm.HookAUTH, fsm.HookAUTHNext:
		if applied.Code == 235 && p.creds != nil {
			cr := p.creds
			c.sess.AuthID, c.sess.AuthUser = cr.Identity(), cr.Username
			c.sess.AuthMechanism, c.sess.AuthData = cr.Mechanism, cr.Result
		}
	}
	*p = pendingFacts{}
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
	args := callArgs{kind: callException, err: err}
	if exErr := c.call(&args); exErr != nil {
		c.report("Exception", exErr)
	} else if !args.reply.IsZero() {
		rep = args.reply
	}
	return fsm.Decision{Reply: rep, Close: closing}
}

func (c *Caller) greet(a *fsm.Ask) fsm.Decision {
	c.dropMessage() // a greeting ends any transaction (RFC 5321 §4.1.4)
	name := string(a.Arg)
	c.pending.name = name
	switch {
	case a.Hook == fsm.HookHELO && c.d.helo != nil:
		return c.ask(&callArgs{kind: callHELO, name: name})
	case a.Hook == fsm.HookLHLO && c.d.lhlo != nil:
		return c.capabilities(a, callLHLO, name)
	case a.Hook != fsm.HookHELO && c.d.ehlo != nil:
		return c.capabilities(a, callEHLO, name)
	}
	return fsm.Decision{}
}

// ask calls a hook and turns what it returned into a Decision.
func (c *Caller) ask(a *callArgs) fsm.Decision {
	name := callNames[a.kind]
	if a.kind == callCommand {
		name = a.name
	}
	return c.decision(name, c.call(a))
}

// capabilities asks an EHLO or LHLO hook, which may rewrite the capability
// lines of the default reply.
func (c *Caller) capabilities(a *fsm.Ask, kind callKind, name string) fsm.Decision {
	args := callArgs{kind: kind, name: name}
	args.caps = append([]string(nil), a.Default.More...) // the core's lines stay its own
	if err := c.call(&args); err != nil {
		return c.decision(callNames[kind], err)
	}
	rep := a.Default
	rep.More = args.caps
	return fsm.Decision{Reply: rep}
}

// recordSender starts the envelope of the transaction that an accepted
// MAIL opened.
func (c *Caller) recordSender(addr string, opts []string, auth string) {
	e := c.env
	e.MailFrom, e.MailOptions = addr, opts
	if len(opts) > 0 {
		e.SMTPUTF8 = hasOption(opts, "SMTPUTF8")
		e.MailParams = hooks.ParseMailParams(opts)
	}
	e.MailAuth = auth
	c.xforward = nil // XFORWARD's attributes are this transaction's
	c.recent.sender = addr
}

// recordRecipient adds an accepted recipient to the envelope.
func (c *Caller) recordRecipient(addr string, opts []string) {
	e := c.env
	e.RcptTos = append(e.RcptTos, addr)
	e.RcptOptions = append(e.RcptOptions, opts)
	if len(opts) > 0 || e.RcptParams != nil {
		e.RcptParams = appendRcptParams(e.RcptParams, len(e.RcptTos)-1, hooks.ParseRcptParams(opts))
	}
	c.recent.noteRecipient(len(e.RcptTos)-1, addr)
}

func (c *Caller) mailFrom(a *fsm.Ask) fsm.Decision {
	addr, opts := c.recent.senderOf(a.Path.Mailbox), options(a.Params)
	c.startEnvelope()
	auth, ok := mailAuth(opts, c.sess.Authenticated())
	if !ok {
		return fsm.Decision{Reply: replyBadAuthParam}
	}
	c.pending.addr, c.pending.opts, c.pending.auth = addr, opts, auth
	if c.d.mail == nil {
		return fsm.Decision{}
	}
	return c.ask(&callArgs{kind: callMAIL, arg: addr, opts: opts})
}

// rcptTo asks the RCPT hook; Record adds an accepted recipient. The server
// owns Envelope.RcptTos, RcptOptions and RcptParams: aiosmtpd's
// documentation has a handle_RCPT append the address itself, and a handler
// ported that way would otherwise list each recipient twice (and a message
// be delivered twice). Whatever the hook appended is dropped.
func (c *Caller) rcptTo(a *fsm.Ask) fsm.Decision {
	addr, opts := c.recent.recipientOf(len(c.env.RcptTos), a.Path.Mailbox), options(a.Params)
	c.pending.addr, c.pending.opts = addr, opts
	if c.d.rcpt == nil {
		return fsm.Decision{}
	}
	e := c.env
	before, beforeOpts, beforeParams := e.RcptTos, e.RcptOptions, e.RcptParams
	d := c.ask(&callArgs{kind: callRCPT, arg: addr, opts: opts})
	e = c.env // a copy, when the hook was left behind
	e.RcptTos = upTo(e.RcptTos, before)
	e.RcptOptions = upTo(e.RcptOptions, beforeOpts)
	e.RcptParams = upTo(e.RcptParams, beforeParams)
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
// hook was left behind), unless the hook made it shorter.
func upTo[T any](now, before []T) []T {
	if len(now) < len(before) {
		return before
	}
	return now[:len(before)]
}

func (c *Caller) reset() fsm.Decision {
	c.dropMessage()
	var d fsm.Decision
	if c.d.rset != nil {
		d = c.ask(&callArgs{kind: callRSET})
	}
	c.resetEnvelope() // RSET resets whatever the hook said
	return d
}

// simple answers the hooks that change nothing: NOOP, VRFY, QUIT and custom
// commands.
func (c *Caller) simple(a *fsm.Ask) fsm.Decision {
	switch h := a.Hook; {
	case h == fsm.HookNOOP && c.d.noop != nil:
		return c.ask(&callArgs{kind: callNOOP, arg: string(a.Arg)})
	case h == fsm.HookVRFY && c.d.vrfy != nil:
		return c.ask(&callArgs{kind: callVRFY, arg: string(a.Arg)})
	case h == fsm.HookQUIT:
		c.dropMessage()
		if c.d.quit != nil {
			return c.ask(&callArgs{kind: callQUIT})
		}
	case h == fsm.HookCommand && c.d.command != nil:
		return c.custom(a)
	}
	return fsm.Decision{}
}

// custom answers a registered command; nil from its hook means 250 OK (the
// core's default for an unanswered command is 502).
func (c *Caller) custom(a *fsm.Ask) fsm.Decision {
	d := c.ask(&callArgs{kind: callCommand, name: strings.ToUpper(string(a.Verb)), arg: string(a.Arg)})
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
