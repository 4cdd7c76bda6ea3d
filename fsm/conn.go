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
type Conn struct{}

// NewConn returns the core of a new session; its greeting is already queued.
func NewConn(cfg *Config) *Conn { panic("TODO") }

// Fill returns the free space at the end of the input buffer, at least one
// byte, for the driver to read into; pass the count to Filled. The slice is
// valid until the next call of any other method.
func (c *Conn) Fill() []byte { panic("TODO") }

// Filled records that n bytes were read into the slice Fill returned.
func (c *Conn) Filled(n int) { panic("TODO") }

// Receive copies p into the input buffer (growing it when p does not fit):
// for tests and simple drivers. Call it only after ActNeedData, so that the
// buffer stays bounded.
func (c *Conn) Receive(p []byte) { panic("TODO") }

// ReceiveEOF records that the peer closed its side.
func (c *Conn) ReceiveEOF() { panic("TODO") }

// TimedOut records that Timeout passed without input: 421 4.4.2 and close.
func (c *Conn) TimedOut() { panic("TODO") }

// Shutdown asks the session to end at the next command boundary: at once
// when no transaction is under way, else after the current one ends (its
// final reply is sent); then 421 4.3.2 and ActClose with ErrShutdown.
func (c *Conn) Shutdown() { panic("TODO") }

// Resolve answers the pending ActAsk.
func (c *Conn) Resolve(d Decision) { panic("TODO") }

// AbortData reports that the handler's stream of the current message failed:
// the core discards the rest of the body and answers r after its end
// (for every recipient in LMTP).
func (c *Conn) AbortData(r codec.Reply) { panic("TODO") }

// TLSEstablished reports a finished handshake after ActStartTLS: the session
// starts over (RFC 3207 §4.2): a new EHLO is required, AUTH is forgotten.
func (c *Conn) TLSEstablished(info TLSInfo) { panic("TODO") }

// TLSFailed reports a failed handshake after ActStartTLS: the core closes.
func (c *Conn) TLSFailed() { panic("TODO") }

// Next returns the next Action. Call it until ActNeedData, then feed input.
func (c *Conn) Next() Action { panic("TODO") }

// AppendOutbound appends the queued reply bytes to dst and clears the queue.
func (c *Conn) AppendOutbound(dst []byte) []byte { panic("TODO") }

// Outbound returns the number of queued reply bytes.
func (c *Conn) Outbound() int { panic("TODO") }

// Timeout returns how long the driver should wait for the next input: the
// command timeout, or the data timeout inside a message body.
func (c *Conn) Timeout() time.Duration { panic("TODO") }

// InTransaction reports whether a mail transaction is under way (after an
// accepted MAIL until its end), for graceful shutdown.
func (c *Conn) InTransaction() bool { panic("TODO") }

// Authenticated reports whether AUTH succeeded in this session.
func (c *Conn) Authenticated() bool { panic("TODO") }
