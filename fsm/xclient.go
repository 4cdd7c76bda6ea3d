package fsm

// Rules of this file: XCLIENT and XFORWARD, as Postfix specifies them
// (XCLIENT_README, XFORWARD_README). A proxy or content filter in front of
// the server passes on what it knows of the original client. Only peers
// the driver trusts may use them (Config.XClient, Config.XForward): others
// get 550 5.7.0, as from Postfix, and a server that trusts no one does not
// know the commands (500). Both are refused inside a mail transaction
// (503). Attributes are NAME=value pairs, values in xtext, with the
// special values [UNAVAILABLE] and [TEMPUNAVAIL]; an unknown attribute or
// a malformed value is 501. XCLIENT then answers with a new greeting (220)
// and the session starts over as the given client: EHLO again, AUTH and
// the transaction forgotten, LOGIN= counting as authenticated. XFORWARD
// answers 250 and its attributes belong to the next transaction.

import (
	"github.com/gosmtpd/gosmtpd/codec"
)

// Trust says whether a session's peer may use XCLIENT or XFORWARD.
type Trust uint8

const (
	TrustNone    Trust = iota // the command is not offered to anyone: unknown (500)
	TrustDenied               // offered to other peers, not this one: 550 5.7.0
	TrustGranted              // offered to this peer (listed in its EHLO reply)
)

// The EHLO lines, listing the attributes each command takes.
const (
	ehloXCLIENT  = "XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT"
	ehloXFORWARD = "XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE"
)

var (
	replyXNotAuthorized = r(550, "5.7.0", "Error: insufficient authorization")
	replyXInTransaction = r(503, "5.5.1", "Error: MAIL transaction in progress")
	replyXSyntax        = r(501, "5.5.4", "Error: bad attribute name or value")
	replyXClientOK      = r(220, "", "") // replaced by the greeting
	replyXForwardOK     = r(250, "2.0.0", "Ok")
)

// xcommand answers XCLIENT and XFORWARD; false when cmd is neither or the
// server offers it to no one.
func (c *Conn) xcommand(cmd codec.Command) (step, bool, bool) {
	var trust Trust
	var hook Hook
	var valid func(name, value []byte) bool
	switch {
	case codec.EqualFold(cmd.Name, "XCLIENT"):
		trust, hook, valid = c.xclient, HookXCLIENT, validXClient
	case codec.EqualFold(cmd.Name, "XFORWARD"):
		trust, hook, valid = c.xforward, HookXFORWARD, validXForward
	default:
		return step{}, false, false
	}
	if trust == TrustNone {
		return step{}, false, false
	}
	st, more := c.xattributes(cmd, trust, hook, valid)
	return st, more, true
}

func (c *Conn) xattributes(cmd codec.Command, trust Trust, hook Hook, valid func(name, value []byte) bool) (step, bool) {
	switch {
	case trust != TrustGranted:
		return c.refuse(replyXNotAuthorized)
	case c.state.inTransaction():
		return c.refuse(replyXInTransaction)
	case !xattrs(cmd.Arg, valid):
		return c.refuse(replyXSyntax)
	}
	def := replyXForwardOK
	if hook == HookXCLIENT {
		def = replyXClientOK
	}
	c.ask = Ask{Verb: cmd.Name, Arg: cmd.Arg, Default: def}
	return c.askHook(hook)
}

// xattrs checks a space-separated list of NAME=value attributes, at least
// one: each value xtext (or one of the special values) and valid for its
// name.
func xattrs(arg []byte, valid func(name, value []byte) bool) bool {
	n := 0
	for more := len(arg) > 0; more; {
		var item []byte
		item, arg, more = cutSpace(arg)
		if len(item) == 0 {
			continue
		}
		name, value, ok := cutEquals(item)
		if !ok || !xvalue(value) || !valid(name, value) {
			return false
		}
		n++
	}
	return n > 0
}

// xvalue checks an attribute value: xtext, or [UNAVAILABLE] or
// [TEMPUNAVAIL].
func xvalue(v []byte) bool {
	return isSpecialX(v) || codec.IsXtext(v)
}

func isSpecialX(v []byte) bool {
	return codec.EqualFold(v, "[UNAVAILABLE]") || codec.EqualFold(v, "[TEMPUNAVAIL]")
}

func validXClient(name, value []byte) bool {
	switch {
	case codec.EqualFold(name, "ADDR"), codec.EqualFold(name, "DESTADDR"):
		return isSpecialX(value) || validXAddr(value)
	case codec.EqualFold(name, "PORT"), codec.EqualFold(name, "DESTPORT"):
		return isSpecialX(value) || validXPort(value)
	case codec.EqualFold(name, "PROTO"):
		return isSpecialX(value) || codec.EqualFold(value, "SMTP") || codec.EqualFold(value, "ESMTP")
	case codec.EqualFold(name, "NAME"), codec.EqualFold(name, "HELO"), codec.EqualFold(name, "LOGIN"):
		return true
	}
	return false
}

func validXForward(name, value []byte) bool {
	switch {
	case codec.EqualFold(name, "ADDR"):
		return isSpecialX(value) || validXAddr(value)
	case codec.EqualFold(name, "PORT"):
		return isSpecialX(value) || validXPort(value)
	case codec.EqualFold(name, "SOURCE"):
		return isSpecialX(value) || codec.EqualFold(value, "LOCAL") || codec.EqualFold(value, "REMOTE")
	case codec.EqualFold(name, "NAME"), codec.EqualFold(name, "HELO"), codec.EqualFold(name, "IDENT"),
		codec.EqualFold(name, "PROTO"):
		return true
	}
	return false
}

// validXAddr checks an address attribute: IPv4, or IPv6 with Postfix's
// "IPV6:" prefix (xtext-decoded first: "+3A" may stand for ":").
func validXAddr(v []byte) bool {
	var buf [64]byte
	if len(v) > len(buf) {
		return false
	}
	d, ok := codec.DecodeXtext(buf[:copy(buf[:], v)])
	if !ok {
		return false
	}
	if len(d) > 5 && codec.EqualFold(d[:5], "IPV6:") {
		return codec.IsIPv6(d[5:])
	}
	return codec.IsIPv4(d)
}

func validXPort(v []byte) bool {
	n, ok := codec.ParseSize(v)
	return ok && len(v) <= 5 && n <= 65535
}

func cutSpace(b []byte) (before, after []byte, found bool) {
	for i, ch := range b {
		if ch == ' ' {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

func cutEquals(b []byte) (name, value []byte, ok bool) {
	for i, ch := range b {
		if ch == '=' {
			return b[:i], b[i+1:], i > 0 && i+1 < len(b)
		}
	}
	return nil, nil, false
}

// xclientDecided starts the session over after an accepted XCLIENT, as the
// client it describes: a new greeting, EHLO needed again, AUTH and the
// transaction forgotten; a LOGIN attribute counts as authenticated.
func (c *Conn) xclientDecided(rep codec.Reply, arg []byte) {
	if !rep.Positive() {
		c.queue(rep)
		return
	}
	if rep.Code == 220 && rep.Text == "" {
		rep = c.host.greeting
	}
	c.queue(rep)
	c.resetTransaction()
	c.state, c.extended, c.authed = StateConnected, false, xlogin(arg)
}

// xlogin reports whether XCLIENT's attributes name a login.
func xlogin(arg []byte) bool {
	login := false
	for more := len(arg) > 0; more; {
		var item []byte
		item, arg, more = cutSpace(arg)
		if name, value, ok := cutEquals(item); ok && codec.EqualFold(name, "LOGIN") {
			login = !isSpecialX(value)
		}
	}
	return login
}
