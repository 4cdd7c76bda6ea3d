package gosmtpd_test

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
)

// Beyond MaxConnections a client is told to come back later, 421 4.3.2,
// and closed, instead of being left in the backlog; once a session ends
// its slot serves the next client.
func TestMaxConnections(t *testing.T) {
	box := newInbox()
	ctl := control(t, &gosmtpd.Controller{Server: &gosmtpd.Server{Handler: box, MaxConnections: 2}})
	addr := ctl.Addr().String()
	first, second := dialWire(t, "tcp", addr), dialWire(t, "tcp", addr)
	first.expect("220 ")
	second.expect("220 ")
	for range 3 {
		excess := dialWire(t, "tcp", addr)
		if rep := excess.expect("421 4.3.2"); !strings.Contains(rep, "too many connections") {
			t.Fatalf("excess client got %q", rep)
		}
		excess.expectClosed()
	}
	second.send("EHLO c.example")
	second.expect("250 ")
	second.deliver("a@example.com", "b@example.net", "x\r\n") // the sessions in place are served
	box.next(t)
	second.send("QUIT")
	second.expect("221")
	second.expectClosed()
	// the slot is released just after the connection closes
	deadline := time.Now().Add(5 * time.Second)
	for {
		w := dialWire(t, "tcp", addr)
		rep := w.expect("")
		if strings.HasPrefix(rep, "220 ") {
			break
		}
		if !strings.HasPrefix(rep, "421 4.3.2") || time.Now().After(deadline) {
			t.Fatalf("after a session ended: %q", rep)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// An SMTPS client beyond the limit gets its handshake, then the 421.
func TestMaxConnectionsSMTPS(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	ctl := control(t, &gosmtpd.Controller{SMTPS: true,
		Server: &gosmtpd.Server{TLSConfig: serverTLS, MaxConnections: 1}})
	dial := func() *wire {
		nc, err := tls.Dial("tcp", ctl.Addr().String(), clientTLS)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		return newWire(t, nc)
	}
	dial().expect("220 ")
	excess := dial()
	excess.expect("421 4.3.2")
	excess.expectClosed()
}
