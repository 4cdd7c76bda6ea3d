package gosmtpd

import (
	"net"
	"net/netip"
	"sync"
)

// defaultMaxConnectionsPerClient is Postfix's
// smtpd_client_connection_count_limit.
const defaultMaxConnectionsPerClient = 50

// defaultClientIPv6Prefix groups IPv6 clients by /64: one host is usually
// given a whole /64 and may use any address in it (RFC 4941 temporary
// addresses), so a longer prefix would let it pass for many clients.
const defaultClientIPv6Prefix = 64

// clientSlots counts the sessions of each client, for
// MaxConnectionsPerClient (Postfix's smtpd_client_connection_count_limit):
// one client must not take every slot of the server from the others.
type clientSlots struct {
	limit int
	group clientGrouping
	mu    sync.Mutex
	held  map[netip.Addr]int // sessions per client; absent once none
}

func newClientSlots(limit int, group clientGrouping) *clientSlots {
	if limit <= 0 {
		return nil
	}
	return &clientSlots{limit: limit, group: group, held: map[netip.Addr]int{}}
}

// acquire takes a slot for the client at addr; false when it holds all of
// its own. A nil clientSlots has no limit, and peers without an IP address
// (a Unix socket's, all local) are not counted.
func (c *clientSlots) acquire(addr net.Addr) (release func(), ok bool) {
	if c == nil {
		return func() {}, true
	}
	key, isIP := c.group.of(addr)
	if !isIP {
		return func() {}, true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held[key] >= c.limit {
		return nil, false
	}
	c.held[key]++
	return func() { c.release(key) }, true
}

func (c *clientSlots) release(key netip.Addr) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held[key]--; c.held[key] <= 0 {
		delete(c.held, key)
	}
}

// clientGrouping says which addresses count as one client: an IPv4
// address alone, an IPv6 address by its first ipv6Bits bits (Postfix's
// smtpd_client_ipv6_prefix_length).
type clientGrouping struct{ ipv6Bits int }

// of returns the client addr belongs to; false for a peer without an IP
// address.
func (g clientGrouping) of(addr net.Addr) (netip.Addr, bool) {
	ip, ok := peerIP(addr)
	if !ok {
		return netip.Addr{}, false
	}
	return g.ofIP(ip), true
}

// ofIP returns the client ip (unmapped) belongs to.
func (g clientGrouping) ofIP(ip netip.Addr) netip.Addr {
	if ip.Is4() {
		return ip
	}
	if p, err := ip.Prefix(g.ipv6Bits); err == nil {
		return p.Addr()
	}
	return ip
}

// peerIP is the IP address of a TCP peer, an IPv4-mapped IPv6 address as
// IPv4.
func peerIP(addr net.Addr) (netip.Addr, bool) {
	var ip netip.Addr
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip = a.AddrPort().Addr()
	case nil:
		return ip, false
	default:
		ap, err := netip.ParseAddrPort(a.String())
		if err != nil {
			return ip, false
		}
		ip = ap.Addr()
	}
	return ip.Unmap(), ip.IsValid()
}

// clientIP is a peer's IP address for the logs, or its whole address when
// it has none.
func clientIP(addr net.Addr) string {
	if ip, ok := peerIP(addr); ok {
		return ip.String()
	}
	if addr == nil {
		return ""
	}
	return addr.String()
}

// hostOf is the host of a "host:port" address, or the whole of it.
func hostOf(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// acquireClient takes a per-client slot for a connection from peer; a
// trusted PROXY protocol peer takes none here: its clients are counted
// once its header names them (admitProxied).
func (s *Server) acquireClient(peer net.Addr) (release func(), ok bool) {
	if s.Proxy != nil && (s.Proxy.Trusted == nil || s.Proxy.Trusted(peer)) {
		return func() {}, true
	}
	return s.perClient.acquire(peer)
}

// admitProxied is transport.Options.AdmitProxied: the per-client limit,
// counted on the client a trusted peer's PROXY header names. A header
// without addresses (a balancer's health check) is not counted.
func (s *Server) admitProxied(client netip.AddrPort) (func(), Reply, bool) {
	if !client.IsValid() {
		return func() {}, Reply{}, true
	}
	addr := net.TCPAddrFromAddrPort(client)
	release, ok := s.perClient.acquire(addr)
	if !ok {
		s.refused(addr, limitClientConnections)
		return nil, tooManyFromClient(s.opts.Core.Hostname), false
	}
	return release, Reply{}, true
}
