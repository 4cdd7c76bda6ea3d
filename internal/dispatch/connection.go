package dispatch

import (
	"context"
	"crypto/tls"

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
	err := c.call("PROXY", func(ctx context.Context, s *hooks.Session, _ *hooks.Envelope) error {
		return h.HandlePROXY(ctx, s, info)
	})
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
		err := c.call("STARTTLS", func(ctx context.Context, s *hooks.Session, _ *hooks.Envelope) error {
			return h.HandleSTARTTLS(ctx, s, state)
		})
		if err != nil {
			c.report("STARTTLS", err)
			return err
		}
	}
	c.abandon(errTransactionEnded)
	c.sasl = nil
	// RFC 3207 §4.2: the greeting and the authentication are forgotten.
	s := c.sess
	s.TLS = state
	s.HeloName, s.Extended = "", false
	s.AuthID, s.AuthUser, s.AuthMechanism, s.AuthData = "", "", "", nil
	c.env = &hooks.Envelope{}
	return nil
}
