package fsm

// Rules of this file: the SASL exchange framing of AUTH (RFC 4954). The core
// checks when AUTH may be used, decodes base64, sends 334 challenges and
// counts failures; the mechanisms themselves (PLAIN, LOGIN, ...) are hooks.

import (
	"errors"

	"github.com/gosmtpd/gosmtpd/codec"
)

var errAborted = errors.New("smtp: message aborted by the handler")

func (c *Conn) auth(cmd codec.Command, _ error) (step, bool) {
	if rep, refused := c.authAllowed(); refused {
		return c.refuse(rep)
	}
	mech, ir := splitWord(cmd.Arg)
	if len(mech) == 0 {
		return c.refuse(replySyntaxAUTH)
	}
	if c.authMech = c.mechanismIndex(mech); c.authMech < 0 {
		return c.refuse(replyNoMech)
	}
	var data []byte
	if ir != nil {
		var err error
		if data, err = codec.DecodeBase64(ir); err != nil {
			return c.refuse(replyBadBase64)
		}
	}
	c.ask = Ask{Arg: mech, Data: data, Default: replyBadCreds}
	return c.askHook(HookAUTH)
}

// authAllowed applies RFC 4954 §4's conditions on AUTH.
func (c *Conn) authAllowed() (codec.Reply, bool) {
	switch {
	case !c.extended:
		return replyAuthAfterHELO, true // no extension is in effect after HELO
	case len(c.cfg.mechanisms) == 0:
		return replyNoAUTH, true
	case !c.cfg.authOffered(c.tls):
		return replyAuthNeedsTLS, true
	case c.authed:
		return replyAuthed, true
	case c.state != StateGreeted:
		return replyAuthInTxn, true
	}
	return codec.Reply{}, false
}

// mechanismIndex is the index of mech among the offered mechanisms; -1
// when it is not offered.
func (c *Conn) mechanismIndex(mech []byte) int {
	for i, m := range c.cfg.mechanisms {
		if codec.EqualFold(mech, m) {
			return i
		}
	}
	return -1
}

// splitWord splits s at its first space: the word, and the rest (nil when
// there is no space).
func splitWord(s []byte) (word, rest []byte) {
	for i, ch := range s {
		if ch == ' ' {
			return s[:i], s[i+1:]
		}
	}
	return s, nil
}

// challenge sends a 334 and waits for the client's response line.
func (c *Conn) challenge(ch []byte) {
	c.out = append(c.out, "334 "...)
	c.out = codec.AppendBase64(c.out, ch)
	c.out = append(c.out, "\r\n"...)
	c.phase = phaseAuth
}

// authResponse handles the client's answer to a 334 challenge.
func (c *Conn) authResponse(line []byte) (step, bool) {
	c.phase = phaseCommand
	if len(line) == 1 && line[0] == '*' {
		return c.refuse(replyAuthCancel)
	}
	data, err := codec.DecodeBase64(line)
	if err != nil {
		return c.refuse(replyBadBase64)
	}
	c.ask = Ask{Data: data, Default: replyBadCreds}
	return c.askHook(HookAUTHNext)
}

// authDecided applies a mechanism's verdict: 235 authenticates the session;
// each failure counts, and too many end it (RFC 4954 §4, chasquid's rule).
func (c *Conn) authDecided(rep codec.Reply) {
	c.queue(rep)
	c.reportAuth(rep)
	if rep.Code == 235 {
		c.authed = true
		return
	}
	if rep.Code < 500 || c.phase == phaseClosed {
		return
	}
	c.authFailures++
	if c.cfg.maxAuthFails > 0 && c.authFailures >= c.cfg.maxAuthFails {
		c.closeWith(c.host.authFailures, ErrAuthFailures)
	}
}
