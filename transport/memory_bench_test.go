package transport_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/transport"
)

// memConn is a client that never waits: each Read hands the server the
// next batch of fully pipelined transactions, and Write drops the replies.
// What a session costs over it is the server's own work, with no system
// call and no wake-up of a peer.
type memConn struct {
	batch []byte
	left  int    // batches still to send; then the client says QUIT
	rest  []byte // what the server has not read yet: first the greeting
}

func (c *memConn) Read(p []byte) (int, error) {
	if len(c.rest) == 0 {
		switch {
		case c.left > 0:
			c.left--
			c.rest = c.batch
		case c.left == 0:
			c.left--
			c.rest = []byte("QUIT\r\n")
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, c.rest)
	c.rest = c.rest[n:]
	return n, nil
}

func (c *memConn) Write(p []byte) (int, error)        { return len(p), nil }
func (c *memConn) Close() error                       { return nil }
func (c *memConn) LocalAddr() net.Addr                { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 25} }
func (c *memConn) RemoteAddr() net.Addr               { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }

// BenchmarkSessionInMemory serves one session of b.N fully pipelined
// transactions (two a read, as a loopback client's writes arrive) over a
// connection with no system call: the server's own cost a message, the
// Sink's against a DATA hook's.
func BenchmarkSessionInMemory(b *testing.B) {
	const perBatch = 2
	for _, bc := range []struct {
		name string
		h    hooks.Handler
	}{{"Sink", handlers.Sink{}}, {"DATA hook", reader{}}} {
		b.Run(bc.name, func(b *testing.B) {
			o := options(bc.h)
			srv := transport.NewServer(o)
			c := &memConn{batch: bytes.Repeat(pipelinedTxn, perBatch), left: b.N / perBatch}
			c.rest = []byte("EHLO c\r\n")
			b.ReportAllocs()
			b.ResetTimer()
			if err := srv.ServeConn(context.Background(), c); err != nil {
				b.Fatal(err)
			}
		})
	}
}
