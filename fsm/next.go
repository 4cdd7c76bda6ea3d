package fsm

import "github.com/gosmtpd/gosmtpd/codec"

// Next returns the next Action. Call it until ActNeedData, then feed input.
func (c *Conn) Next() Action {
	if c.asking != HookNone {
		panic("fsm: Next called before Resolve of " + c.asking.String())
	}
	for {
		var a step
		var ok bool
		switch c.phase {
		case phaseClosed:
			return Action{Kind: ActClose, Err: c.closeErr}
		case phaseStartTLS:
			c.phase = phaseTLSWait
			return Action{Kind: ActStartTLS}
		case phaseTLSWait:
			panic("fsm: Next called before TLSEstablished or TLSFailed")
		case phaseBody:
			a, ok = c.stepBody()
		case phaseChunk:
			a, ok = c.stepChunk()
		case phaseDataEnd:
			a, ok = c.stepDataEnd()
		default:
			a, ok = c.stepLine()
		}
		if ok {
			if a.kind == ActNeedData {
				c.releaseInput()
			}
			return c.action(a)
		}
	}
}

// step is what the core's internal steps return when they produce an
// Action: small, so that the chain of calls from Next down to a command's
// parser keeps a goroutine's stack small (a session's stack is most of
// what it costs in memory). Next makes the Action of it.
type step struct {
	kind ActionKind
	data []byte // ActBody
	err  error  // ActBody: the message is abandoned
}

func (c *Conn) action(s step) Action {
	if s.kind == ActAsk {
		return Action{Kind: ActAsk, Ask: c.ask}
	}
	return Action{Kind: s.kind, Data: s.data, Err: s.err}
}

var needData = step{kind: ActNeedData}

// stepLine takes one complete line from the input and acts on it. A line
// longer than the limit gets 500 and is discarded up to its end; the
// session goes on (RFC 5321 §4.5.3.1.4).
func (c *Conn) stepLine() (step, bool) {
	if c.shutdown && !c.InTransaction() && c.phase == phaseCommand {
		c.closeWith(c.host.shutdown, ErrShutdown)
		return step{}, false
	}
	line, n, bare := codec.SplitLineLF(c.in[c.r:c.w])
	if n == 0 {
		c.checkLongLine()
		return needData, true
	}
	c.r += n
	if c.discardLine {
		c.discardLine = false
		return step{}, false
	}
	if len(line) > c.lineLimit() {
		return c.refuseLongLine()
	}
	if bare && c.cfg.bareLF != LineNormalize {
		return c.refuseBareLF()
	}
	if c.trace != nil {
		c.traceLine(line)
	}
	if c.phase == phaseAuth {
		return c.authResponse(line)
	}
	return c.command(line)
}

// checkLongLine discards the unconsumed partial line once it is longer than
// any line may be, keeping a trailing CR that may start the CRLF.
func (c *Conn) checkLongLine() {
	pending := c.w - c.r
	if pending <= c.lineLimit()+1 && !c.discardLine {
		return
	}
	if pending == 0 {
		return
	}
	keep := 0
	if c.in[c.w-1] == '\r' {
		keep = 1
	}
	if !c.discardLine {
		c.discardLine = true
		c.refuseLongLine()
	}
	c.r = c.w - keep
}

// refuseBareLF answers a line ended by a bare LF under a strict
// Config.BareLF, without acting on it.
func (c *Conn) refuseBareLF() (step, bool) {
	if c.cfg.bareLF == LineClose {
		c.closeWith(replyBareLFClose, ErrBareLF)
		return step{}, false
	}
	if c.phase == phaseAuth {
		c.phase = phaseCommand // the exchange is cancelled, as for a long line
	}
	return c.refuse(replyBareLF)
}

func (c *Conn) refuseLongLine() (step, bool) {
	if c.phase == phaseAuth {
		c.phase = phaseCommand
		c.queue(replyAuthLineLong)
	} else {
		c.queue(replyLineTooLong)
	}
	return step{}, false
}

// lineLimit is the longest line accepted now, whatever its command: AUTH
// lines may be longer than commands (RFC 4954 §4: 12288 octets), and MAIL
// and RCPT after EHLO by what their parameters add (see commandLimit).
func (c *Conn) lineLimit() int {
	n := max(c.commandLimit(codec.VerbMAIL), c.commandLimit(codec.VerbRCPT))
	if c.phase == phaseAuth || len(c.cfg.mechanisms) > 0 {
		return max(c.cfg.maxAuthLine, n)
	}
	return n
}

// askHook returns ActAsk for c.ask when the hook is wanted; otherwise it
// applies the default at once and returns false so that Next goes on.
func (c *Conn) askHook(h Hook) (step, bool) {
	c.ask.Hook = h
	if c.cfg.hooks.Has(h) {
		c.asking = h
		return step{kind: ActAsk}, true
	}
	c.apply(h, c.ask.Default)
	return step{}, false
}

// Resolve answers the pending ActAsk and returns the reply the core
// applied: d's, or the Ask's Default when d has none. It is zero when d is
// an AUTH challenge (a 334 that decides nothing). The layers above record
// what the reply says happened (a greeting, a sender, a recipient accepted)
// from it, never from their own guess.
func (c *Conn) Resolve(d Decision) codec.Reply {
	h := c.asking
	if h == HookNone {
		panic("fsm: Resolve without a pending Ask")
	}
	c.asking = HookNone
	if d.Challenge != nil && (h == HookAUTH || h == HookAUTHNext) {
		c.challenge(d.Challenge)
		return codec.Reply{}
	}
	rep := d.Reply
	if rep.IsZero() {
		rep = c.ask.Default
	} else if rep.Enhanced == "" && c.cfg.enhanced {
		rep.Enhanced = classEnhanced(h, rep.Code)
	}
	c.apply(h, rep)
	if d.Close || closesChannel(rep) && !(h == HookDATA && c.cfg.lmtp) {
		c.close(ErrHookClosed)
	}
	return rep
}

// classEnhanced is the enhanced status code of a hook's reply that has none
// while ENHANCEDSTATUSCODES is offered: RFC 2034 §3 asks for one on every
// 2xx, 4xx and 5xx reply but those to HELO and EHLO, and RFC 3463's X.0.0
// ("other or undefined status") of the reply's class says no more than the
// code does. A code the encoder writes as 451 (outside 200..599) gets 4.0.0.
func classEnhanced(h Hook, code int) string {
	switch {
	case h == HookHELO || h == HookEHLO || h == HookLHLO || h == HookXCLIENT && code == 220:
		return "" // a greeting carries none
	case code >= 200 && code < 300:
		return "2.0.0"
	case code >= 300 && code < 400:
		return "" // 334 and 354 carry none
	case code >= 500 && code < 600:
		return "5.0.0"
	}
	return "4.0.0"
}

// closesChannel reports whether rep is a 421, which says the server is
// closing the transmission channel (RFC 5321 §3.8, §4.2.3): a hook that
// answers so ends the session, as its reply says. In LMTP a DATA reply is
// one recipient's, and the others still get theirs.
func closesChannel(rep codec.Reply) bool { return rep.Code == 421 }

// apply sends a hook's reply and makes the state change that it implies.
func (c *Conn) apply(h Hook, rep codec.Reply) {
	switch h {
	case HookHELO, HookEHLO, HookLHLO:
		c.greeted(h, rep)
	case HookMAIL:
		c.mailDecided(rep)
	case HookRCPT:
		c.rcptDecided(rep)
	case HookDATA:
		c.dataDecided(rep)
	case HookRSET:
		c.queue(rep)
		c.resetTransaction()
	case HookQUIT:
		c.queue(rep)
		c.close(c.quitCause())
	case HookXCLIENT:
		c.xclientDecided(rep, c.ask.Arg)
	case HookAUTH, HookAUTHNext:
		c.authDecided(rep)
	default:
		c.queue(rep)
	}
}
