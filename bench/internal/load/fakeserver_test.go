package load

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/bench/internal/selfsigned"
)

// fakeServer is a small, strictly lock-step SMTP/LMTP responder for the
// paths the canned responder cannot check: STARTTLS, LMTP's reply per
// recipient, refused recipients and refused messages.
type fakeServer struct {
	lmtp       bool
	tls        *tls.Config
	refuseRcpt string // RCPT lines containing it get 550
	refuseEnd  bool   // LMTP: the last accepted recipient's final reply is 452
	greetAfter time.Duration
}

// start serves on a loopback port until the test ends and returns the
// address.
func (f *fakeServer) start(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return ln.Addr().String()
}

func (f *fakeServer) serve(c net.Conn) {
	defer func() { c.Close() }()
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	reply := func(s string) { w.WriteString(s + "\r\n"); w.Flush() }
	time.Sleep(f.greetAfter)
	reply("220 fake")
	accepted := 0
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(verb, "EHLO"), strings.HasPrefix(verb, "LHLO"):
			reply("250-fake\r\n250-STARTTLS\r\n250 PIPELINING")
		case verb == "STARTTLS" && f.tls != nil:
			reply("220 go ahead")
			tc := tls.Server(c, f.tls)
			c, r, w = tc, bufio.NewReader(tc), bufio.NewWriter(tc)
		case strings.HasPrefix(verb, "MAIL"):
			accepted = 0
			reply("250 ok")
		case strings.HasPrefix(verb, "RCPT") && f.refuseRcpt != "" && strings.Contains(line, f.refuseRcpt):
			reply("550 no such user")
		case strings.HasPrefix(verb, "RCPT"):
			accepted++
			reply("250 ok")
		case verb == "DATA":
			reply("354 go")
			if !skipBody(r) {
				return
			}
			f.endOfData(reply, accepted)
		case verb == "QUIT":
			reply("221 bye")
			return
		default:
			reply("500 what")
		}
	}
}

// endOfData writes one reply in SMTP, one per accepted recipient in LMTP.
func (f *fakeServer) endOfData(reply func(string), accepted int) {
	if !f.lmtp {
		reply("250 queued")
		return
	}
	for i := range accepted {
		if f.refuseEnd && i == accepted-1 {
			reply("452 mailbox full")
		} else {
			reply("250 delivered")
		}
	}
}

// skipBody reads up to the line holding only a dot; false if the peer left.
func skipBody(r *bufio.Reader) bool {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return false
		}
		if line == ".\r\n" {
			return true
		}
	}
}

func testTLSConfig(t *testing.T) *tls.Config {
	t.Helper()
	cert, err := selfsigned.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}}
}
