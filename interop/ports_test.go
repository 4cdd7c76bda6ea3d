package interop

import (
	"errors"
	"net"
	"testing"
	"time"
)

func TestPortLedgerClaimsEachPortOnce(t *testing.T) {
	var l PortLedger
	if !l.claim("a:25", 5000) || l.claim("a:25", 5000) {
		t.Error("port 5000 for a:25: want fresh once, then used")
	}
	if !l.claim("b:25", 5000) {
		t.Error("port 5000 for b:25: a port used for another server is fresh here")
	}
}

// portConn is a connection from a given client port.
type portConn struct {
	net.Conn
	port   int
	closed bool
}

func (c *portConn) LocalAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: c.port}
}
func (c *portConn) Close() error { c.closed = true; return nil }

// TestPortLedgerRedialsAReusedPort has the kernel hand out port 5000 to
// two sessions in a row, as it may once the first has ended.
func TestPortLedgerRedialsAReusedPort(t *testing.T) {
	var dialed []*portConn
	ports := []int{5000, 5000, 5000, 5001}
	l := PortLedger{dial: func(string, time.Duration) (net.Conn, error) {
		c := &portConn{port: ports[len(dialed)]}
		dialed = append(dialed, c)
		return c, nil
	}}
	first, _ := l.Dial("a:25", time.Second)
	second, _ := l.Dial("a:25", time.Second)
	if localPort(first) != 5000 || localPort(second) != 5001 {
		t.Fatalf("ports %d and %d, want 5000 and 5001", localPort(first), localPort(second))
	}
	if len(dialed) != 4 || !dialed[1].closed || !dialed[2].closed || dialed[0].closed || dialed[3].closed {
		t.Errorf("want the two connections from the reused port closed, and only them")
	}
}

// TestPortLedgerFailsWithoutAFreshPort: a kernel that only ever offers a
// used port makes Dial fail, rather than mix two sessions' messages.
func TestPortLedgerFailsWithoutAFreshPort(t *testing.T) {
	var dialed []*portConn
	l := PortLedger{dial: func(string, time.Duration) (net.Conn, error) {
		c := &portConn{port: 5000}
		dialed = append(dialed, c)
		return c, nil
	}}
	if _, err := l.Dial("a:25", time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Dial("a:25", time.Second); !errors.Is(err, errNoFreshPort) {
		t.Fatalf("got %v, want errNoFreshPort", err)
	}
	for _, c := range dialed[1:] {
		if !c.closed {
			t.Fatal("a connection from a used port was left open")
		}
	}
}
