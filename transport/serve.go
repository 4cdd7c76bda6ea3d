package transport

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/internal/dispatch"
)

// conn is one session being served.
type conn struct {
	o        *Options
	raw      net.Conn // the socket: deadlines are set on it, also from other goroutines
	nc       net.Conn // what is read and written: raw, or TLS over it
	input    input    // how the client's bytes are read (input.go)
	core     *fsm.Conn
	d        *dispatch.Dispatcher
	compiled *fsm.Compiled
	calls    *dispatch.Caller
	log      *slog.Logger
	trace    bool               // commands and replies are logged (at Debug)
	cancel   context.CancelFunc // ends the session's context

	wbuf     []byte // replies on their way out
	writeErr error  // the write that failed; nothing more is written
	replied  bool   // replies were written since the last read

	deadline      time.Time // the read deadline in force: due, or earlier (expiredEarly)
	due           time.Time // the session's own read deadline
	writeDeadline time.Time // the write deadline set by flush
	rearm         bool      // the next read starts a new deadline
	probing       bool      // a probe's deadline is in force, not deadline (socket.go)
	probeAt       time.Time // ... which is this
	dataStart     time.Time // when the current message body began (MinDataRate)
	dataBytes     int64

	lostIn fsm.State // where the session stood when the client went or timed out

	stopping atomic.Bool // a graceful end was asked
	stopSeen bool        // ... and passed to the core
	stopMu   sync.Mutex  // orders the interruption with its undoing
	aborting atomic.Bool // an immediate end was asked

	msg     stream     // the message the DATA hook reads (stream.go)
	held    fsm.Action // an action the message's stream took from the core, for the loop
	holding bool
	cause   error        // why the session ends, when the core's reason is less precise
	refusal *codec.Reply // AdmitProxied turned the client away with this (admit.go)
	release func()       // ... or gave this to call at the end
	obs     *observation // nil without an Observer (observe.go)
}

// ServeConn serves one connection until the session ends, and closes it.
// Cancelling ctx asks for a graceful end (see the package documentation).
// The error is the cause of the end: nil after QUIT, else one of the core's
// sentinels (fsm.ErrTimeout, fsm.ErrPeerClosed, fsm.ErrShutdown, ...), or
// the failure of the PROXY header or of the implicit TLS handshake.
//
// ServeConn compiles o for this one connection; a server that serves many
// compiles its Options once with NewServer.
func ServeConn(ctx context.Context, nc net.Conn, o *Options) error {
	return NewServer(o).ServeConn(ctx, nc)
}

// ServeConn serves one connection as the function ServeConn does.
func (s *Server) ServeConn(ctx context.Context, nc net.Conn) (err error) {
	c := newConn(nc, s)
	graceful := context.AfterFunc(ctx, c.interruptGraceful)
	hard := context.AfterFunc(c.calls.Session().Context(), c.interruptHard)
	defer func() {
		c.end(graceful, hard)
		c.logEnd(err)
		c.observeEnd(err)
		c.calls.Closed(err, c.o.handlerTimeout())
	}()
	c.logStart()
	c.observeStart()
	if err := c.open(); err != nil {
		return err
	}
	return c.serve()
}

func newConn(nc net.Conn, srv *Server) *conn {
	o := srv.o
	c := &conn{o: o, raw: nc, nc: nc, d: srv.d, compiled: srv.core, rearm: true}
	ctx, cancel := context.WithCancel(o.baseContext())
	c.cancel = cancel
	s := dispatch.NewSession(ctx)
	s.ID, s.Peer, s.Local = newSessionID(), addrString(nc.RemoteAddr()), addrString(nc.LocalAddr())
	c.calls = c.d.NewCaller(s, dispatch.CallerConfig{Timeout: o.handlerTimeout(), Failed: c.logFailure})
	return c
}

// open reads the PROXY header, runs the handshake of an implicit TLS
// connection and starts the core.
func (c *conn) open() error {
	tlsConfig, implicit := c.implicitTLS()
	if c.o.Proxy != nil {
		if err := c.readProxy(); err != nil {
			return err
		}
	}
	var sc fsm.SessionConfig
	peer := c.calls.Session().Peer
	sc.XClient, sc.XForward = trustFor(peer, c.o.XClientNetworks), trustFor(peer, c.o.XForwardNetworks)
	c.traceProtocol(&sc)
	c.observeCore(&sc)
	if implicit {
		if err := c.handshake(tlsConfig); err != nil {
			return err
		}
		sc.TLSActive = true
	}
	if c.refusal != nil {
		return c.turnAway()
	}
	c.core = c.compiled.NewConn(sc)
	if rep, refused := c.calls.Connected(); refused {
		c.core.RefuseGreeting(rep)
	}
	c.input = c.newInput()
	return nil
}

// implicitTLS unwraps a connection that is TLS from its first byte, and
// returns the TLS configuration to serve it with.
func (c *conn) implicitTLS() (*tls.Config, bool) {
	switch nc := c.raw.(type) {
	case *ImplicitTLS:
		c.raw, c.nc = nc.Conn, nc.Conn
		if nc.Config != nil {
			return nc.Config, true
		}
		return c.o.TLSConfig, true
	case *tls.Conn:
		return nil, true // already wrapped: handshake it as it is
	}
	return nil, false
}

// serve carries out the core's actions until the session ends, and
// returns its cause.
func (c *conn) serve() error {
	for {
		if c.stoppedHard() {
			c.holding = false
			c.core.Abort(fsm.ErrShutdown, codec.Reply{})
		}
		a := c.next()
		switch a.Kind {
		case fsm.ActNeedData:
			c.needData()
		case fsm.ActAsk:
			c.answer(&a.Ask)
		case fsm.ActBody:
			c.deliver(a.Data, a.Err)
		case fsm.ActStartTLS:
			c.startTLS()
		case fsm.ActClose:
			c.flush()
			switch {
			case c.stoppedHard():
				return fsm.ErrShutdown
			case c.cause != nil:
				return c.cause
			}
			return a.Err
		}
	}
}

// next is the next action: one the message's stream took from the core and
// left for the loop, else the core's next.
func (c *conn) next() fsm.Action {
	if c.holding {
		c.holding = false
		return c.held
	}
	return c.core.Next()
}

// needData writes the replies queued and reads more input.
func (c *conn) needData() {
	if !c.flush() {
		c.peerGone()
		return
	}
	c.read()
}

// answer asks the hook that decides a, and tells the hooks layer the reply
// the core applied. A session being ended at once leaves the question to
// Abort.
func (c *conn) answer(a *fsm.Ask) {
	d := c.decide(a)
	if c.stoppedHard() {
		return
	}
	c.calls.Record(c.core.Resolve(d))
	c.rearm = true
}

// end releases the session: its context is cancelled and the connection
// closed.
func (c *conn) end(graceful, hard func() bool) {
	graceful()
	hard()
	c.releaseAdmission()
	c.cancel()
	c.raw.SetDeadline(time.Now().Add(abortWriteTimeout)) // a TLS close_notify must not block
	c.nc.Close()
}

// stoppedHard reports whether the session is being ended at once. The
// session's context tells it before interruptHard has run.
func (c *conn) stoppedHard() bool {
	return c.aborting.Load() || c.calls.Session().Context().Err() != nil
}

// interruptGraceful runs when ServeConn's context ends: a read in progress
// returns at once, so that an idle session is told of the end now.
//
// stopMu orders it with noticeStop's undoing of the interruption: without
// it the session could see stopping, restore its deadline, and only then
// have the interruption's deadline set, which it would later take for its
// own timeout (421 4.4.2 in the middle of a message that was to finish).
func (c *conn) interruptGraceful() {
	c.stopMu.Lock()
	defer c.stopMu.Unlock()
	c.stopping.Store(true)
	if !c.stopSeen {
		c.raw.SetReadDeadline(time.Now())
	}
}

// interruptHard runs when the session's context ends before the session
// (the server stops at once): every read and write returns at once.
func (c *conn) interruptHard() {
	c.aborting.Store(true)
	c.calls.StopHook()
	c.raw.SetDeadline(time.Now())
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// trustFor is how far peer ("ip:port") is trusted with a command offered to
// networks: not at all when none are given.
func trustFor(peer string, networks []netip.Prefix) fsm.Trust {
	if len(networks) == 0 {
		return fsm.TrustNone
	}
	if ap, err := netip.ParseAddrPort(peer); err == nil {
		for _, n := range networks {
			if n.Contains(ap.Addr().Unmap()) {
				return fsm.TrustGranted
			}
		}
	}
	return fsm.TrustDenied
}
