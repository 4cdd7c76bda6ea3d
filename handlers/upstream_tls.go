package handlers

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"net/textproto"
)

// startTLS upgrades the upstream connection (RFC 3207) and says EHLO again,
// as §4.2 requires: what the server offered before TLS is forgotten. The
// certificate is checked against cfg.tls, whose ServerName defaults to the
// host of the upstream's address.
func (u *upstream) startTLS(ctx context.Context, cfg upstreamConfig) error {
	rep, err := u.exchange(ctx, "STARTTLS")
	if err != nil {
		return err
	}
	if rep.Code != 220 {
		return rep
	}
	tc := cfg.tls.Clone()
	if tc.ServerName == "" {
		tc.ServerName, _, _ = net.SplitHostPort(cfg.addr)
	}
	conn := tls.Client(u.conn, tc)
	hctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	if err := conn.HandshakeContext(hctx); err != nil {
		return fmt.Errorf("%w: STARTTLS: %v", errUpstream, err)
	}
	u.conn, u.text, u.tls = conn, textproto.NewConn(conn), true
	return u.greet(ctx, cfg.helo)
}

// authenticate says AUTH PLAIN with the configured credentials (RFC 4954,
// RFC 4616), only over TLS or to a loopback address: a password never
// crosses a network in clear.
func (u *upstream) authenticate(ctx context.Context, cfg upstreamConfig) error {
	if !u.tls && !loopbackConn(u.conn) {
		return fmt.Errorf("%w: will not send credentials without TLS", errUpstream)
	}
	ir := base64.StdEncoding.EncodeToString([]byte("\x00" + cfg.username + "\x00" + cfg.password))
	rep, err := u.exchange(ctx, "AUTH PLAIN "+ir)
	if err != nil {
		return err
	}
	if rep.Code != 235 {
		return rep
	}
	return nil
}

func loopbackConn(c net.Conn) bool {
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}
