package transport

import (
	"net"
	"syscall"
)

// input is where the driver reads the client's bytes: read reads once into
// the core's input buffer and returns how many bytes it added, under the
// read deadline already set. An error is returned only with n == 0; the
// end of the stream is io.EOF. (0, nil) is a read that got nothing.
type input interface {
	read() (n int, err error)
}

// newInput chooses how to read the connection: its descriptor itself for
// a plain socket (socket.go), else through c.nc (TLS, a PROXY header's
// leftover bytes, net.Pipe).
func (c *conn) newInput() input {
	if c.nc == c.raw {
		if in := newSocketInput(c); in != nil {
			return in
		}
	}
	return connInput{c}
}

// connInput reads through net.Conn.Read.
type connInput struct{ c *conn }

func (in connInput) read() (int, error) {
	c := in.c
	n, err := c.nc.Read(c.core.Fill())
	c.core.Filled(n)
	return n, err
}

// rawConn returns the connection's descriptor access, nil when it has none.
func rawConn(nc net.Conn) syscall.RawConn {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
