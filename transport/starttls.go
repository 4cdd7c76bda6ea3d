package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/gosmtpd/gosmtpd/fsm"
)

// ErrTLSRefused is the cause of a session whose STARTTLS hook refused the
// finished handshake.
var ErrTLSRefused = errors.New("smtp: TLS session refused by the handler")

// startTLS upgrades the connection in place after the core's 220 (RFC
// 3207). The core has already thrown away any plaintext pipelined after
// STARTTLS; a failed handshake closes the connection without another reply.
func (c *conn) startTLS() {
	c.endProbe() // crypto/tls reads under the read deadline
	if !c.flush() || c.o.TLSConfig == nil {
		c.core.TLSFailed()
		return
	}
	if err := c.handshake(c.o.TLSConfig); err != nil {
		if errors.Is(err, ErrTLSRefused) {
			c.cause = err // the core knows only that TLS failed
		}
		c.core.TLSFailed()
		return
	}
	c.core.TLSEstablished(fsm.TLSInfo{})
	c.rearm = true
}

// handshake runs the server side of a TLS handshake on c.nc under the
// handshake timeout, asks the STARTTLS hook, and from then on reads and
// writes through TLS. With cfg nil, c.nc is already a *tls.Conn.
func (c *conn) handshake(cfg *tls.Config) error {
	tc, ok := c.nc.(*tls.Conn)
	if !ok {
		if cfg == nil {
			return fmt.Errorf("%w: no TLS configuration", fsm.ErrTLSFailed)
		}
		tc = tls.Server(c.nc, cfg)
	}
	timeout := orDefault(c.o.TLSHandshakeTimeout, defaultHandshakeTimeout)
	ctx, cancel := context.WithTimeout(c.calls.Session().Context(), timeout)
	defer cancel()
	err := tc.HandshakeContext(ctx)
	c.observeTLS(tc, err)
	if err != nil {
		c.logger().Info("TLS handshake failed", "err", printable(err.Error()))
		return fmt.Errorf("%w: %w", fsm.ErrTLSFailed, err)
	}
	state := tc.ConnectionState()
	if err := c.calls.TLSEstablished(&state); err != nil {
		return ErrTLSRefused
	}
	c.nc = tc
	c.input = connInput{c}
	return nil
}
