package load

import (
	"io"
	"net"
	"syscall"
)

// sockReader is the reader under a plain TCP session's bufio.Reader. A
// command whose reply is read next is not written at once: the read writes
// it inside syscall.RawConn.Read and then waits for the socket to become
// readable, where a Write and then a Read would first try the socket once
// for nothing (EAGAIN, the reply cannot be there yet). The poller records
// readiness from the start of RawConn.Read, before the write, so the reply
// is never missed. That saves the client about one system call per reply,
// so that the client sets the pace less and the server more.
type sockReader struct {
	conn    net.Conn
	rc      syscall.RawConn
	pending []byte // written by the next Read, before it reads

	// the callback's results
	p       []byte
	n       int
	err     error
	written bool
	read    func(fd uintptr) bool
}

// newSockReader returns the reader for c, or nil when c is not a socket.
func newSockReader(c net.Conn) *sockReader {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &sockReader{conn: c, rc: rc}
	r.read = r.step
	return r
}

// Read writes the pending command, if any, then reads what arrived.
func (r *sockReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.p, r.n, r.err, r.written = p, 0, nil, r.pending == nil
	if err := r.rc.Read(r.read); err != nil {
		return 0, err
	}
	r.p = nil
	return r.n, r.err
}

// step is the RawConn.Read callback: true once the read is done.
func (r *sockReader) step(fd uintptr) bool {
	if !r.written {
		b := r.pending
		r.pending, r.written = nil, true
		if _, r.err = r.conn.Write(b); r.err != nil {
			return true
		}
		return false // the reply cannot be there yet: wait for it
	}
	for {
		n, err := syscall.Read(int(fd), r.p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return false
		case err != nil:
			r.err = err
		case n == 0:
			r.err = io.EOF
		}
		r.n = max(n, 0)
		return true
	}
}

// flush writes a pending command now.
func (r *sockReader) flush() error {
	if r.pending == nil {
		return nil
	}
	b := r.pending
	r.pending = nil
	_, err := r.conn.Write(b)
	return err
}
