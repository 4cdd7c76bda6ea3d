package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// Options configure ServeConn.
type Options struct {
	Core         fsm.Config
	Dispatcher   *hooks.Dispatcher
	TLSConfig    *tls.Config   // for STARTTLS; nil: not offered
	WriteTimeout time.Duration // 0: 1 minute
	Logger       *slog.Logger  // nil: slog.Default()
}

// conn is one session being served.
type conn struct {
	nc       net.Conn
	core     *fsm.Conn
	o        *Options
	sess     hooks.Session
	env      hooks.Envelope
	msg      *message
	wbuf     []byte
	stopping atomic.Bool
	failed   error
}

// ServeConn serves one connection until it ends. Cancelling ctx shuts the
// session down gracefully: an idle session gets 421 at once, a transaction in
// flight finishes first. The returned error is the core's close cause (nil
// after QUIT).
func ServeConn(ctx context.Context, nc net.Conn, o *Options) error {
	sessCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &conn{nc: nc, o: o, core: fsm.NewConn(&o.Core)}
	c.sess = hooks.Session{Peer: nc.RemoteAddr().String(), Ctx: sessCtx}
	if tc, ok := nc.(*tls.Conn); ok {
		st := tc.ConnectionState()
		c.sess.TLS = &st
	}
	stop := context.AfterFunc(ctx, func() {
		c.stopping.Store(true)
		nc.SetReadDeadline(time.Now())
	})
	defer stop()
	defer nc.Close()
	return c.loop()
}

func (c *conn) loop() error {
	for {
		a := c.core.Next()
		switch a.Kind {
		case fsm.ActNeedData:
			if !c.flush() {
				c.core.ReceiveEOF()
				continue
			}
			c.read()
		case fsm.ActAsk:
			c.core.Resolve(c.decide(&a.Ask))
		case fsm.ActBody:
			c.body(a)
		case fsm.ActStartTLS:
			c.startTLS()
		case fsm.ActClose:
			c.flush()
			if c.msg != nil {
				c.msg.abort(io.ErrUnexpectedEOF)
				c.msg = nil
			}
			return a.Err
		}
	}
}

// read waits for input under the core's deadline.
func (c *conn) read() {
	if c.stopping.Load() {
		c.core.Shutdown()
		if !c.core.InTransaction() {
			return
		}
	}
	c.nc.SetReadDeadline(time.Now().Add(c.core.Timeout()))
	if c.stopping.Load() {
		c.nc.SetReadDeadline(time.Now())
	}
	n, err := c.nc.Read(c.core.Fill())
	c.core.Filled(n)
	if err == nil || n > 0 {
		return
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout() && c.stopping.Load():
		c.core.Shutdown()
	case errors.As(err, &ne) && ne.Timeout():
		c.core.TimedOut()
	default:
		c.core.ReceiveEOF()
	}
}

// flush writes the queued replies in one write; false when the peer is gone.
func (c *conn) flush() bool {
	if c.core.Outbound() == 0 {
		return c.failed == nil
	}
	c.wbuf = c.core.AppendOutbound(c.wbuf[:0])
	if c.failed != nil {
		return false
	}
	wt := c.o.WriteTimeout
	if wt == 0 {
		wt = time.Minute
	}
	c.nc.SetWriteDeadline(time.Now().Add(wt))
	if _, err := c.nc.Write(c.wbuf); err != nil {
		c.failed = err
		return false
	}
	return true
}

// decide answers an ask: the DATA end through the running message, every
// other hook through the dispatcher.
func (c *conn) decide(a *fsm.Ask) fsm.Decision {
	if a.Hook != fsm.HookDATA {
		return c.o.Dispatcher.Decide(c.sess.Ctx, &c.sess, &c.env, a)
	}
	if a.Rcpt > 0 {
		return fsm.Decision{} // LMTP: the same verdict for every recipient
	}
	if c.msg == nil {
		c.msg = startMessage(c.sess.Ctx, c.o.Dispatcher, &c.sess, &c.env)
	}
	rep := c.msg.finish()
	c.msg = nil
	return fsm.Decision{Reply: rep}
}

func (c *conn) body(a fsm.Action) {
	if a.Err != nil {
		if c.msg != nil {
			c.msg.abort(a.Err)
			c.msg = nil
		}
		return
	}
	if c.msg == nil {
		c.msg = startMessage(c.sess.Ctx, c.o.Dispatcher, &c.sess, &c.env)
	}
	if !c.msg.write(a.Data) {
		rep := c.msg.finish()
		c.msg = nil
		if rep.IsZero() || rep.Positive() {
			rep = hooks.Reply{Code: 451, Enhanced: "4.3.0", Text: "Error: message not fully read"}
		}
		c.core.AbortData(rep)
	}
}

// startTLS upgrades the connection in place (RFC 3207).
func (c *conn) startTLS() {
	if !c.flush() || c.o.TLSConfig == nil {
		c.core.TLSFailed()
		return
	}
	tc := tls.Server(c.nc, c.o.TLSConfig)
	c.nc.SetDeadline(time.Now().Add(30 * time.Second))
	if err := tc.Handshake(); err != nil {
		c.log().Info("STARTTLS handshake failed", "peer", c.sess.Peer, "err", err)
		c.core.TLSFailed()
		return
	}
	c.nc.SetDeadline(time.Time{})
	c.nc = tc
	st := tc.ConnectionState()
	c.sess.TLS = &st
	c.sess.HeloName, c.sess.Extended, c.sess.AuthID = "", false, ""
	c.env = hooks.Envelope{}
	c.core.TLSEstablished(fsm.TLSInfo{})
}

func (c *conn) log() *slog.Logger {
	if c.o.Logger != nil {
		return c.o.Logger
	}
	return slog.Default()
}
