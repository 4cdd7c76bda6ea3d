package attacks_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// proxiedFrom connects from the loopback address ip, sends a PROXY v1
// header naming source, and returns the client with its first reply.
func proxiedFrom(t testing.TB, ip, addr, source string) (*client, string) {
	t.Helper()
	c := dialFrom(t, ip, addr)
	c.Write(testkit.ProxyHeader(t, 1, source, "192.0.2.25:25"))
	return c, c.Reply()
}

// deliverPrinted sends one message and waits for the debugging handler to
// print it, returning what it printed.
func deliverPrinted(t testing.TB, c *client, p *command) string {
	t.Helper()
	from := p.Stdout.Len()
	c.transaction()
	c.Send("Subject: who am I", "", "x", ".")
	c.Expect("250 ")
	c.Send("QUIT")
	c.Expect("221 ")
	deadline := time.Now().Add(5 * time.Second)
	for {
		out := p.Stdout.String()[from:]
		if strings.Contains(out, "END MESSAGE") || time.Now().After(deadline) {
			return out
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// T-45: --proxy-trusted says whose PROXY headers are read (the attack: with
// --proxy-protocol any client could send one and choose its address).
// A peer outside it is greeted at once and served as itself, its header
// an unknown command; the trusted balancer's clients are served under
// their own addresses, and the per-client cap counts them, not the
// balancer: one client behind it gets its 50 sessions, the next is
// refused 421 4.7.0, while another client behind the same balancer, and
// the balancer's own 51st connection, are served.
func TestProxyHeadersFromTrustedPeersOnly(t *testing.T) {
	p := startCommand(t, 0, "--proxy-protocol", "5s", "--proxy-trusted", "127.0.0.1/32")

	c := dialFrom(t, "127.0.0.3", p.Addr)
	c.Expect("220 ")
	c.Write(testkit.ProxyHeader(t, 1, "203.0.113.9:4242", "192.0.2.25:25"))
	c.Expect("500 5.5.1")
	if out := deliverPrinted(t, c, p); !strings.Contains(out, "X-Peer: ('127.0.0.3'") {
		t.Fatalf("an untrusted peer's message was printed as:\n%s", out)
	}

	c, first := proxiedFrom(t, "127.0.0.1", p.Addr, "203.0.113.9:4242")
	if !strings.HasPrefix(first, "220 ") {
		t.Fatalf("behind the balancer: %q", first)
	}
	if out := deliverPrinted(t, c, p); !strings.Contains(out, "X-Peer: ('203.0.113.9'") {
		t.Fatalf("a proxied client's message was printed as:\n%s", out)
	}

	for i := range 50 {
		if _, first := proxiedFrom(t, "127.0.0.1", p.Addr, fmt.Sprintf("198.51.100.7:%d", 1000+i)); !strings.HasPrefix(first, "220 ") {
			t.Fatalf("session %d of one proxied client: %q", i+1, first)
		}
	}
	if _, first := proxiedFrom(t, "127.0.0.1", p.Addr, "198.51.100.7:2000"); !strings.HasPrefix(first, "421 4.7.0") {
		t.Fatalf("the 51st session of one proxied client: %q, want 421 4.7.0", first)
	}
	if _, first := proxiedFrom(t, "127.0.0.1", p.Addr, "198.51.100.8:2000"); !strings.HasPrefix(first, "220 ") {
		t.Fatalf("another proxied client, the balancer's 52nd connection: %q", first)
	}
	p.WaitLog(t, "too many connections from one client", "client=198.51.100.7")
	servedWithin(t, "127.0.0.2", p.Addr, time.Second)
}

// T-46: IPv6 clients are grouped by /64 (the attack: keyed by the full
// address, one /64 was unlimited "clients"): 50 sessions from addresses
// all over 2001:db8:0:1::/64 fill that client's share, the 51st is
// refused 421 4.7.0, and 2001:db8:0:2::1 is served. The addresses come in
// PROXY headers from a balancer on 127.0.0.1, IPv6 loopback having a
// single address. --client-ipv6-prefix 128 counts each address alone.
func TestIPv6ClientsGroupedBySlash64(t *testing.T) {
	p := startCommand(t, 0, "-c", "sink", "--proxy-protocol", "5s", "--proxy-trusted", "127.0.0.1")
	for i := range 50 {
		if _, first := proxiedFrom(t, "127.0.0.1", p.Addr, fmt.Sprintf("[2001:db8:0:1:%x::1]:4242", i+1)); !strings.HasPrefix(first, "220 ") {
			t.Fatalf("session %d from the /64: %q", i+1, first)
		}
	}
	if _, first := proxiedFrom(t, "127.0.0.1", p.Addr, "[2001:db8:0:1:ffff:ffff:ffff:ffff]:4242"); !strings.HasPrefix(first, "421 4.7.0") {
		t.Fatalf("the 51st session from the /64: %q, want 421 4.7.0", first)
	}
	if _, first := proxiedFrom(t, "127.0.0.1", p.Addr, "[2001:db8:0:2::1]:4242"); !strings.HasPrefix(first, "220 ") {
		t.Fatalf("another /64: %q", first)
	}
	servedWithin(t, "127.0.0.2", p.Addr, time.Second)

	q := startCommand(t, 0, "-c", "sink", "--proxy-protocol", "5s", "--proxy-trusted", "127.0.0.1", "--client-ipv6-prefix", "128")
	for i := range 60 {
		if _, first := proxiedFrom(t, "127.0.0.1", q.Addr, fmt.Sprintf("[2001:db8:0:1::%x]:4242", i+1)); !strings.HasPrefix(first, "220 ") {
			t.Fatalf("with --client-ipv6-prefix 128, address %d of the /64: %q", i+1, first)
		}
	}
}
