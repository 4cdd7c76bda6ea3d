package fsm

import "github.com/gosmtpd/gosmtpd/codec"

// helo handles HELO, EHLO and LHLO: each starts the session over (RFC 5321
// §4.1.4: a new EHLO resets any transaction).
func (c *Conn) helo(cmd codec.Command, _ error) (step, bool) {
	hook := HookHELO
	switch cmd.Verb {
	case codec.VerbEHLO:
		hook = HookEHLO
	case codec.VerbLHLO:
		hook = HookLHLO
	}
	if len(cmd.Arg) == 0 {
		return c.refuse(syntaxOf(hook))
	}
	def := c.host.helo
	if hook != HookHELO {
		def = c.host.ehlo[b2i(c.tls)][b2i(c.xclient == TrustGranted)][b2i(c.xforward == TrustGranted)]
	}
	c.ask = Ask{Arg: cmd.Arg, Default: def}
	return c.askHook(hook)
}

func syntaxOf(h Hook) codec.Reply {
	switch h {
	case HookEHLO:
		return replySyntaxEHLO
	case HookLHLO:
		return replySyntaxLHLO
	}
	return replySyntaxHELO
}

// greeted applies a HELO/EHLO/LHLO decision: a positive reply greets the
// session; a refusal leaves it where it was.
func (c *Conn) greeted(h Hook, rep codec.Reply) {
	c.queue(rep)
	if !rep.Positive() {
		return
	}
	c.resetTransaction()
	c.state = StateGreeted
	c.extended = h != HookHELO
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
