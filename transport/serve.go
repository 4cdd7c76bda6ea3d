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
	o      *Options
	raw    net.Conn // the socket: deadlines are set on it, also from other goroutines
	nc     net.Conn // what is read and written: raw, or TLS over it
	core   *fsm.Conn
	d      *dispatch.Dispatcher
	calls  *dispatch.Caller
	log    *slog.Logger
	trace  bool               // commands and replies are logged (at Debug)
	cancel context.CancelFunc // ends the session's context

	wbuf     []byte // replies on their way out
	writeErr error  // the write that failed; nothing more is written

	deadline      time.Time // the read deadline in force
	writeDeadline time.Time // the write deadline set by flush
	rearm         bool      // the next read starts a new deadline
	dataStart     time.Time // when the current message body began (MinDataRate)
	dataBytes     int64

	lostIn fsm.State // where the session stood when the client went or timed out

	stopping atomic.Bool // a graceful end was asked
	stopSeen bool        // ... and passed to the core
	stopMu   sync.Mutex  // orders the interruption with its undoing
	aborting atomic.Bool // an immediate end was asked
	closing  *codec.Reply

	// Reading the descriptor itself (rawread.go).
	fd         uintptr   // the socket, inside a raw read
	mustRead   bool      // the socket may hold unread bytes
	emptied    bool      // ... or the last read found it empty (EAGAIN)
	replied    bool      // replies were written since the last read
	waited     bool      // the callback returned to wait for the socket
	probing    bool      // a probe's deadline is in force, not c.deadline
	probeAt    time.Time // ... which is this
	tlsPending bool      // the raw read ended for STARTTLS, still to be done
	rawErr     error     // the session's end, once rawDone
	rawDone    bool
	inputs     *inputList   // the free list of input buffers (inputpool.go)
	cause      error        // why the session ends, when the core's reason is less precise
	refusal    *codec.Reply // AdmitProxied turned the client away with this (admit.go)
	release    func()       // ... or gave this to call at the end
	obs        *observation // nil without an Observer (observe.go)
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
		c.calls.Closed(err, c.o.HandlerTimeout)
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
	c := &conn{o: o, raw: nc, nc: nc, d: srv.d, rearm: true}
	ctx, cancel := context.WithCancel(o.baseContext())
	c.cancel = cancel
	s := dispatch.NewSession(ctx)
	s.ID, s.Peer, s.Local = newSessionID(), addrString(nc.RemoteAddr()), addrString(nc.LocalAddr())
	c.calls = c.d.NewCaller(s, dispatch.CallerConfig{Timeout: o.HandlerTimeout, Failed: c.logFailure})
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
	cfg := c.o.Core
	c.d.Configure(&cfg)
	cfg.TLSAvailable = c.o.TLSConfig != nil
	peer := c.calls.Session().Peer
	cfg.XClient, cfg.XForward = trustFor(peer, c.o.XClientNetworks), trustFor(peer, c.o.XForwardNetworks)
	c.traceProtocol(&cfg)
	c.observeCore(&cfg)
	if implicit {
		if err := c.handshake(tlsConfig); err != nil {
			return err
		}
		cfg.TLSActive = true
	}
	if c.refusal != nil {
		return c.turnAway()
	}
	c.core = fsm.NewConn(&cfg)
	if rep, refused := c.calls.Connected(); refused {
		c.core.RefuseGreeting(rep)
	}
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

// serve runs the core until it closes: on a socket read without a wasted
// system call where it can (see serveRaw), else through c.nc.
func (c *conn) serve() error {
	if err, done := c.serveRaw(); done {
		return err
	}
	err, _ := c.run(false)
	return err
}

// run carries out the core's actions until the session ends (done, with its
// cause). Inside a raw read (see serveRaw) it also returns when the driver
// must first wait for the socket to be readable, and before an upgrade to
// TLS, which reads the socket itself.
func (c *conn) run(raw bool) (err error, done bool) {
	for {
		a := c.core.Next()
		switch a.Kind {
		case fsm.ActNeedData:
			if !c.flush() {
				c.peerGone()
				continue
			}
			if !raw {
				c.read()
			} else if !c.readRaw() {
				return nil, false
			}
		case fsm.ActAsk:
			c.core.Resolve(c.decide(&a.Ask))
			c.rearm = true
		case fsm.ActBody:
			c.body(a)
		case fsm.ActStartTLS:
			if raw {
				c.tlsPending = true
				return nil, false
			}
			c.startTLS()
		case fsm.ActClose:
			c.flush()
			if c.stoppedHard() {
				return fsm.ErrShutdown, true
			}
			if c.cause != nil {
				return c.cause, true
			}
			return a.Err, true
		}
		if c.closing != nil || c.aborting.Load() {
			return c.abort(), true
		}
	}
}

// body hands a chunk of the message to the DATA hook, or tells it that the
// core abandoned the message.
func (c *conn) body(a fsm.Action) {
	if a.Err != nil {
		c.calls.AbandonMessage(a.Err)
		return
	}
	d, ok := c.calls.Body(a.Data)
	switch {
	case ok:
	case d.Close:
		rep := d.Reply // a copy: taking &d.Reply would put every chunk's d on the heap
		c.closing = &rep
	default:
		c.core.AbortData(d.Reply)
	}
}

// abort ends the session at once, in the middle of whatever it was doing:
// the queued replies, then a last one (421 4.3.2 when the server is
// stopping), without waiting for the client.
func (c *conn) abort() error {
	rep, cause := c.shutdownReply(), fsm.ErrShutdown
	if c.closing != nil && !c.stoppedHard() {
		rep, cause = *c.closing, fsm.ErrHookClosed
	}
	if c.writeErr != nil {
		return cause
	}
	c.raw.SetWriteDeadline(time.Now().Add(abortWriteTimeout))
	c.wbuf = c.core.AppendOutbound(c.wbuf[:0])
	if c.core.State() != fsm.StateClosed { // else the core has said its last word
		c.wbuf = rep.AppendTo(c.wbuf, c.o.enhanced())
	}
	if c.trace {
		c.traceReplies(c.wbuf)
	}
	c.nc.Write(c.wbuf)
	return cause
}

func (c *conn) shutdownReply() codec.Reply {
	host := c.o.Core.Hostname
	if host == "" {
		host = "localhost"
	}
	return codec.Reply{Code: 421, Enhanced: "4.3.2", Text: host + " Service shutting down"}
}

// end releases the session: a message still streaming fails with
// io.ErrUnexpectedEOF, its hook gets the handler timeout to return, the
// session's context is cancelled and the connection closed.
func (c *conn) end(graceful, hard func() bool) {
	graceful()
	hard()
	ctx := c.o.baseContext()
	if c.o.HandlerTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.o.HandlerTimeout)
		defer cancel()
	}
	c.calls.Close(ctx)
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
