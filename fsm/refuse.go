package fsm

// Rules of this file: refusing a client at connection time (RFC 5321 §3.1,
// §3.8), for a driver whose connect-time policy (a blocklist, a full
// server) says no before the client has said anything.

import (
	"errors"

	"github.com/gosmtpd/gosmtpd/codec"
)

// ErrRefused is the cause of a session refused at connection time, by a
// 421 at once or by a 554 and the client's QUIT.
var ErrRefused = errors.New("smtp: connection refused")

var replyRefusedSession = r(503, "5.5.1", "Error: this session was refused; send QUIT")

// RefuseGreeting replaces the greeting by r, before anything is read. A
// 4xx reply ends the session at once (RFC 5321 §3.8, "421 ... closing
// transmission channel"). A 5xx reply (554, say) is RFC 5321 §3.1's refusal
// in lieu of the greeting: the server keeps the connection until the
// client's QUIT and answers every other command 503, within the error
// limit; ActClose then carries ErrRefused. Calling it after the session
// has read input, or with a positive reply, is a driver bug: it panics.
func (c *Conn) RefuseGreeting(rep codec.Reply) {
	if c.state != StateConnected || c.w > 0 || rep.Code < 400 || rep.Code > 599 {
		panic("fsm: RefuseGreeting after input or with a positive reply")
	}
	c.out = c.out[:0]
	c.refused = true
	c.queue(rep)
	if rep.Code < 500 {
		c.close(ErrRefused)
	}
}

// quitCause is what ends a session at QUIT: nil, or ErrRefused for a
// session refused at connection time.
func (c *Conn) quitCause() error {
	if c.refused {
		return ErrRefused
	}
	return nil
}
