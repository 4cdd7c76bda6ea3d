package testkit

import (
	"net"
	"sync/atomic"
)

// WriteCounter is a net.Conn that counts its writes. A test wraps the
// server's side in one to see how many writes a batch of replies took
// (RFC 2920: one).
type WriteCounter struct {
	net.Conn
	Writes atomic.Int32
}

func (w *WriteCounter) Write(p []byte) (int, error) {
	w.Writes.Add(1)
	return w.Conn.Write(p)
}
