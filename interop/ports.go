package interop

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// PortLedger makes sure that no two sessions against one server use the
// same client port. Messages are matched to their session by the client
// port in their X-Peer line, and once a session has ended the kernel may
// hand its port to a later one: the two sessions' messages would then be
// mixed up.
type PortLedger struct {
	mu   sync.Mutex
	used map[serverPort]bool
	dial func(addr string, timeout time.Duration) (net.Conn, error) // net.DialTimeout's TCP when nil
}

// serverPort is a client port used against the server at addr.
type serverPort struct {
	addr string
	port int
}

// maxPortRetries bounds the dials for a fresh port; the kernel spreads its
// choices, so more than one retry is already rare.
const maxPortRetries = 64

// errNoFreshPort is a Dial that found only used ports: the session's
// messages could not be told from an earlier one's.
var errNoFreshPort = errors.New("interop: no fresh client port")

// Dial connects to addr from a client port no earlier Dial through l used
// for addr. The connections that came with a used port stay open until a
// fresh one is found, so that the kernel cannot offer the same port again.
func (l *PortLedger) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	var spares []net.Conn
	defer func() {
		for _, c := range spares {
			c.Close()
		}
	}()
	for range maxPortRetries {
		conn, err := l.dialOnce(addr, timeout)
		if err != nil || l.claim(addr, localPort(conn)) {
			return conn, err
		}
		spares = append(spares, conn)
	}
	return nil, fmt.Errorf("%w for %s after %d dials", errNoFreshPort, addr, maxPortRetries)
}

// dialOnce makes one connection to addr.
func (l *PortLedger) dialOnce(addr string, timeout time.Duration) (net.Conn, error) {
	if l.dial != nil {
		return l.dial(addr, timeout)
	}
	return net.DialTimeout("tcp", addr, timeout)
}

// claim records port as used for addr, and reports whether it was fresh.
func (l *PortLedger) claim(addr string, port int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := serverPort{addr, port}
	if l.used[key] {
		return false
	}
	if l.used == nil {
		l.used = map[serverPort]bool{}
	}
	l.used[key] = true
	return true
}

// localPort is the client port of conn.
func localPort(conn net.Conn) int {
	return conn.LocalAddr().(*net.TCPAddr).Port
}
