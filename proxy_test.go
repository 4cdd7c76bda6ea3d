package gosmtpd_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/pires/go-proxyproto"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/transport"
)

// gate is an inbox behind a load balancer: its PROXY hook refuses the
// clients of one network.
type gate struct {
	*inbox
	refuse netip.Prefix
}

func (g *gate) HandlePROXY(_ context.Context, _ *hooks.Session, info *hooks.ProxyInfo) error {
	if g.refuse.Contains(info.Source.Addr()) {
		return hooks.Reply{Code: 554, Enhanced: "5.7.1", Text: "not from there"}
	}
	return nil
}

// proxied starts a server that expects a PROXY header from peers trusted.
func proxied(t *testing.T, trusted func(net.Addr) bool, timeout time.Duration) (*gate, string) {
	t.Helper()
	g := &gate{inbox: newInbox(), refuse: netip.MustParsePrefix("198.51.100.0/24")}
	ctl := control(t, &gosmtpd.Controller{Server: &gosmtpd.Server{Handler: g,
		Proxy: &transport.ProxyOptions{Trusted: trusted, Timeout: timeout}}})
	return g, ctl.Addr().String()
}

// header renders a PROXY header from source to 192.0.2.1:25 (IPv4) or
// [2001:db8::1]:25 (IPv6).
func header(t *testing.T, version byte, source string, tlvs ...proxyproto.TLV) string {
	t.Helper()
	dst := "192.0.2.1:25"
	if netip.MustParseAddrPort(source).Addr().Is6() {
		dst = "[2001:db8::1]:25"
	}
	return testkit.ProxyHeader(t, version, source, dst, tlvs...)
}

func TestProxyV1RealClientInTheSession(t *testing.T) {
	g, addr := proxied(t, nil, 0)
	w := testkit.Dial(t, "tcp", addr)
	w.Write(header(t, 1, "203.0.113.7:4242"))
	w.Expect("220 ")
	w.Send("EHLO c.example")
	w.Expect("250 ")
	w.Deliver("a@example.com", "b@example.net", "x\r\n")
	m := g.next(t)
	if m.sess.Peer != "203.0.113.7:4242" || m.sess.Proxy == nil || m.sess.Proxy.Version != 1 {
		t.Fatalf("session peer %q, proxy %+v", m.sess.Peer, m.sess.Proxy)
	}
	if m.sess.Proxy.Destination.String() != "192.0.2.1:25" {
		t.Fatalf("destination %v", m.sess.Proxy.Destination)
	}
}

// A v2 header with an IPv6 client and a TLV, and the client's first
// command in the same segment.
func TestProxyV2RealClientInTheSession(t *testing.T) {
	g, addr := proxied(t, nil, 0)
	w := testkit.Dial(t, "tcp", addr)
	authority := proxyproto.TLV{Type: proxyproto.PP2_TYPE_AUTHORITY, Value: []byte("mx.example")}
	w.Write(header(t, 2, "[2001:db8::7]:4242", authority) + "EHLO c.example\r\n")
	w.Expect("220 ")
	w.Expect("250 ")
	w.Deliver("a@example.com", "b@example.net", "x\r\n")
	m := g.next(t)
	if m.sess.Peer != "[2001:db8::7]:4242" || m.sess.Proxy.Version != 2 {
		t.Fatalf("session peer %q, proxy %+v", m.sess.Peer, m.sess.Proxy)
	}
	if tlvs := m.sess.Proxy.TLVs; len(tlvs) != 1 || tlvs[0].Type != 0x02 || string(tlvs[0].Value) != "mx.example" {
		t.Fatalf("TLVs %+v", tlvs)
	}
}

// A peer that is not a trusted proxy is greeted at once and served under
// its own address; a header from it is only an unknown command.
func TestProxyFromAnUntrustedPeer(t *testing.T) {
	g, addr := proxied(t, func(net.Addr) bool { return false }, 0)
	w := testkit.Dial(t, "tcp", addr)
	w.Expect("220 ")
	w.Write(header(t, 1, "203.0.113.7:4242"))
	w.Expect("500")
	w.Send("EHLO c.example")
	w.Expect("250 ")
	w.Deliver("a@example.com", "b@example.net", "x\r\n")
	if m := g.next(t); m.sess.Peer != w.Conn.LocalAddr().String() || m.sess.Proxy != nil {
		t.Fatalf("session peer %q, proxy %+v; want %v and none", m.sess.Peer, m.sess.Proxy, w.Conn.LocalAddr())
	}
}

// No greeting until the header is in: a client talking first to a server
// behind a proxy would otherwise be taken for the proxy.
func TestProxyNoGreetingBeforeTheHeader(t *testing.T) {
	_, addr := proxied(t, nil, 10*time.Second)
	w := testkit.Dial(t, "tcp", addr)
	w.Conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := w.Reader.Peek(1); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("before the header: %q, %v; want nothing", n, err)
	}
	w.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	w.Write(header(t, 2, "203.0.113.7:4242"))
	w.Expect("220 ")
}

func TestProxyHeaderMissingOrLate(t *testing.T) {
	_, addr := proxied(t, nil, 100*time.Millisecond)
	t.Run("silence", func(t *testing.T) {
		testkit.Dial(t, "tcp", addr).ExpectClosed()
	})
	t.Run("a command instead", func(t *testing.T) {
		w := testkit.Dial(t, "tcp", addr)
		w.Send("EHLO c.example")
		w.ExpectClosed()
	})
	t.Run("a truncated v2 header", func(t *testing.T) {
		w := testkit.Dial(t, "tcp", addr)
		w.Write(header(t, 2, "203.0.113.7:4242")[:20])
		w.ExpectClosed()
	})
}

func TestProxyHookRefuses(t *testing.T) {
	g, addr := proxied(t, nil, 0)
	w := testkit.Dial(t, "tcp", addr)
	w.Write(header(t, 1, "198.51.100.9:4242"))
	w.ExpectClosed()
	// the next client is served
	w = testkit.Dial(t, "tcp", addr)
	w.Write(header(t, 1, "203.0.113.7:4242"))
	w.Expect("220 ")
	g.none(t)
}

// Under SMTPS the header comes first, in plaintext, then the handshake.
func TestProxyBeforeSMTPS(t *testing.T) {
	serverTLS, clientTLS := testkit.TLSConfigs(t, "mx.test", "127.0.0.1", "localhost")
	g := &gate{inbox: newInbox()}
	ctl := control(t, &gosmtpd.Controller{SMTPS: true, Server: &gosmtpd.Server{Handler: g, TLSConfig: serverTLS,
		Proxy: &transport.ProxyOptions{}}})
	w := testkit.Dial(t, "tcp", ctl.Addr().String())
	w.Write(header(t, 2, "203.0.113.7:4242"))
	w.StartTLS(clientTLS)
	w.Expect("220 ")
	w.Send("EHLO c.example")
	w.Expect("250 ")
	w.Deliver("a@example.com", "b@example.net", "x\r\n")
	if m := g.next(t); m.sess.Peer != "203.0.113.7:4242" || m.sess.TLS == nil {
		t.Fatalf("session peer %q, TLS %v", m.sess.Peer, m.sess.TLS != nil)
	}
}
