package transport

import (
	"io"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/internal/dispatch"
)

// stream is the message the DATA hook reads, on the session's goroutine,
// as a net/http handler reads its request's body: each Read takes the
// next bytes the core decoded, and when the core has none it drives the
// session on (writes the replies queued, reads the client's next bytes)
// until it has. Nothing is gathered: the hook reads the core's own buffer,
// so memory stays flat whatever the size of the message.
//
// The stream ends with io.EOF at the end of data; with the core's cause
// when the core refuses the message (fsm.ErrMessageTooBig, ...); with
// io.ErrUnexpectedEOF when the client goes, the session is stopped at once,
// or the transaction ends before the message does (RSET, QUIT or a new
// greeting between BDAT chunks). The action that ended it (the question of
// the message's final reply, a command, the close) is held for the
// driver's loop, which carries it out once the hook has returned.
type stream struct {
	c        *conn
	chunk    []byte // the rest of the chunk in hand: the core's memory
	end      error  // how the stream ended; nil while it is open
	deadline dispatch.CallDeadline
}

// deliver runs the DATA hook on the message whose first chunk the core
// hands out (ActBody's Data), and settles the message once the hook
// returns. A message the core refused before any chunk (ActBody's Err)
// never reaches a hook: the core answers it by itself.
func (c *conn) deliver(chunk []byte, refused error) {
	if refused != nil || !c.calls.HasDATAHook() {
		return
	}
	s := &c.msg
	*s = stream{c: c, chunk: chunk}
	c.timeMessage(s)
	c.settle(s)
	c.rearm = true
}

// settle acts on how the hook left the message: read whole (its answer
// waits for the final reply's question, held for the loop), failed (the
// core answers by itself; a panic still ends the session), or left before
// its end, which the client is told of after the core has discarded the
// rest (never a 250 for a message the hook did not read whole).
func (c *conn) settle(s *stream) {
	for s.end == nil && len(s.chunk) == 0 {
		s.pull() // the hook may have read every byte without asking for the end
	}
	switch {
	case s.end == io.EOF:
		return
	case s.end != nil:
		if d, closing := c.calls.Failed(); closing {
			c.abortWith(d.Reply)
		}
		return
	}
	d := c.calls.Refusal()
	if d.Close {
		c.abortWith(d.Reply)
		return
	}
	c.core.AbortData(d.Reply)
}

// abortWith ends the session at once with a handler's last words (a
// panic's 421), unless it is being stopped, whose words the core says.
func (c *conn) abortWith(rep codec.Reply) {
	c.holding = false
	if c.stoppedHard() {
		return // the loop aborts with the core's own reply
	}
	c.core.Abort(fsm.ErrHookClosed, rep)
}

// Read copies the message's next bytes into p; after the last one it
// returns io.EOF, or the error that ended the message early.
func (s *stream) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(s.chunk) == 0 {
		if s.end != nil {
			return 0, s.end
		}
		s.pull()
	}
	n := copy(p, s.chunk)
	s.chunk = s.chunk[n:]
	return n, nil
}

// WriteTo writes the rest of the message to w straight from the core's
// buffer, with no copy of its own (io.Copy uses it).
func (s *stream) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		for len(s.chunk) == 0 {
			if s.end == io.EOF {
				return total, nil
			}
			if s.end != nil {
				return total, s.end
			}
			s.pull()
		}
		n, err := w.Write(s.chunk)
		total += int64(n)
		s.chunk = s.chunk[n:]
		if err != nil {
			return total, err
		}
	}
}

// Ended reports how the stream ended; nil while it is open.
func (s *stream) Ended() error { return s.end }

// SetDeadline is given the hook call's time limit, which a wait for the
// client suspends.
func (s *stream) SetDeadline(d dispatch.CallDeadline) { s.deadline = d }

// pull carries out one action of the core on the stream's behalf.
func (s *stream) pull() {
	c := s.c
	if c.stoppedHard() {
		s.end = io.ErrUnexpectedEOF // the hook's context is cancelled already
		return
	}
	a := c.core.Next()
	switch a.Kind {
	case fsm.ActBody:
		s.chunk, s.end = a.Data, a.Err
	case fsm.ActNeedData:
		s.deadline.Waiting(true)
		c.needData()
		s.deadline.Waiting(false)
	case fsm.ActAsk:
		s.question(&a)
	case fsm.ActClose: // the client went, or its time ran out
		c.calls.StopHook()
		s.hold(&a, io.ErrUnexpectedEOF)
	default: // ActStartTLS, refused inside a transaction
		s.hold(&a, io.ErrUnexpectedEOF)
	}
}

// question answers a command between two BDAT chunks that leaves the
// message going (NOOP, VRFY, a custom command); the question of the final
// reply ends the stream whole; any other ends the transaction first.
func (s *stream) question(a *fsm.Action) {
	switch a.Ask.Hook {
	case fsm.HookNOOP, fsm.HookVRFY, fsm.HookCommand:
		s.c.answer(&a.Ask)
	case fsm.HookDATA:
		s.hold(a, io.EOF)
	default:
		s.hold(a, io.ErrUnexpectedEOF)
	}
}

// hold ends the stream with end and leaves a for the driver's loop.
func (s *stream) hold(a *fsm.Action, end error) {
	s.c.held, s.c.holding = *a, true
	s.end = end
}
