package transport

import (
	"io"
	"syscall"
	"time"
)

// socketInput reads a plain socket's descriptor itself, through
// syscall.RawConn.Read. The point is the read after a reply: a client that
// waits for it has sent nothing yet, and a plain Read would try the socket
// once for nothing (EAGAIN) before waiting. Here, once replies are written
// after a read that did not fill the buffer (so the socket was empty), the
// read waits for the poller to say the socket is readable again and only
// then reads. Go's poller records readiness from the moment RawConn.Read
// began, so that no wake-up is lost. Without replies to wait for (a body
// streaming in), it reads first as Read does. While it waits, the core has
// lent its input buffer back (inputpool.go).
//
// A short read can also have taken the peer's FIN with its last bytes,
// which no later wake-up reports. So such a wait is bounded by a probe, at
// most probeDelay after the read: if nothing arrives by then, the driver
// reads once, and either finds the end of the stream or knows the socket
// empty and waits under the read deadline alone.
type socketInput struct {
	c    *conn
	rc   syscall.RawConn
	step func(fd uintptr) bool // one closure for the session

	n        int   // what the read got
	err      error // ... or why it got nothing
	waited   bool  // step returned false to wait for the socket
	mustRead bool  // the socket may hold unread bytes
	emptied  bool  // ... or the last read found it empty (EAGAIN)
}

func newSocketInput(c *conn) *socketInput {
	rc := rawConn(c.raw)
	if rc == nil {
		return nil
	}
	in := &socketInput{c: c, rc: rc, mustRead: true}
	in.step = in.stepFD
	return in
}

func (in *socketInput) read() (int, error) {
	in.n, in.err, in.waited = 0, nil, false
	for {
		err := in.rc.Read(in.step)
		if err == nil {
			return in.n, in.err
		}
		if !in.c.probeExpired(err) {
			return 0, err
		}
		in.mustRead = true // read once, to tell an empty socket from its end
	}
}

// stepFD is the RawConn.Read callback: true once a read got bytes, the end
// of the stream or an error; false to wait until the socket is readable
// (RawConn.Read waits, then calls it again).
func (in *socketInput) stepFD(fd uintptr) bool {
	c := in.c
	if in.waited {
		in.mustRead = true // readable, or not known to be empty
	}
	if !in.mustRead && c.replied {
		return in.await()
	}
	buf := c.core.Fill() // borrows a buffer, lent back while waiting
	n, err := readFD(fd, buf)
	switch {
	case err == syscall.EAGAIN:
		c.core.Filled(0) // lends the buffer back for the wait
		in.mustRead, in.emptied = false, true
		return in.await()
	case n > 0:
		c.core.Filled(n)
		in.n = n
		in.mustRead = n == len(buf) // a short read emptied the socket
		in.emptied, c.replied = false, false
	case err != nil:
		in.err = err
	default:
		in.err = io.EOF
	}
	return true
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

// await sets the deadline of the wait ahead and returns false: a probe's after a short read, the read deadline once a
// read found the socket empty. A probe in force is moved only when half
// its delay has passed, so that a session answering commands in quick
// succession does not reset a timer for each.
func (in *socketInput) await() bool {
	c := in.c
	in.waited = true
	if in.emptied {
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
