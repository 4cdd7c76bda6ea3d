// Package tcp makes TCP listeners for SMTP servers: "localhost" binds the
// loopback of both IPv4 and IPv6, an empty host binds every interface, port
// 0 picks a free port, and the bound address is reported.
package tcp

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sync/errgroup"
)

// Listen listens on addr, "host:port":
//
//   - host "localhost" binds 127.0.0.1 and ::1 on the same port (only
//     127.0.0.1 when the host has no IPv6), so that clients that resolve
//     localhost to either address find the server;
//   - an empty host binds every interface of both families;
//   - any other host binds the address it names;
//   - port 0 picks a free port, the same on both loopback addresses.
//
// Addr reports the bound address, with the port picked.
func Listen(addr string) (*Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host != "localhost" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, err
		}
		return newListener(l), nil
	}
	return listenLoopback(port)
}

// portAttempts bounds the retries when the port picked on 127.0.0.1 turns
// out to be taken on ::1.
const portAttempts = 8

func listenLoopback(port string) (*Listener, error) {
	for attempt := 0; ; attempt++ {
		v4, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", port))
		if err != nil {
			return nil, err
		}
		p := strconv.Itoa(v4.Addr().(*net.TCPAddr).Port)
		v6, err := net.Listen("tcp6", net.JoinHostPort("::1", p))
		switch {
		case err == nil:
			return newListener(v4, v6), nil
		case !errors.Is(err, syscall.EADDRINUSE):
			return newListener(v4), nil // no IPv6 loopback here
		case port != "0" || attempt == portAttempts-1:
			v4.Close()
			return nil, err
		}
		v4.Close() // the free port on 127.0.0.1 is taken on ::1: pick another
	}
}

// Listener is a net.Listener over one or more sockets. With several, an
// accept loop per socket (in an errgroup) feeds Accept.
type Listener struct {
	sockets []net.Listener
	conns   chan accepted // from the accept loops; nil with one socket
	done    chan struct{}
	group   errgroup.Group
	once    sync.Once
}

type accepted struct {
	conn net.Conn
	err  error
}

func newListener(sockets ...net.Listener) *Listener {
	l := &Listener{sockets: sockets, done: make(chan struct{})}
	if len(sockets) == 1 {
		return l
	}
	l.conns = make(chan accepted)
	for _, s := range sockets {
		l.group.Go(func() error { return l.acceptLoop(s) })
	}
	return l
}

// acceptLoop passes on what s accepts, errors included (the caller backs
// off on temporary ones), until s is closed.
func (l *Listener) acceptLoop(s net.Listener) error {
	for {
		c, err := s.Accept()
		select {
		case l.conns <- accepted{c, err}:
		case <-l.done:
			if c != nil {
				c.Close()
			}
			return nil
		}
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
	}
}

// Accept waits for the next connection on any socket.
func (l *Listener) Accept() (net.Conn, error) {
	if l.conns == nil {
		return l.sockets[0].Accept()
	}
	select {
	case a := <-l.conns:
		return a.conn, a.err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close closes every socket and waits for the accept loops to end.
func (l *Listener) Close() error {
	var err error
	l.once.Do(func() {
		close(l.done)
		for _, s := range l.sockets {
			err = errors.Join(err, s.Close())
		}
		err = errors.Join(err, l.group.Wait())
	})
	return err
}

// Addr returns the address of the first socket (127.0.0.1 for
// "localhost").
func (l *Listener) Addr() net.Addr { return l.sockets[0].Addr() }

// Addrs returns the addresses of every socket. The slice is new.
func (l *Listener) Addrs() []net.Addr {
	addrs := make([]net.Addr, len(l.sockets))
	for i, s := range l.sockets {
		addrs[i] = s.Addr()
	}
	return addrs
}
