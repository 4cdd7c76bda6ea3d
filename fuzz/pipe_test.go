package fuzz

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// hangTimeout bounds a whole session: past it the input fails as a hang.
// It is a detector, never reached by a session that behaves.
const hangTimeout = 10 * time.Second

// serverEnd is the server's end of a net.Pipe with a half close: once the
// client has written everything (net.Pipe's Write returns only when the
// server has read all of it), endInput makes the server's reads return
// io.EOF while its writes still reach the client. The client then sees
// every reply the end of its input causes, and nothing depends on a
// timeout.
type serverEnd struct {
	net.Conn
	mu    sync.Mutex
	ended bool
}

var past = time.Unix(1, 0)

func (s *serverEnd) Read(p []byte) (int, error) {
	n, err := s.Conn.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) && s.inputEnded() {
		return n, io.EOF
	}
	return n, err
}

func (s *serverEnd) inputEnded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

// endInput is the client's half close.
func (s *serverEnd) endInput() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
	s.Conn.SetReadDeadline(past)
}

func (s *serverEnd) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		t = past
	}
	return s.Conn.SetReadDeadline(t)
}

func (s *serverEnd) SetDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		s.Conn.SetReadDeadline(past)
		return s.Conn.SetWriteDeadline(t)
	}
	return s.Conn.SetDeadline(t)
}

// link is a connection between the fuzz client and the server.
type link struct {
	server, client net.Conn
	// endInput is the client's half close: the server reads io.EOF once it
	// has read everything, and its writes still reach the client.
	endInput func()
}

// pipe returns the server's end, with its half close, and the client's,
// which fails a session that hangs. net.Pipe's Write returns only when the
// server has read all of it: each of the client's writes is a read of the
// server.
func pipe() (*serverEnd, net.Conn) {
	srv, cli := net.Pipe()
	cli.SetDeadline(time.Now().Add(hangTimeout))
	return &serverEnd{Conn: srv}, cli
}

// pipeLink is a pipe as a link.
func pipeLink() link {
	srv, cli := pipe()
	return link{server: srv, client: cli, endInput: srv.endInput}
}

// socketPair links them with a Unix socket pair: the server's end is a
// real socket, which the driver reads through its raw path
// (transport/rawread.go), the kernel buffering and joining the client's
// writes.
func socketPair() (link, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return link{}, err
	}
	srv, err := fileConn(fds[0])
	if err != nil {
		syscall.Close(fds[1])
		return link{}, err
	}
	cli, err := fileConn(fds[1])
	if err != nil {
		srv.Close()
		return link{}, err
	}
	cli.SetDeadline(time.Now().Add(hangTimeout))
	return link{server: srv, client: cli, endInput: func() { cli.(*net.UnixConn).CloseWrite() }}, nil
}

// fileConn makes a net.Conn of a socket descriptor, which it takes over.
func fileConn(fd int) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), "socket")
	defer f.Close()
	return net.FileConn(f)
}

// writePieces writes in in pieces: piece i is cuts[i%len(cuts)]+1 bytes
// long, or in whole without cuts. It stops at the first failed write (the
// server closed the connection) and reports that error when it is not the
// server's end of the session.
func writePieces(w io.Writer, in, cuts []byte) error {
	for i := 0; len(in) > 0; i++ {
		n := len(in)
		if len(cuts) > 0 {
			n = min(int(cuts[i%len(cuts)])+1, n)
		}
		if _, err := w.Write(in[:n]); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return err
			}
			return nil
		}
		in = in[n:]
	}
	return nil
}
