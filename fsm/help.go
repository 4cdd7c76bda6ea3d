package fsm

// Rules of this file: HELP (RFC 5321 §4.1.1.8): the command list of this
// session's mode, or one command's syntax, custom commands included.

import (
	"slices"
	"strings"

	"github.com/gosmtpd/gosmtpd/codec"
)

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
