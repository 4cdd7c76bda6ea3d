package hooks

import (
	"context"
	"strings"

	"github.com/gosmtpd/gosmtpd/fsm"
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
		return fsm.Decision{Reply: replyMalformed}
	}
	var challenge []byte
	var creds *Credentials
	err := protect("AUTH", func() (err error) {
		challenge, creds, err = c.sasl.Next(resp)
		return err
	})
	switch {
	case err != nil:
		c.sasl = nil
		return c.decision("AUTH", err)
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
// Session. A failure of the Authenticator is temporary (454 4.7.0).
func (c *Caller) authenticate(creds *Credentials) fsm.Decision {
	if creds.Mechanism == "" {
		creds.Mechanism = c.saslName
	}
	err := c.call("AUTH", func(ctx context.Context, s *Session, e *Envelope) error {
		return c.d.auth.Authenticate(ctx, s, e, creds)
	})
	rep, failure := replyOf(err)
	if failure != nil {
		return c.failure("AUTH", failure, replyAuthTemp)
	}
	if rep.IsZero() {
		rep = replyAuthOK
	}
	if rep.Code == 235 {
		c.sess.AuthID, c.sess.AuthMechanism = creds.Identity(), creds.Mechanism
	}
	return fsm.Decision{Reply: rep}
}
