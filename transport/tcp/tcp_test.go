package tcp_test

import (
	"errors"
	"io"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gosmtpd/gosmtpd/transport/tcp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// hasIPv6 reports whether this host has an IPv6 loopback.
func hasIPv6() bool {
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func listen(t *testing.T, addr string) *tcp.Listener {
	t.Helper()
	l, err := tcp.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// reaches checks that a client dialing host:port is accepted by l: what
// it writes arrives.
func reaches(t *testing.T, l net.Listener, host string, port int) {
	t.Helper()
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	io.WriteString(c, addr)
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, len(addr))
	if _, err := io.ReadFull(s, buf); err != nil || string(buf) != addr {
		t.Fatalf("accepted %q, %v; want the client of %s", buf, err, addr)
	}
	if s.RemoteAddr().String() != c.LocalAddr().String() {
		t.Fatalf("accepted %v, want %v", s.RemoteAddr(), c.LocalAddr())
	}
}

func port(a net.Addr) int { return a.(*net.TCPAddr).Port }

func TestLocalhostBindsBothLoopbacks(t *testing.T) {
	l := listen(t, "localhost:0")
	p := port(l.Addr())
	if p == 0 || l.Addr().(*net.TCPAddr).IP.String() != "127.0.0.1" {
		t.Fatalf("Addr %v: want 127.0.0.1 and the port picked", l.Addr())
	}
	reaches(t, l, "127.0.0.1", p)
	if !hasIPv6() {
		t.Skip("no IPv6 loopback here")
	}
	addrs := l.Addrs()
	if len(addrs) != 2 || port(addrs[1]) != p || addrs[1].(*net.TCPAddr).IP.String() != "::1" {
		t.Fatalf("Addrs %v: want 127.0.0.1 and ::1 on port %d", addrs, p)
	}
	reaches(t, l, "::1", p)
	reaches(t, l, "127.0.0.1", p)
}

func TestEmptyHostBindsEveryInterface(t *testing.T) {
	l := listen(t, ":0")
	p := port(l.Addr())
	if p == 0 || !l.Addr().(*net.TCPAddr).IP.IsUnspecified() {
		t.Fatalf("Addr %v: want the unspecified address and the port picked", l.Addr())
	}
	reaches(t, l, "127.0.0.1", p)
	if hasIPv6() {
		reaches(t, l, "::1", p)
	}
}

func TestNamedAddressBindsOnlyIt(t *testing.T) {
	l := listen(t, "127.0.0.1:0")
	if len(l.Addrs()) != 1 {
		t.Fatalf("Addrs %v", l.Addrs())
	}
	p := port(l.Addr())
	reaches(t, l, "127.0.0.1", p)
	if hasIPv6() {
		if c, err := net.Dial("tcp", net.JoinHostPort("::1", strconv.Itoa(p))); err == nil {
			c.Close()
			t.Fatal("127.0.0.1 accepted a connection to ::1")
		}
	}
}

func TestLocalhostFixedPortTakenOnIPv6(t *testing.T) {
	if !hasIPv6() {
		t.Skip("no IPv6 loopback here")
	}
	v6, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer v6.Close()
	p := strconv.Itoa(port(v6.Addr()))
	if l, err := tcp.Listen("localhost:" + p); !errors.Is(err, syscall.EADDRINUSE) {
		if l != nil {
			l.Close()
		}
		t.Fatalf("Listen on a port taken on ::1: %v, want EADDRINUSE", err)
	}
	v4, err := net.Listen("tcp4", "127.0.0.1:"+p) // the half bound on 127.0.0.1 was released
	if err != nil {
		t.Fatalf("127.0.0.1:%s left bound: %v", p, err)
	}
	v4.Close()
}

func TestCloseEndsAccept(t *testing.T) {
	for _, addr := range []string{"localhost:0", "127.0.0.1:0"} {
		l, err := tcp.Listen(addr)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := l.Accept()
			done <- err
		}()
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Fatalf("%s: Accept after Close: %v, want net.ErrClosed", addr, err)
		}
		l.Close() // again: nothing
		if c, err := net.Dial("tcp", l.Addr().String()); err == nil {
			c.Close()
			t.Fatalf("%s: still accepting after Close", addr)
		}
	}
}

func TestListenRefusesBadAddresses(t *testing.T) {
	for _, addr := range []string{"localhost", "localhost:smtp-nope", "256.0.0.1:25", "[::1"} {
		if l, err := tcp.Listen(addr); err == nil {
			l.Close()
			t.Errorf("Listen(%q) succeeded", addr)
		}
	}
}
