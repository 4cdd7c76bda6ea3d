package gosmtpd_test

import (
	"strings"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// Beyond MaxConnections a client is told to come back later, 421 4.3.2,
// and closed, instead of being left in the backlog; once a session ends
// its slot serves the next client.
func TestMaxConnections(t *testing.T) {
	box := newInbox()
	ctl := control(t, &gosmtpd.Controller{Server: &gosmtpd.Server{Handler: box, MaxConnections: 2}})
	addr := ctl.Addr().String()
	first, second := testkit.Dial(t, "tcp", addr), testkit.Dial(t, "tcp", addr)
	first.Expect("220 ")
	second.Expect("220 ")
	for range 3 {
		excess := testkit.Dial(t, "tcp", addr)
		if rep := excess.Expect("421 4.3.2"); !strings.Contains(rep, "too many connections") {
			t.Fatalf("excess client got %q", rep)
		}
		excess.ExpectClosed()
	}
	second.Send("EHLO c.example")
	second.Expect("250 ")
	second.Deliver("a@example.com", "b@example.net", "x\r\n") // the sessions in place are served
	box.next(t)
	second.Send("QUIT")
	second.Expect("221")
	second.ExpectClosed()
	// the slot is released just after the connection closes
	deadline := time.Now().Add(5 * time.Second)
	for {
		w := testkit.Dial(t, "tcp", addr)
		rep := w.Expect("")
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
	serverTLS, clientTLS := testkit.TLSConfigs(t, "mx.test", "127.0.0.1", "localhost")
	ctl := control(t, &gosmtpd.Controller{SMTPS: true,
		Server: &gosmtpd.Server{TLSConfig: serverTLS, MaxConnections: 1}})
	dial := func() *testkit.Client {
		return testkit.DialTLS(t, ctl.Addr().String(), clientTLS)
	}
	dial().Expect("220 ")
	excess := dial()
	excess.Expect("421 4.3.2")
	excess.ExpectClosed()
}
