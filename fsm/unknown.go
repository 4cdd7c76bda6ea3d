package fsm

// Rules of this file: what the core does not know: commands an embedder
// registered (asked of HookCommand), XCLIENT and XFORWARD (xclient.go), and
// everything else, answered 500 and counted towards the unknown-command
// limit, which ends the session with 421.

import (
	"strings"

	"github.com/gosmtpd/gosmtpd/codec"
)

// unknown handles verbs the core does not know: custom commands an embedder
// registered, and everything else (500, counted as an error).
func (c *Conn) unknown(cmd codec.Command, _ error) (step, bool) {
	if st, more, ok := c.xcommand(cmd); ok {
		return st, more
	}
	if cmd.Verb == codec.VerbUnknown {
		for _, cc := range c.cfg.commands {
			if codec.EqualFold(cmd.Name, cc.Name) {
				c.ask = Ask{Verb: cmd.Name, Arg: cmd.Arg, Default: replyNotImpl}
				return c.askHook(HookCommand)
			}
		}
	}
	if len(cmd.Name) == 0 {
		return c.refuse(replyNoVerb)
	}
	if rep, open := c.unrecognized(cmd); open {
		return c.refuse(rep)
	}
	return step{}, false
}

// unrecognized counts cmd towards the unknown-command limit and returns
// its 500; false once the limit has closed the session (421).
func (c *Conn) unrecognized(cmd codec.Command) (codec.Reply, bool) {
	if c.overUnknownLimit(cmd) {
		c.closeWith(c.host.tooManyUnknown, ErrTooManyErrors)
		return codec.Reply{}, false
	}
	return r(500, "5.5.1", `Error: command "`+printable(cmd.Name)+`" not recognized`), true
}

// overUnknownLimit counts an unrecognised command and reports whether it is
// one too many: a client that keeps sending commands the server does not
// know speaks another protocol or probes it (aiosmtpd closes at the fifth,
// Postfix counts them as junk). Lines without a verb are not counted.
func (c *Conn) overUnknownLimit(cmd codec.Command) bool {
	if len(cmd.Name) == 0 || c.cfg.maxUnknown <= 0 {
		return false
	}
	c.unknowns++
	return c.unknowns >= c.cfg.maxUnknown
}

// printable copies at most 32 bytes of b with non-printable bytes as '?', for
// echoing a client's bytes in a reply.
func printable(b []byte) string {
	b = b[:min(len(b), 32)]
	var s strings.Builder
	for _, ch := range b {
		if ch < 0x20 || ch > 0x7e || ch == '"' {
			ch = '?'
		}
		s.WriteByte(ch)
	}
	return s.String()
}
