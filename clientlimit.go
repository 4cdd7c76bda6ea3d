package gosmtpd

import (
	"net"
	"sync"
)

// clientSlots counts the sessions of each client address, for
// MaxConnectionsPerClient (Postfix's smtpd_client_connection_count_limit):
// one client must not take every slot of the server from the others.
type clientSlots struct {
	limit int
	mu    sync.Mutex
	held  map[string]int // sessions per client IP; absent once none
}

func newClientSlots(limit int) *clientSlots {
	if limit <= 0 {
		return nil
	}
	return &clientSlots{limit: limit, held: map[string]int{}}
}

// acquire takes a slot for the client at addr; false when it holds all of
// its own. A nil clientSlots has no limit.
func (c *clientSlots) acquire(addr net.Addr) (release func(), ok bool) {
	if c == nil {
		return func() {}, true
	}
	ip := clientIP(addr)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held[ip] >= c.limit {
		return nil, false
	}
	c.held[ip]++
	return func() { c.release(ip) }, true
}

func (c *clientSlots) release(ip string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held[ip]--; c.held[ip] <= 0 {
		delete(c.held, ip)
	}
}

// clientIP is the address a client is counted under: its IP without the
// port (a Unix socket peer: the whole address, usually empty).
func clientIP(addr net.Addr) string {
	if addr == nil {
		return ""
	}
	if host, _, err := net.SplitHostPort(addr.String()); err == nil {
		return host
	}
	return addr.String()
}
