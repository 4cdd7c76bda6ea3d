package gosmtpd_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/netip"
	"net/textproto"
	"sync"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// gatekeeper refuses clients by address at connection time and records
// how each session ended.
type gatekeeper struct {
	mu    sync.Mutex
	ended map[string]error // by the client's IP address
	done  chan struct{}
}

func (g *gatekeeper) HandleConnect(_ context.Context, s *hooks.Session) error {
	switch netip.MustParseAddrPort(s.Peer).Addr().String() {
	case "127.0.0.2":
		return hooks.Reply{Code: 554, Enhanced: "5.7.1", Text: "blocked"}
	case "127.0.0.3":
		return hooks.Reply{Code: 421, Enhanced: "4.7.0", Text: "busy, try later"}
	case "127.0.0.4":
		return errors.New("the blocklist is down")
	}
	return nil
}

func (g *gatekeeper) HandleClose(_ context.Context, s *hooks.Session, cause error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ended[netip.MustParseAddrPort(s.Peer).Addr().String()] = cause
	g.done <- struct{}{}
}

// dialFrom connects to addr from the loopback address from.
func dialFrom(t *testing.T, from, addr string) *textproto.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return textproto.NewConn(c)
}

// TestConnectAndCloseHooks: the connect hook greets, refuses with 554 (only
// QUIT served after it, RFC 5321 3.1) or with 421 (closed at once, 3.8);
// a failing hook is 421 4.3.0. The close hook hears how each ended.
func TestConnectAndCloseHooks(t *testing.T) {
	g := &gatekeeper{ended: map[string]error{}, done: make(chan struct{}, 4)}
	srv := &gosmtpd.Server{Handler: g, Hostname: "mx.test", Logger: slog.New(slog.DiscardHandler)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())
	addr := l.Addr().String()

	expect := func(c *textproto.Conn, send string, code int) {
		t.Helper()
		if send != "" {
			c.PrintfLine("%s", send)
		}
		if got, msg, _ := c.ReadResponse(0); got != code {
			t.Fatalf("%q: %d %s, want %d", send, got, msg, code)
		}
	}
	c := dialFrom(t, "127.0.0.1", addr)
	expect(c, "", 220)
	expect(c, "EHLO client.test", 250)
	expect(c, "QUIT", 221)

	c = dialFrom(t, "127.0.0.2", addr)
	expect(c, "", 554)
	expect(c, "EHLO client.test", 503)
	expect(c, "MAIL FROM:<a@example.com>", 503)
	expect(c, "QUIT", 221)

	c = dialFrom(t, "127.0.0.3", addr)
	expect(c, "", 421)
	if _, err := c.ReadLine(); err != io.EOF {
		t.Fatalf("after 421: %v, want the connection closed", err)
	}
	c = dialFrom(t, "127.0.0.4", addr)
	expect(c, "", 421)

	for range 4 {
		select {
		case <-g.done:
		case <-time.After(5 * time.Second):
			t.Fatal("a close hook was not called")
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	want := map[string]error{"127.0.0.1": nil, "127.0.0.2": fsm.ErrRefused, "127.0.0.3": fsm.ErrRefused, "127.0.0.4": fsm.ErrRefused}
	for ip, cause := range want {
		if got, ok := g.ended[ip]; !ok || !errors.Is(got, cause) {
			t.Errorf("%s ended with %v (%v), want %v", ip, got, ok, cause)
		}
	}
}

// quota greets at most one client at a time: the next get 421 until it
// has gone. It counts with the connect and close hooks.
type quota struct {
	mu   sync.Mutex
	busy bool
}

func (q *quota) HandleConnect(context.Context, *hooks.Session) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.busy {
		return hooks.Reply{Code: 421, Enhanced: "4.7.0", Text: "one at a time, try later"}
	}
	q.busy = true
	return nil
}

func (q *quota) HandleClose(_ context.Context, s *hooks.Session, cause error) {
	if errors.Is(cause, fsm.ErrRefused) {
		return // not one of ours
	}
	q.mu.Lock()
	q.busy = false
	q.mu.Unlock()
}

// A connect hook answers before the greeting: here a second client at
// once is told to come back later, and a close hook frees the place.
func ExampleServer_connectHook() {
	srv := &gosmtpd.Server{Handler: &quota{}, Hostname: "mx.example", Logger: slog.New(slog.DiscardHandler)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	first, _ := textproto.Dial("tcp", l.Addr().String())
	_, greeting, _ := first.ReadResponse(220)
	second, _ := textproto.Dial("tcp", l.Addr().String())
	code, msg, _ := second.ReadResponse(0)
	fmt.Println(greeting)
	fmt.Println(code, msg)
	// Output:
	// mx.example gosmtpd
	// 421 4.7.0 one at a time, try later
}
