package transport

import (
	"errors"
	"net"
	"os"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
)

// read reads once into the core's buffer, under the read deadline.
func (c *conn) read() {
	if c.noticeStop() {
		return // the core acts on it first
	}
	c.armDeadline()
	if c.aborting.Load() || c.noticeStop() {
		return // asked while the deadline was being set
	}
	n, err := c.input.read()
	if n > 0 {
		c.received(n)
		return // an error comes back on the next read
	}
	if err != nil {
		c.readFailed(err)
	}
}

// noticeStop passes a graceful end, once asked, to the core, which ends
// the session at the next command boundary (after a transaction in
// flight); true the first time only.
func (c *conn) noticeStop() bool {
	if c.stopSeen || !c.stopping.Load() {
		return false
	}
	c.stopMu.Lock()
	c.stopSeen = true
	c.raw.SetReadDeadline(c.deadline) // undo the interruption, set before
	c.stopMu.Unlock()
	c.core.Shutdown()
	c.probing = false
	return true
}

func (c *conn) readFailed(err error) {
	switch {
	case c.aborting.Load():
		// serve sees it and ends the session at once
	case isTimeout(err) && c.noticeStop():
		// the interruption of a graceful end, not the client's fault
	case isTimeout(err) && c.expiredEarly():
		// the next read waits for the session's own deadline
	case isTimeout(err):
		c.lostIn = c.core.State()
		c.core.TimedOut()
	default:
		c.peerGone()
	}
}

// peerGone tells the core the client went, noting where the session stood
// for the log (a transaction it abandons is worth telling the operator).
func (c *conn) peerGone() {
	c.lostIn = c.core.State()
	c.core.ReceiveEOF()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// received accounts for n bytes read: inside a message body every read
// renews the deadline (RFC 5321 §4.5.3.2.5, a timeout per block); in
// commands only a complete command does (see armDeadline).
func (c *conn) received(n int) {
	if !c.inBody() {
		return
	}
	c.dataBytes += int64(n)
	c.rearm = true
}

func (c *conn) inBody() bool {
	st := c.core.State()
	return st == fsm.StateData || st == fsm.StateChunking
}

// armDeadline works out the session's read deadline (due) when it made
// progress: a command was answered, or body bytes arrived. Bytes of an
// unfinished command do not renew it, so a client trickling a command one
// byte at a time is cut off when its time is up (slowloris).
func (c *conn) armDeadline() {
	if !c.rearm {
		return
	}
	c.rearm = false
	now := time.Now()
	if !c.inBody() {
		c.dataStart = time.Time{}
	}
	timeout := c.core.Timeout()
	want := now.Add(timeout)
	if c.o.MinDataRate > 0 && c.inBody() {
		if c.dataStart.IsZero() {
			c.dataStart, c.dataBytes = now, 0
		}
		rate := time.Duration(c.dataBytes) * time.Second / time.Duration(c.o.MinDataRate)
		want = minTime(want, c.dataStart.Add(timeout+rate))
	}
	d, move := moveDeadline(c.deadline, want, timeout)
	c.due = d
	if move && (c.deadline.IsZero() || d.Before(c.deadline)) {
		c.deadline, c.probing = d, false
		c.raw.SetReadDeadline(d)
	}
}

// expiredEarly reports whether the read deadline that expired was earlier
// than the session's own, and then puts the session's own in force for
// the next read. armDeadline moves the deadline in force only when it is
// too late: one earlier than wanted is left, since it costs a timer reset
// on every move and most never expire (a session alternating between the
// command timeout and the shorter data timeout would reset it twice a
// message); the rare one that expires first costs this instead.
func (c *conn) expiredEarly() bool {
	if !time.Now().Before(c.due) {
		return false
	}
	c.deadline, c.probing = c.due, false
	c.raw.SetReadDeadline(c.due)
	return true
}

// deadlineSlack is how late a deadline may fall, as a fraction of its
// timeout (a 5-minute timeout fires at most 300 ms late): within it the
// deadline in force is kept, so that a session answering commands in quick
// succession does not reset a timer for each read and write.
const deadlineSlack = 1000

// moveDeadline returns the deadline to set when it should be want, and
// whether cur, the one in force, must be replaced: when it is earlier than
// want, never, or later than want plus the slack.
func moveDeadline(cur, want time.Time, timeout time.Duration) (time.Time, bool) {
	slack := timeout / deadlineSlack
	if !cur.Before(want) && !cur.After(want.Add(slack)) {
		return cur, false
	}
	return want.Add(slack), true
}

// armWriteDeadline sets the deadline of a write of replies. The last
// words of a session ended at once get a short one of their own, set
// whatever was in force: the interruption set a deadline in the past.
func (c *conn) armWriteDeadline() {
	if c.aborting.Load() {
		c.writeDeadline = time.Now().Add(abortWriteTimeout)
		c.raw.SetWriteDeadline(c.writeDeadline)
		return
	}
	timeout := orDefault(c.o.WriteTimeout, defaultWriteTimeout)
	if d, move := moveDeadline(c.writeDeadline, time.Now().Add(timeout), timeout); move {
		c.writeDeadline = d
		c.raw.SetWriteDeadline(d)
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// flush writes the queued replies in one write; false once the peer is
// gone (a write failed or timed out: nothing more is written).
func (c *conn) flush() bool {
	if c.writeErr != nil {
		c.wbuf = c.core.AppendOutbound(c.wbuf[:0]) // dropped: it can no longer be sent
		return false
	}
	if c.core.Outbound() == 0 {
		return true
	}
	c.wbuf = c.core.AppendOutbound(c.wbuf[:0])
	if c.trace {
		c.traceReplies(c.wbuf)
	}
	c.armWriteDeadline()
	if _, err := c.nc.Write(c.wbuf); err != nil {
		c.writeErr = err
		return false
	}
	c.rearm, c.replied = true, true
	return true
}
