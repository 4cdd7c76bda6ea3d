package dispatch

import (
	"errors"
	"strings"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// authStart begins a SASL exchange: "AUTH mechanism [initial-response]".
// The core has checked that AUTH is allowed and the mechanism offered.
func (c *Caller) authStart(a *fsm.Ask) fsm.Decision {
	m := findMechanism(c.d.mechs, string(a.Arg))
	if m == nil {
		return fsm.Decision{Reply: replyNoMech}
	}
	c.sasl, c.saslName = m.Start(), strings.ToUpper(m.Name())
	return c.authStep(a.Data)
}

// authStep passes one client response to the exchange: the answer is a
// challenge (the core sends 334 and asks HookAUTHNext with the reply), a
// refusal, or the Authenticator's verdict on the credentials obtained.
func (c *Caller) authStep(resp []byte) fsm.Decision {
	if c.sasl == nil {
		return fsm.Decision{Reply: replyNoExchange}
	}
	var challenge []byte
	var creds *hooks.Credentials
	err := protect("AUTH", func() (err error) {
		challenge, creds, err = c.sasl.Next(resp)
		return err
	})
	switch {
	case err != nil:
		c.sasl = nil
		return c.exchangeFailed(err)
	case creds == nil:
		if challenge == nil {
			challenge = []byte{}
		}
		return fsm.Decision{Challenge: challenge}
	}
	c.sasl = nil
	return c.authenticate(creds)
}

// authenticate asks the Authenticator and records a success in the
// Session.
func (c *Caller) authenticate(creds *hooks.Credentials) fsm.Decision {
	if creds.Mechanism == "" {
		creds.Mechanism = c.saslName
	}
	password := creds.Password // read before: a hook abandoned past its time may still change creds
	err := c.call(&callArgs{kind: callAuth, creds: creds})
	rep, failure := replyOf(err)
	switch {
	case failure != nil:
		return c.failure("AUTH", redact(failure, password), replyAuthTemp)
	case rep.IsZero():
		rep = replyAuthOK
	}
	c.pending.creds = creds
	return fsm.Decision{Reply: rep}
}

// exchangeFailed is the Decision for an exchange that ended in err: its
// Reply, or for any other error or a panic a temporary failure (454
// 4.7.0). Only the Authenticator may accept: a positive Reply is a
// failure too.
func (c *Caller) exchangeFailed(err error) fsm.Decision {
	rep, failure := replyOf(err)
	if failure == nil && rep.Positive() {
		failure = errPositiveExchange
	}
	if failure != nil {
		return c.failure("AUTH", failure, replyAuthTemp)
	}
	return fsm.Decision{Reply: rep}
}

var errPositiveExchange = errors.New("hooks: a SASL exchange returned a positive reply; only the Authenticator accepts")
