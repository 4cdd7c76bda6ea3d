package gosmtpd

import (
	"net"
	"net/netip"
	"testing"
)

// Clients are IPv4 addresses and IPv6 prefixes: one host holding a /64
// is one client, whatever address of it it connects from.
func TestClientGrouping(t *testing.T) {
	tcp := func(s string) net.Addr { return net.TCPAddrFromAddrPort(mustAddrPort(t, s)) }
	for _, tc := range []struct {
		bits int
		a, b string
		same bool
	}{
		{64, "[2001:db8::1]:25", "[2001:db8::ffff:2]:25", true},
		{64, "[2001:db8:0:1::1]:25", "[2001:db8:0:2::1]:25", false},
		{48, "[2001:db8:0:1::1]:25", "[2001:db8:0:2::1]:25", true},
		{128, "[2001:db8::1]:25", "[2001:db8::2]:25", false},
		{64, "192.0.2.1:25", "192.0.2.2:25", false},
		{64, "192.0.2.1:25", "[::ffff:192.0.2.1]:26", true},
	} {
		g := clientGrouping{ipv6Bits: tc.bits}
		ka, _ := g.of(tcp(tc.a))
		kb, _ := g.of(tcp(tc.b))
		if (ka == kb) != tc.same {
			t.Errorf("/%d: %s is %v, %s is %v; same client: %v, want %v", tc.bits, tc.a, ka, tc.b, kb, ka == kb, tc.same)
		}
	}
	if _, ok := (clientGrouping{64}).of(&net.UnixAddr{Name: "@", Net: "unix"}); ok {
		t.Error("a Unix socket peer was counted as a client")
	}
}

// The per-client cap refuses a client its 51st session, never another's.
func TestClientSlots(t *testing.T) {
	c := newClientSlots(2, clientGrouping{64})
	a := net.TCPAddrFromAddrPort(mustAddrPort(t, "[2001:db8::1]:1"))
	a2 := net.TCPAddrFromAddrPort(mustAddrPort(t, "[2001:db8::2]:1"))
	other := net.TCPAddrFromAddrPort(mustAddrPort(t, "[2001:db8:1::1]:1"))
	r1, ok1 := c.acquire(a)
	_, ok2 := c.acquire(a2)
	_, ok3 := c.acquire(a)
	_, ok4 := c.acquire(other)
	if !ok1 || !ok2 || ok3 || !ok4 {
		t.Fatalf("acquired %v %v %v %v, want true true false true", ok1, ok2, ok3, ok4)
	}
	r1()
	if _, ok := c.acquire(a); !ok {
		t.Fatal("a freed slot was not the client's again")
	}
}

func mustAddrPort(t *testing.T, s string) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		t.Fatal(err)
	}
	return ap
}
