package dispatch

import (
	"context"
	"crypto/tls"
	"errors"
	"time"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// Proxied records the PROXY protocol header the connection started with
// (the Session's Peer becomes the original client's address) and asks the
// PROXY hook about it. An error refuses the connection.
func (c *Caller) Proxied(info *hooks.ProxyInfo) error {
	c.sess.Proxy = info
	if !info.Local && info.Source.IsValid() {
		c.sess.Peer = info.Source.String()
	}
	h := c.d.proxy
	if h == nil {
		return nil
	}
	err := c.call(&callArgs{kind: callPROXY, proxy: info})
	if err != nil {
		c.report("PROXY", err)
	}
	return err
}

// TLSEstablished asks the STARTTLS hook about a finished handshake. When it
// accepts, the session starts over as RFC 3207 §4.2 requires (greeting,
// authentication and transaction forgotten) with state recorded; an error
// refuses the connection.
func (c *Caller) TLSEstablished(state *tls.ConnectionState) error {
	if h := c.d.starttls; h != nil {
		err := c.call(&callArgs{kind: callSTARTTLS, tls: state})
		if err != nil {
			c.report("STARTTLS", err)
			return err
		}
	}
	c.startOver() // RFC 3207 §4.2
	c.sess.TLS = state
	c.resetEnvelope()
	return nil
}

// startOver forgets the message under way, the greeting and the
// authentication, as a session that starts over must (after STARTTLS, RFC
// 3207 §4.2, and XCLIENT); the caller then records what is new about the
// session and resets the envelope from it.
func (c *Caller) startOver() {
	c.dropMessage()
	c.sasl = nil
	s := c.sess
	s.HeloName, s.Extended = "", false
	s.AuthID, s.AuthUser, s.AuthMechanism, s.AuthData = "", "", "", nil
}

var replyConnectFailed = hooks.Reply{Code: 421, Enhanced: "4.3.0", Text: "Error: temporary failure, try again later"}

// Connected asks the connect hook about the new connection: ok, or the
// reply to refuse it with in lieu of the greeting (a hook's 4xx or 5xx
// Reply; 421 4.3.0 when the hook fails otherwise).
func (c *Caller) Connected() (refusal hooks.Reply, refused bool) {
	if c.d.connect == nil {
		return hooks.Reply{}, false
	}
	err := c.call(&callArgs{kind: callConnect})
	if err == nil {
		return hooks.Reply{}, false
	}
	var rep hooks.Reply
	switch {
	case !errors.As(err, &rep):
		c.report("CONNECT", err)
	case rep.Code < 400:
		return hooks.Reply{}, false // a positive reply greets
	case rep.Code <= 599:
		return rep, true
	}
	return replyConnectFailed, true
}

// Closed tells the close hook that the session ended, and why. It runs
// without the session's cancellation (the session is over) but within
// timeout when it is positive; a panic is reported, not propagated.
func (c *Caller) Closed(cause error, timeout time.Duration) {
	h := c.d.closed
	if h == nil {
		return
	}
	ctx := context.WithoutCancel(c.sess.Context())
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	s := c.sess
	if err := protect("CLOSE", func() error { h.HandleClose(ctx, s, cause); return nil }); err != nil {
		c.report("CLOSE", err)
	}
}
