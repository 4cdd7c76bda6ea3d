package gosmtpd_test

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"sync"
	"testing"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// xwitness records what the hooks see of the client and of XFORWARD.
type xwitness struct {
	mu  sync.Mutex
	saw []string
}

func (w *xwitness) HandleMAIL(_ context.Context, s *hooks.Session, e *hooks.Envelope, _ string, _ []string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.saw = append(w.saw, fmt.Sprintf("MAIL peer=%s auth=%q xclient=%v xforward=%v", s.Peer, s.AuthID, s.XClient, e.XForward))
	return nil
}

func (w *xwitness) HandleDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	io.Copy(io.Discard, msg)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.saw = append(w.saw, fmt.Sprintf("DATA peer=%s xforward=%v", s.Peer, e.XForward))
	return nil
}

// TestXCLIENTAndXFORWARD: from a trusted network XCLIENT makes the session
// the given client's (peer, login) after a new greeting, and XFORWARD's
// attributes reach the next transaction only; from elsewhere both are 550.
func TestXCLIENTAndXFORWARD(t *testing.T) {
	w := &xwitness{}
	trusted := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	srv := &gosmtpd.Server{Handler: w, XClientNetworks: trusted, XForwardNetworks: trusted}
	addr := control(t, &gosmtpd.Controller{Server: srv}).Addr().String()

	c := dialFrom(t, "127.0.0.1", addr)
	for _, step := range []struct {
		send string
		code int
	}{
		{"", 220}, {"EHLO proxy.test", 250},
		{"XCLIENT NAME=spike.example ADDR=IPV6:2001:db8::7 PORT=4242 LOGIN=alice", 220},
		{"EHLO spike.example", 250},
		{"XFORWARD ADDR=192.0.2.9 IDENT=Q123 SOURCE=REMOTE", 250},
		{"MAIL FROM:<a@example.com>", 250}, {"RCPT TO:<b@example.com>", 250},
		{"DATA", 354}, {"Subject: x\r\n\r\nx\r\n.", 250},
		{"MAIL FROM:<a@example.com>", 250}, {"QUIT", 221},
	} {
		if step.send != "" {
			c.PrintfLine("%s", step.send)
		}
		if code, msg, _ := c.ReadResponse(0); code != step.code {
			t.Fatalf("%q: %d %s, want %d", step.send, code, msg, step.code)
		}
	}
	c = dialFrom(t, "127.0.0.2", addr)
	c.ReadResponse(220)
	for _, cmd := range []string{"XCLIENT ADDR=192.0.2.1", "XFORWARD ADDR=192.0.2.1"} {
		c.PrintfLine("%s", cmd)
		if code, _, _ := c.ReadResponse(0); code != 550 {
			t.Errorf("%s from an untrusted client: %d, want 550", cmd, code)
		}
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	want := []string{
		`MAIL peer=[2001:db8::7]:4242 auth="alice" xclient=map[ADDR:IPV6:2001:db8::7 LOGIN:alice NAME:spike.example PORT:4242] xforward=map[ADDR:192.0.2.9 IDENT:Q123 SOURCE:REMOTE]`,
		`DATA peer=[2001:db8::7]:4242 xforward=map[ADDR:192.0.2.9 IDENT:Q123 SOURCE:REMOTE]`,
		`MAIL peer=[2001:db8::7]:4242 auth="alice" xclient=map[ADDR:IPV6:2001:db8::7 LOGIN:alice NAME:spike.example PORT:4242] xforward=map[]`,
	}
	if fmt.Sprint(w.saw) != fmt.Sprint(want) {
		t.Fatalf("hooks saw\n%q\nwant\n%q", w.saw, want)
	}
}
