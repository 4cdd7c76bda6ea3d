package transport

import (
	"context"
	"crypto/tls"
	"net"
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
)

// refuseTimeout bounds the whole of turning a connection away, handshake
// included.
const refuseTimeout = 5 * time.Second

// Refuse turns a connection away instead of serving it: it sends rep as
// the greeting (a 421 or 554, RFC 5321 §3.1) and closes nc. An implicit TLS
// connection gets its handshake first, so that the client can read the
// reply. Cancelling ctx gives up at once.
func Refuse(ctx context.Context, nc net.Conn, o *Options, rep codec.Reply) {
	defer nc.Close()
	ctx, cancel := context.WithTimeout(ctx, refuseTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	defer stop()
	nc.SetDeadline(time.Now().Add(refuseTimeout))
	w := nc
	switch c := nc.(type) {
	case *ImplicitTLS:
		cfg := c.Config
		if cfg == nil {
			cfg = o.TLSConfig
		}
		tc := tls.Server(c.Conn, cfg)
		defer tc.Close()
		w = tc
	case *tls.Conn:
		w = c
	}
	w.Write(rep.AppendTo(nil, o.enhanced()))
}
