package fsm

import (
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
)

// Conn is the protocol core of one SMTP or LMTP session. It is pure: it never
// touches a socket, reads a clock or calls user code. The driver feeds it
// bytes and decisions and carries out the Actions it returns:
//
//	for {
//		a := c.Next()
//		switch a.Kind {
//		case ActNeedData: flush c.AppendOutbound; n, err := conn.Read(c.Fill()); c.Filled(n) (or ReceiveEOF / TimedOut)
//		case ActAsk:      c.Resolve(handler decision)
//		case ActBody:     stream a.Data to the handler (or fail its stream with a.Err)
//		case ActStartTLS: flush; handshake; c.TLSEstablished(info) or c.TLSFailed()
//		case ActClose:    flush; close; return
//		}
//	}
//
// A Conn is not safe for concurrent use. Misuse (Next while an Ask is
// unresolved, Resolve without an Ask) panics: it is a driver bug.
type Conn struct {
	cfg   *settings    // the server's, shared
	host  *hostReplies // the server's, shared
	in    []byte       // input buffer; in[r:w] is unconsumed
	r, w  int
	out   []byte // queued reply bytes
	state State
	phase phase

	// What differs between the sessions of one configuration.
	requireTLS        bool // STARTTLS must come first: RequireTLS, and not SMTPS
	xclient, xforward Trust
	trace             func(line []byte)
	onEvent           func(e *Event) // Config.Report

	ask      Ask  // the pending or last question
	asking   Hook // HookNone unless an ActAsk awaits Resolve
	params   codec.Params
	closeErr error

	extended, tls, authed, shutdown, discardLine bool
	refused                                      bool // RefuseGreeting with a 5xx: only QUIT is served
	errors, authFailures, unknowns, junk         int
	authMech                                     int                     // the mechanism of the AUTH exchange, an index in cfg.mechanisms
	ev                                           *[len(eventNames)]Event // the events reported, one of each kind (report.go), made on first use
	calls                                        [codec.NumVerbs]int

	txn transaction
}

// phase is what the core does with the next input bytes.
type phase uint8

const (
	phaseCommand  phase = iota // parse command lines
	phaseAuth                  // read a SASL response line
	phaseBody                  // decode a DATA body
	phaseChunk                 // read a BDAT chunk
	phaseDataEnd               // ask for the final reply (one per recipient in LMTP)
	phaseStartTLS              // return ActStartTLS
	phaseTLSWait               // wait for TLSEstablished or TLSFailed
	phaseClosed
)

// NewConn returns the core of a new session; its greeting is already queued.
// cfg is read, not kept: later changes to it do not affect the Conn. It
// compiles cfg for this one session; a server compiles its configuration
// once with Compile and makes each session's Conn from that.
func NewConn(cfg *Config) *Conn {
	return Compile(cfg).NewConn(cfg.session())
}

// Compiled is a Config compiled once for the sessions of a server: its
// defaults applied, its replies (greeting, EHLO for every TLS state and
// trust) built. It is read only and safe to share between goroutines.
type Compiled struct {
	s    settings
	host hostReplies
}

// Compile compiles cfg, ignoring the fields that are each session's own
// (TLSActive, XClient, XForward, Trace, Report: see SessionConfig). cfg is
// read, not kept.
func Compile(cfg *Config) *Compiled {
	p := &Compiled{s: newSettings(cfg)}
	p.host = newHostReplies(&p.s)
	return p
}

// Hostname is the name the server gives itself (Config.Hostname, or
// DefaultHostname).
func (p *Compiled) Hostname() string { return p.s.hostname }

// SessionConfig is what differs between the sessions of one Compiled
// configuration; its fields mean what Config's of the same names do.
type SessionConfig struct {
	TLSActive         bool
	XClient, XForward Trust
	Trace             func(line []byte)
	Report            func(e *Event)
}

func (cfg *Config) session() SessionConfig {
	return SessionConfig{TLSActive: cfg.TLSActive, XClient: cfg.XClient, XForward: cfg.XForward,
		Trace: cfg.Trace, Report: cfg.Report}
}

// NewConn returns the core of a new session of p; its greeting is already
// queued.
func (p *Compiled) NewConn(sc SessionConfig) *Conn {
	c := &Conn{cfg: &p.s, host: &p.host, tls: sc.TLSActive}
	c.requireTLS = p.s.requireTLS && !sc.TLSActive
	c.xclient, c.xforward, c.trace, c.onEvent = sc.XClient, sc.XForward, sc.Trace, sc.Report
	c.out = make([]byte, 0, 512)
	c.txn.dec.MaxLine = c.cfg.maxTextLine
	c.queue(c.host.greeting)
	return c
}

// Fill returns the free space at the end of the input buffer, at least one
// byte, for the driver to read into; pass the count to Filled. The slice is
// valid until the next call of any other method.
func (c *Conn) Fill() []byte {
	if c.in == nil {
		c.in = c.newInput()
	}
	if c.r == c.w {
		c.r, c.w = 0, 0
	}
	if c.r > 0 && len(c.in)-c.w < len(c.in)/4 {
		c.w = copy(c.in, c.in[c.r:c.w])
		c.r = 0
	}
	if c.w == len(c.in) {
		c.grow(1)
	}
	return c.in[c.w:]
}

// newInput borrows an input buffer from Config.Buffers, or makes one.
func (c *Conn) newInput() []byte {
	size := c.inputSize()
	if c.cfg.buffers != nil {
		if b := c.cfg.buffers.Get(size); len(b) == size {
			return b
		}
	}
	return make([]byte, size)
}

// inputSize is the size of a new input buffer: the read size, or the
// longest command line when that is longer.
func (c *Conn) inputSize() int {
	return max(c.cfg.readBuffer, c.cfg.maxLine+max(c.cfg.mailExtra, c.cfg.rcptExtra)+2)
}

// maxInput is the most the input buffer needs to hold while reading
// commands: the longest line accepted now with its CRLF, or a read.
func (c *Conn) maxInput() int { return max(c.inputSize(), c.lineLimit()+2) }

// releaseInput lends the input buffer to Config.Buffers while it holds no
// unconsumed byte, at the moment the core asks for data: a session waiting
// for its client then holds none, and the next Fill borrows one. It keeps
// the buffer while bytes are pending or a question, whose slices point into
// it, is unresolved, and drops one that grew beyond the usual size (a long
// line, or Receive) instead of lending it.
func (c *Conn) releaseInput() {
	pool := c.cfg.buffers
	if pool == nil || c.in == nil || c.r != c.w || c.asking != HookNone {
		return
	}
	in := c.in
	c.in, c.r, c.w = nil, 0, 0
	c.ask, c.params = Ask{}, codec.Params{} // their slices pointed into in
	if len(in) == c.inputSize() {
		pool.Put(in)
	}
}

// Filled records that n bytes were read into the slice Fill returned. A
// read that got nothing (n == 0: the socket was empty) lends the buffer
// back to Config.Buffers while nothing is pending, for the wait ahead.
func (c *Conn) Filled(n int) {
	if n < 0 || c.w+n > len(c.in) {
		panic("fsm: Filled beyond the slice Fill returned")
	}
	c.w += n
	if n == 0 {
		c.releaseInput()
	}
}

// Receive copies p into the input buffer (growing it when p does not fit):
// for tests and simple drivers. Call it only after ActNeedData, so that the
// buffer stays bounded by what the caller passes.
func (c *Conn) Receive(p []byte) {
	for len(p) > 0 {
		free := c.Fill()
		if len(free) < len(p) {
			c.grow(len(p))
			free = c.in[c.w:]
		}
		c.Filled(copy(free, p))
		p = p[min(len(p), len(free)):]
	}
}

// grow makes room for extra bytes after the pending ones: it doubles the
// buffer, so that a long line is read in few steps, but not past maxInput,
// the most a command line needs; only Receive's larger pieces go beyond it.
func (c *Conn) grow(extra int) {
	in := make([]byte, max(c.w-c.r+extra, min(2*len(c.in), c.maxInput())))
	c.w = copy(in, c.in[c.r:c.w])
	c.r = 0
	c.in = in
}

// ReceiveEOF records that the peer closed its side.
func (c *Conn) ReceiveEOF() { c.close(ErrPeerClosed) }

// TimedOut records that Timeout passed without input: 421 4.4.2 and close.
func (c *Conn) TimedOut() {
	c.queue(c.host.timeout)
	c.close(ErrTimeout)
}

// Abort ends the session at once, whatever it was doing (a hook pending, a
// message half received): the core queues its last words after the replies
// already queued and closes with cause. The last words are rep when it is
// set (a handler's failure: its 421), else the core's own for cause:
// "421 4.3.2 Service shutting down" for ErrShutdown, "421 4.4.2" for
// ErrTimeout. A session already closed has said its last words: Abort
// then does nothing. The driver never writes a reply of its own.
func (c *Conn) Abort(cause error, rep codec.Reply) {
	if c.phase == phaseClosed {
		return
	}
	c.asking = HookNone
	if rep.IsZero() {
		rep = c.host.lastWords(cause)
	}
	c.out = rep.AppendTo(c.out, c.cfg.enhanced)
	c.close(cause)
}

// Shutdown asks the session to end at the next command boundary: at once
// when no transaction is under way, else after the current one ends (its
// final reply is sent); then 421 4.3.2 and ActClose with ErrShutdown.
func (c *Conn) Shutdown() { c.shutdown = true }

// Timeout returns how long the driver should wait for the next input: the
// command timeout, or the data timeout inside a message body.
func (c *Conn) Timeout() time.Duration {
	if c.phase == phaseBody || c.phase == phaseChunk {
		return c.cfg.dataTimeout
	}
	return c.cfg.commandTimeout
}

// InTransaction reports whether a mail transaction is under way (after an
// accepted MAIL until its end), for graceful shutdown.
func (c *Conn) InTransaction() bool { return c.state.inTransaction() }

// Authenticated reports whether AUTH succeeded in this session.
func (c *Conn) Authenticated() bool { return c.authed }

// State returns the session state.
func (c *Conn) State() State { return c.state }

// AppendOutbound appends the queued reply bytes to dst and clears the queue.
func (c *Conn) AppendOutbound(dst []byte) []byte {
	dst = append(dst, c.out...)
	c.out = c.out[:0]
	return dst
}

// Outbound returns the number of queued reply bytes.
func (c *Conn) Outbound() int { return len(c.out) }

// queue appends a reply to the outbound queue and counts errors: after
// MaxErrors 5xx replies the session ends with 421 (RFC 5321 §4.3.2 lets a
// server protect itself; Postfix does the same).
func (c *Conn) queue(r codec.Reply) {
	c.out = r.AppendTo(c.out, c.cfg.enhanced)
	if r.Code >= 500 {
		c.countError()
	}
}

// countError counts one error towards MaxErrors: a 5xx reply, or junk past
// its limit (junk.go). At the limit it queues 421 and ends the session;
// false then.
func (c *Conn) countError() bool {
	if c.phase == phaseClosed {
		return false
	}
	c.errors++
	if c.cfg.maxErrors > 0 && c.errors >= c.cfg.maxErrors {
		c.out = c.host.tooManyErrors.AppendTo(c.out, c.cfg.enhanced)
		c.close(ErrTooManyErrors)
		return false
	}
	return true
}

// close ends the session; Next returns ActClose with err from now on.
func (c *Conn) close(err error) {
	if c.phase == phaseClosed {
		return
	}
	c.phase, c.state, c.closeErr = phaseClosed, StateClosed, err
}

// closeWith queues r and ends the session.
func (c *Conn) closeWith(r codec.Reply, err error) {
	c.queue(r)
	c.close(err)
}
