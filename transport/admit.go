package transport

import (
	"errors"
	"net/netip"
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
)

// AdmitFunc decides whether a session may start for the original client a
// trusted peer's PROXY header names, so that limits per client count the
// client rather than the load balancer. It returns a function to call when
// the session ends, or ok false and the reply that turns the client away
// (a 421). client is the zero AddrPort for a header without addresses
// (LOCAL, UNKNOWN): a balancer's health check.
type AdmitFunc func(client netip.AddrPort) (release func(), refusal codec.Reply, ok bool)

// ErrTurnedAway is the end of a session that AdmitProxied turned away.
var ErrTurnedAway = errors.New("smtp: turned away by a limit on the proxied client")

// admitProxied asks AdmitProxied about the client of a PROXY header; a
// refusal is kept, to be sent in place of the greeting once an implicit
// TLS handshake is done (see open).
func (c *conn) admitProxied(client netip.AddrPort) {
	if c.o.AdmitProxied == nil {
		return
	}
	release, refusal, ok := c.o.AdmitProxied(client)
	if !ok {
		c.refusal = &refusal
		return
	}
	c.release = release
}

// turnAway sends the refusal as the greeting, and ends the session.
func (c *conn) turnAway() error {
	c.raw.SetWriteDeadline(time.Now().Add(abortWriteTimeout))
	c.nc.Write(c.refusal.AppendTo(nil, c.o.enhanced()))
	return ErrTurnedAway
}

// releaseAdmission gives back what AdmitProxied granted.
func (c *conn) releaseAdmission() {
	if c.release != nil {
		c.release()
		c.release = nil
	}
}
