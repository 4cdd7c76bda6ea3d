package fsm

import (
	"bytes"
	"slices"
	"strings"

	"github.com/gosmtpd/gosmtpd/codec"
)

func (c *Conn) rset(cmd codec.Command, _ error) (step, bool) {
	if len(cmd.Arg) > 0 {
		return c.refuse(replySyntaxRSET)
	}
	c.ask = Ask{Default: replyOK}
	return c.askHook(HookRSET)
}

func (c *Conn) noop(cmd codec.Command, _ error) (step, bool) {
	c.ask = Ask{Arg: cmd.Arg, Default: replyOK}
	return c.askHook(HookNOOP)
}

func (c *Conn) quit(cmd codec.Command, _ error) (step, bool) {
	if len(cmd.Arg) > 0 {
		return c.refuse(replySyntaxQUIT)
	}
	c.ask = Ask{Default: replyBye}
	return c.askHook(HookQUIT)
}

func (c *Conn) vrfy(cmd codec.Command, _ error) (step, bool) {
	if len(cmd.Arg) == 0 {
		return c.refuse(replySyntaxVRFY)
	}
	if rep, bad := c.vrfyArg(cmd.Arg); bad {
		return c.refuse(rep)
	}
	c.ask = Ask{Arg: cmd.Arg, Default: replyVRFY}
	return c.askHook(HookVRFY)
}

// vrfyArg checks VRFY's argument (RFC 5321 §3.5.3): a user name ("alice",
// "Alice Smith") is taken as it is, but what looks like a mailbox (it has
// "<" or "@") must be one, bracketed or not, or the 252 "will attempt
// delivery" would promise what RCPT refuses; it gets RCPT's error reply.
func (c *Conn) vrfyArg(arg []byte) (codec.Reply, bool) {
	if !bytes.ContainsAny(arg, "<@") {
		return codec.Reply{}, false
	}
	opt := codec.PathOptions{AllowNoBracket: true, AllowUTF8: c.cfg.smtputf8, LocalOnly: true}
	_, rest, err := codec.ParsePath(arg, opt)
	switch {
	case err != nil:
		return pathError(err, replySyntaxVRFY), true
	case len(rest) > 0:
		return replySyntaxVRFY, true
	}
	return codec.Reply{}, false
}

func (c *Conn) expn(codec.Command, error) (step, bool) { return c.refuse(replyNoEXPN) }

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

// overUnknownLimit counts an unrecognised command and reports whether it is
// one too many: a client that keeps sending commands the server does not
// know speaks another protocol or probes it (aiosmtpd closes at the fifth,
// Postfix counts them as junk). Lines without a verb are not counted.
// unrecognized counts cmd towards the unknown-command limit and returns
// its 500; false once the limit has closed the session (421).
func (c *Conn) unrecognized(cmd codec.Command) (codec.Reply, bool) {
	if c.overUnknownLimit(cmd) {
		c.closeWith(c.host.tooManyUnknown, ErrTooManyErrors)
		return codec.Reply{}, false
	}
	return r(500, "5.5.1", `Error: command "`+printable(cmd.Name)+`" not recognized`), true
}

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

var syntax = [codec.NumVerbs]string{
	codec.VerbHELO:     "HELO hostname",
	codec.VerbEHLO:     "EHLO hostname",
	codec.VerbLHLO:     "LHLO hostname",
	codec.VerbMAIL:     syntaxMAIL,
	codec.VerbRCPT:     syntaxRCPT,
	codec.VerbDATA:     "DATA",
	codec.VerbBDAT:     "BDAT chunk-size [LAST]",
	codec.VerbRSET:     "RSET",
	codec.VerbNOOP:     "NOOP [ignored]",
	codec.VerbQUIT:     "QUIT",
	codec.VerbVRFY:     "VRFY <address>",
	codec.VerbEXPN:     "EXPN <list>",
	codec.VerbHELP:     "HELP [command]",
	codec.VerbSTARTTLS: "STARTTLS",
	codec.VerbAUTH:     "AUTH <mechanism> [initial-response]",
}

// help answers HELP (RFC 5321 §4.1.1.8): the command list, or the syntax of
// one command, custom commands included; after EHLO the syntax of MAIL and
// RCPT shows their parameters. The texts are aiosmtpd's.
func (c *Conn) help(cmd codec.Command, _ error) (step, bool) {
	if len(cmd.Arg) == 0 {
		return c.refuse(r(214, "2.0.0", "Supported commands: "+c.commandList()))
	}
	for v := codec.VerbHELO; v < codec.NumVerbs; v++ {
		if c.offersVerb(v) && codec.EqualFold(cmd.Arg, v.String()) {
			return c.refuse(r(214, "2.0.0", "Syntax: "+c.syntaxOf(v)))
		}
	}
	for _, cc := range c.cfg.commands {
		if codec.EqualFold(cmd.Arg, cc.Name) {
			return c.refuse(r(214, "2.0.0", "Syntax: "+cc.Syntax))
		}
	}
	return c.refuse(r(501, "5.5.4", "Supported commands: "+c.commandList()))
}

// syntaxOf is the syntax HELP shows for v.
func (c *Conn) syntaxOf(v codec.Verb) string {
	if c.extended && (v == codec.VerbMAIL || v == codec.VerbRCPT) {
		return syntax[v] + syntaxParams
	}
	return syntax[v]
}

// offersVerb reports whether HELP lists v in this session's mode: EXPN,
// never implemented, is not listed.
func (c *Conn) offersVerb(v codec.Verb) bool {
	switch v {
	case codec.VerbHELO, codec.VerbEHLO:
		return !c.cfg.lmtp
	case codec.VerbLHLO:
		return c.cfg.lmtp
	case codec.VerbBDAT:
		return c.cfg.offers(ExtChunking)
	case codec.VerbSTARTTLS:
		return c.cfg.tlsAvailable
	case codec.VerbAUTH:
		return len(c.cfg.mechanisms) > 0
	case codec.VerbEXPN:
		return false
	}
	return true
}

func (c *Conn) commandList() string {
	var names []string
	for v := codec.VerbHELO; v < codec.NumVerbs; v++ {
		if c.offersVerb(v) {
			names = append(names, v.String())
		}
	}
	for _, cc := range c.cfg.commands {
		names = append(names, cc.Name)
	}
	slices.Sort(names) // in alphabetical order, as aiosmtpd lists them
	return strings.Join(names, " ")
}
