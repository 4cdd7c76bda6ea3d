package attacks_test

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// flood is the connections an attacker opened, by the first reply each
// got.
type flood struct {
	greeted []net.Conn     // 220: sessions held open, idle
	replies map[string]int // "220", "421 4.7.0", "421 4.3.2", "none" (no reply in 3 s), ...
}

// floodFrom opens n connections to addr from the loopback address ip, a
// few at a time, and reads the first reply of each. Greeted connections
// are kept (closed at the end of the test); the others are closed.
func floodFrom(t testing.TB, ip, addr string, n int) *flood {
	t.Helper()
	f := &flood{replies: map[string]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	const dialers = 16
	for w := range dialers {
		wg.Go(func() {
			for i := w; i < n; i += dialers {
				nc, first := dialFirstReply(ip, addr)
				mu.Lock()
				f.replies[first]++
				if first == "220" {
					f.greeted = append(f.greeted, nc)
				} else if nc != nil {
					nc.Close()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	t.Cleanup(func() { closeAll(f.greeted) })
	return f
}

// dialFirstReply connects from ip and returns the connection with the code
// (and enhanced code, for a 4xx) of its first reply, "none" if none came
// within 3 seconds, "dial" if the connection failed.
func dialFirstReply(ip, addr string) (net.Conn, string) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 3 * time.Second}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, "dial"
	}
	nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	line, err := readReply(bufio.NewReader(nc))
	nc.SetReadDeadline(time.Time{})
	switch {
	case err != nil && line == "":
		return nc, "none"
	case strings.HasPrefix(line, "220 "):
		return nc, "220"
	case len(line) >= 9:
		return nc, line[:9]
	}
	return nc, line
}

// T-38: one address opens many idle connections against the command with
// its default flags (and a descriptor limit of 256, where the attack on
// a default 20,000 needed 20,400 connections): it gets 50 sessions, the
// rest are told 421 4.7.0 at once; the server never runs out of
// descriptors, says so at the default log level, and a fresh client from
// another address is served within a second.
func TestOneAddressOpensManyIdleConnections(t *testing.T) {
	p := startCommand(t, 256, "-c", "sink")
	f := floodFrom(t, "127.0.0.3", p.Addr, 300)
	t.Logf("300 connections from one address: %v", f.replies)
	if f.replies["220"] != 50 || f.replies["421 4.7.0"] != 250 {
		t.Errorf("first replies %v, want 50 greeted and 250 refused 421 4.7.0", f.replies)
	}
	for range 5 {
		d := servedWithin(t, "127.0.0.2", p.Addr, time.Second)
		t.Logf("a fresh client from 127.0.0.2 served in %v", d)
	}
	line := p.WaitLog(t, "level=WARN", "too many connections from one client", "client=127.0.0.3")
	t.Logf("logged: %s", strings.TrimSpace(line))
	if strings.Contains(p.Stderr.String(), "too many open files") {
		t.Fatalf("the server ran out of descriptors:\n%s", p.Stderr.String())
	}
}

// T-39: many addresses, each under the per-client cap, fill the cap
// derived from the descriptor limit (256: 96 sessions): the excess is
// told 421 4.3.2 at once rather than left in the backlog, accept never
// fails for want of descriptors, and the sessions started near the cap
// (stress mode: the last quarter) are cut off after 10 seconds idle
// instead of 5 minutes, so that a fresh client is served again.
func TestManyAddressesFillTheDerivedCap(t *testing.T) {
	p := startCommand(t, 256, "-c", "sink")
	replies := map[string]int{}
	var greeted []net.Conn
	for i := range 6 {
		f := floodFrom(t, "127.0.0."+string(rune('4'+i)), p.Addr, 40)
		greeted = append(greeted, f.greeted...)
		for k, v := range f.replies {
			replies[k] += v
		}
	}
	t.Logf("240 connections from six addresses: %v", replies)
	if replies["220"] != 96 || replies["421 4.3.2"] != 144 {
		t.Fatalf("first replies %v, want 96 greeted and 144 refused 421 4.3.2", replies)
	}
	if _, first := dialFirstReply("127.0.0.2", p.Addr); first != "421 4.3.2" {
		t.Fatalf("a fresh client while the server is full got %q, want 421 4.3.2 at once", first)
	}
	p.WaitLog(t, "level=WARN", "connection refused: too many connections", "limit=96")
	timedOut := countTimeouts(greeted, 24, 15*time.Second)
	t.Logf("%d idle sessions cut off by stress mode's 10 s timeout", timedOut)
	if timedOut != 24 {
		t.Fatalf("%d sessions timed out in 15 s, want the 24 started under stress", timedOut)
	}
	servedWithin(t, "127.0.0.2", p.Addr, time.Second)
	if strings.Contains(p.Stderr.String(), "too many open files") {
		t.Fatalf("the server ran out of descriptors:\n%s", p.Stderr.String())
	}
}

// countTimeouts waits up to d for the server to end want of the idle
// sessions with 421 4.4.2, and counts those it ended.
func countTimeouts(conns []net.Conn, want int, d time.Duration) int {
	var n int
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for _, nc := range conns {
		wg.Go(func() {
			nc.SetReadDeadline(deadline)
			line, _ := readReply(bufio.NewReader(nc))
			if !strings.HasPrefix(line, "421 4.4.2") {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if n++; n == want { // enough: stop waiting on the others
				for _, other := range conns {
					other.SetReadDeadline(time.Now())
				}
			}
		})
	}
	wg.Wait()
	return n
}
