package attacks_test

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
)

// openIdle opens n connections to addr with a few dialers at once, reads
// each greeting (so that the server has started every session) and leaves
// them idle. They are closed at the end of the test.
func openIdle(t testing.TB, addr string, n int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failure error
	const dialers = 16
	for w := range dialers {
		wg.Go(func() {
			buf := make([]byte, 512)
			for i := w; i < n; i += dialers {
				nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err == nil {
					nc.SetReadDeadline(time.Now().Add(10 * time.Second))
					_, err = nc.Read(buf)
				}
				if err != nil {
					mu.Lock()
					failure = err
					mu.Unlock()
					return
				}
				conns[i] = nc
			}
		})
	}
	wg.Wait()
	t.Cleanup(func() { closeAll(conns) })
	if failure != nil {
		t.Fatalf("opening %d connections: %v", n, failure)
	}
	return conns
}

func closeAll(conns []net.Conn) {
	for _, nc := range conns {
		if nc != nil {
			nc.Close()
		}
	}
}

// deliver sends one message over a new connection and returns how long it
// took from the dial to the 250.
func deliver(t testing.TB, addr string) time.Duration {
	t.Helper()
	began := time.Now()
	c := connect(t, addr)
	c.transaction()
	c.Send("Subject: fresh", "", "still served", ".")
	c.Expect("250 2.0.0")
	d := time.Since(began)
	c.Send("QUIT")
	c.Expect("221")
	return d
}

// T-09: 10,000 idle connections to a separate server process cost less
// than 30 KiB each of its peak resident memory (VmHWM), and a fresh client
// still delivers within a second.
func TestTenThousandIdleConnections(t *testing.T) {
	const n = 10_000
	raiseNoFile(t, n+1000)
	p := startServerProcess(t, "-max-conns", "20000")
	deliver(t, p.Addr) // warm up: the first session's one-time costs
	base := p.status(t, "VmHWM")
	began := time.Now()
	openIdle(t, p.Addr, n)
	t.Logf("%d connections opened in %v", n, time.Since(began))
	peak := p.status(t, "VmHWM")
	perConn := (peak - base) * 1024 / n
	t.Logf("VmHWM %d KiB before, %d KiB with %d idle connections: %d bytes each", base, peak, n, perConn)
	if perConn >= 30<<10 {
		t.Fatalf("%d bytes per idle connection, want under 30 KiB", perConn)
	}
	if d := deliver(t, p.Addr); d > time.Second {
		t.Fatalf("a fresh client took %v to deliver, want under 1s", d)
	}
}

// greetedOnceFreed dials until a session is greeted 220: a slot is
// freed just after the close of the session that held it. It fails the
// test after 50 refusals.
func greetedOnceFreed(t *testing.T, dial func() *client) *client {
	t.Helper()
	for attempt := 0; ; attempt++ {
		c := dial()
		if rep := c.Reply(); strings.HasPrefix(rep, "220 ") {
			return c
		} else if attempt == 50 {
			t.Fatalf("still refused after a session ended: %q", rep)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// T-09: beyond MaxConnections a connection gets 421 4.3.2 and is closed
// at once (not left in the backlog); once a session ends, the next one is
// served.
func TestConnectionsBeyondTheCap(t *testing.T) {
	addr := start(t, &gosmtpd.Server{Handler: newRecorder(), MaxConnections: 3})
	held := []*client{connect(t, addr), connect(t, addr), connect(t, addr)}
	c := dial(t, "tcp", addr)
	c.Expect("421 4.3.2")
	c.ExpectClosed()
	held[0].Send("QUIT")
	held[0].Expect("221")
	held[0].ExpectClosed()
	c = greetedOnceFreed(t, func() *client { return dial(t, "tcp", addr) })
	c.Send("NOOP")
	c.Expect("250 2.0.0")
}

// T-10: MaxConnectionsPerClient caps the sessions of one client address
// (Postfix's smtpd_client_connection_count_limit, 50): the 51st from
// 127.0.0.2 gets 421 4.7.0, while 127.0.0.3 is still served, and a slot
// freed by the first client is its own again.
func TestPerClientConnectionCap(t *testing.T) {
	const limit = 50
	addr := start(t, &gosmtpd.Server{Handler: newRecorder(), MaxConnectionsPerClient: limit})
	held := make([]*client, 0, limit)
	for range limit {
		c := dialFrom(t, "127.0.0.2", addr)
		c.Expect("220 ")
		held = append(held, c)
	}
	c := dialFrom(t, "127.0.0.2", addr)
	c.Expect("421 4.7.0")
	c.ExpectClosed()
	other := dialFrom(t, "127.0.0.3", addr)
	other.Expect("220 ")
	other.Send("NOOP")
	other.Expect("250 2.0.0")
	held[0].Send("QUIT")
	held[0].Expect("221")
	held[0].ExpectClosed()
	greetedOnceFreed(t, func() *client { return dialFrom(t, "127.0.0.2", addr) })
}

// T-11: a server out of file descriptors (RLIMIT_NOFILE 256, 300 clients,
// no connection cap: the default one, derived from the limit, would keep
// it from running out) backs off on EMFILE instead of spinning or giving
// up: under a quarter of a core meanwhile, one line logged at Error (once
// a minute), and new connections are served once clients leave.
func TestFileDescriptorExhaustion(t *testing.T) {
	p := startServerProcess(t, "-nofile", "256", "-max-conns", "-1")
	var conns []net.Conn
	defer func() { closeAll(conns) }()
	for range 300 {
		nc, err := net.DialTimeout("tcp", p.Addr, 5*time.Second)
		if err != nil {
			t.Fatal(err) // the kernel completes the handshake even when the server cannot accept
		}
		conns = append(conns, nc)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.Stderr.String(), "too many open files") {
		if time.Now().After(deadline) {
			t.Fatalf("the server never ran out of descriptors:\n%s", p.Stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // let the backoff reach its stride
	before := p.cpuTicks(t)
	time.Sleep(time.Second)
	used := p.cpuTicks(t) - before // clock ticks, 100 a second
	t.Logf("%d ticks of CPU in the second out of descriptors", used)
	if used > 25 {
		t.Fatalf("the server used %d%% of a core while out of descriptors", used)
	}
	if n := strings.Count(p.Stderr.String(), `level=ERROR msg="accept failed; retrying"`); n != 1 {
		t.Fatalf("%d accept failures logged at Error in over a second out of descriptors, want one (once a minute):\n%s", n, p.Stderr.String())
	}
	closeAll(conns)
	conns = nil
	deadline = time.Now().Add(5 * time.Second)
	for {
		if c, ok := tryGreeting(p.Addr); ok {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no new connection was served after the clients left")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tryGreeting connects to addr and reports whether a 220 came within a
// second.
func tryGreeting(addr string) (net.Conn, bool) {
	nc, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, false
	}
	nc.SetReadDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 64)
	n, _ := nc.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "220 ") {
		nc.Close()
		return nil, false
	}
	return nc, true
}
