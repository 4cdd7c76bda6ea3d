package transport

import (
	"syscall"
	"time"
)

// serveRaw runs the session on the socket's own descriptor, inside
// syscall.RawConn.Read, when the connection is a plain socket (not TLS, not
// behind a PROXY header's leftover bytes). The point is the read after a
// reply: a client that waits for it has sent nothing yet, and a plain Read
// would try the socket once for nothing (EAGAIN) before waiting. Here, once
// replies are written after a read that did not fill the buffer (so the
// socket was empty), the driver waits for the poller to say the socket is
// readable again and only then reads. Go's poller records readiness from
// the moment RawConn.Read began, so that no wake-up is lost: bytes that
// arrive at any time after the last read wake the wait at once. Without
// replies to wait for (a body streaming in), it reads first as Read does.
//
// A short read can also have taken the peer's FIN with its last bytes,
// which no later wake-up reports. So such a wait is bounded by a probe, at
// most probeDelay after the read: if nothing arrives by then, the driver
// reads once, and either finds the end of the stream or knows the socket
// empty and waits under the read deadline alone.
//
// done reports whether the session ended here, with err its cause; if not,
// the caller goes on with c.nc: after an upgrade to TLS, or once a wait
// failed (a deadline passed or the session is being stopped), which is
// handed to readFailed as a Read's error would be.
func (c *conn) serveRaw() (err error, done bool) {
	sc, ok := c.raw.(syscall.Conn)
	if !ok || c.nc != c.raw {
		return nil, false
	}
	rc, rerr := sc.SyscallConn()
	if rerr != nil {
		return nil, false
	}
	step := c.stepRaw // one closure for the session
	for {
		c.waited = false
		rerr = rc.Read(step)
		if c.rawDone || rerr == nil || !c.probeExpired(rerr) {
			break
		}
	}
	switch {
	case c.rawDone:
	case c.tlsPending:
		c.tlsPending = false
		c.endProbe() // crypto/tls reads under the read deadline
		c.startTLS()
	case rerr != nil:
		c.readFailed(rerr)
	}
	return c.rawErr, c.rawDone
}

// stepRaw is the RawConn.Read callback: it runs the core until the session
// ends (true), leaves for STARTTLS (true), or must wait for the socket
// (false: RawConn.Read waits, then calls it again).
func (c *conn) stepRaw(fd uintptr) bool {
	c.fd, c.mustRead = fd, true // readable, or not known to be empty
	if c.waited {
		c.readRaw() // where the core left off: it needs data
	}
	c.rawErr, c.rawDone = c.run(true)
	c.waited = !c.rawDone && !c.tlsPending
	return !c.waited
}

// probeDelay bounds a wait after a short read, before the driver reads once
// to tell an empty socket from one that reached its end.
const probeDelay = 50 * time.Millisecond

// probeExpired reports whether err is the end of a probe rather than of the
// session's own deadline or an interruption; the read deadline is then
// restored, for a read that will tell.
func (c *conn) probeExpired(err error) bool {
	interrupted := c.aborting.Load() || c.stopping.Load() && !c.stopSeen
	if !c.probing || !isTimeout(err) || interrupted {
		return false
	}
	c.endProbe()
	return true
}

// endProbe puts the read deadline back in force in place of a probe's.
func (c *conn) endProbe() {
	if c.probing {
		c.probing = false
		c.raw.SetReadDeadline(c.deadline)
	}
}

// readRaw is read on the descriptor: false when the driver must wait until
// the socket is readable (under the read deadline, armed first, or a
// probe's).
func (c *conn) readRaw() bool {
	if c.noticeStop() {
		return true // the core acts on it first
	}
	c.armDeadline()
	if c.aborting.Load() || c.noticeStop() {
		return true // asked while the deadline was being set
	}
	if !c.mustRead && c.replied {
		return c.awaitReadable()
	}
	c.takeInput()
	buf := c.core.Fill()
	n, err := readFD(c.fd, buf)
	switch {
	case err == syscall.EAGAIN:
		c.mustRead, c.emptied = false, true
		return c.awaitReadable()
	case n > 0:
		c.core.Filled(n)
		c.received(n)
		c.mustRead = n == len(buf) // a short read emptied the socket
		c.emptied, c.replied = false, false
	default: // end of stream, or the connection failed
		c.peerGone()
	}
	return true
}

// awaitReadable sets the deadline of the wait ahead and returns false: a
// probe's after a short read, the read deadline once a read found the
// socket empty. A probe in force is moved only when half its delay has
// passed, so that a session answering commands in quick succession does not
// reset a timer for each.
func (c *conn) awaitReadable() bool {
	c.lendInput()
	if c.emptied {
		c.endProbe()
		return false
	}
	now := time.Now()
	if c.probing && c.probeAt.Sub(now) >= probeDelay/2 {
		return false
	}
	if probe := now.Add(probeDelay); probe.Before(c.deadline) {
		c.raw.SetReadDeadline(probe)
		c.probing, c.probeAt = true, probe
	}
	return false
}

// readFD reads once from fd, again when a signal interrupted it.
func readFD(fd uintptr, p []byte) (int, error) {
	for {
		n, err := syscall.Read(int(fd), p)
		if err != syscall.EINTR {
			return n, err
		}
	}
}
