package testkit

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// Timeout bounds every read and write of a Client: a server that stops
// answering fails the test instead of hanging it.
const Timeout = 20 * time.Second

// Client is the test's side of an SMTP session: command lines out,
// replies in. Every method fails the test on a write error, a reply that
// is not what was wanted, or a line not ended by CRLF. Conn and Reader
// are exported for tests that go beneath lines (raw writes, peeking at
// what is buffered); they change when StartTLS upgrades the connection.
type Client struct {
	T      testing.TB
	Conn   net.Conn
	Reader *bufio.Reader
}

// NewClient wraps nc, sets its deadline Timeout from now, and closes it
// when the test ends. Nothing is read yet, not even the greeting.
func NewClient(t testing.TB, nc net.Conn) *Client {
	nc.SetDeadline(time.Now().Add(Timeout))
	t.Cleanup(func() { nc.Close() })
	return &Client{T: t, Conn: nc, Reader: bufio.NewReader(nc)}
}

// Dial connects to addr; the greeting is still to be read.
func Dial(t testing.TB, network, addr string) *Client {
	t.Helper()
	nc, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	return NewClient(t, nc)
}

// DialFrom connects to addr over TCP from the loopback address ip
// (127.0.0.2, ...), so that a test can be several clients to the server's
// per-address limits; the greeting is still to be read.
func DialFrom(t testing.TB, ip, addr string) *Client {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return NewClient(t, nc)
}

// DialTLS connects to addr over TLS (SMTPS) with cfg and runs the
// handshake; the greeting is still to be read.
func DialTLS(t testing.TB, addr string, cfg *tls.Config) *Client {
	t.Helper()
	nc, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return NewClient(t, nc)
}

// Send writes the lines, each ended by CRLF, in one write.
func (c *Client) Send(lines ...string) {
	c.T.Helper()
	c.Write(strings.Join(lines, "\r\n") + "\r\n")
}

// Write writes s as it is, in one write.
func (c *Client) Write(s string) {
	c.T.Helper()
	if _, err := io.WriteString(c.Conn, s); err != nil {
		c.T.Fatalf("write %.80q: %v", s, err)
	}
}

// Reply reads one reply, all its lines, and returns them joined by "\n"
// without their CRLFs.
func (c *Client) Reply() string {
	c.T.Helper()
	return c.readReply("")
}

// Expect reads one reply, checks that its last line starts with want, and
// returns it as Reply does.
func (c *Client) Expect(want string) string {
	c.T.Helper()
	rep := c.readReply(want)
	if last := rep[strings.LastIndexByte(rep, '\n')+1:]; !strings.HasPrefix(last, want) {
		c.T.Fatalf("got %q, want %q", rep, want)
	}
	return rep
}

// ExpectAll reads one reply per prefix, in order.
func (c *Client) ExpectAll(want ...string) {
	c.T.Helper()
	for _, w := range want {
		c.Expect(w)
	}
}

// readReply reads one reply; want, when not empty, is named if it fails.
func (c *Client) readReply(want string) string {
	c.T.Helper()
	var lines []string
	for {
		line, err := c.Reader.ReadString('\n')
		if err != nil {
			c.T.Fatalf("reading a reply after %q: %v (got %q, want %q)", lines, err, line, want)
		}
		if !strings.HasSuffix(line, "\r\n") {
			c.T.Fatalf("reply line %q does not end with CRLF", line)
		}
		line = strings.TrimSuffix(line, "\r\n")
		lines = append(lines, line)
		if len(line) < 4 || line[3] != '-' {
			return strings.Join(lines, "\n")
		}
	}
}

// ExpectClosed checks that the server closes the connection without
// sending anything more.
func (c *Client) ExpectClosed() {
	c.T.Helper()
	if b, err := io.ReadAll(c.Reader); len(b) > 0 {
		c.T.Fatalf("got %q (%v), want the connection closed", b, err)
	} else if IsTimeout(err) {
		c.T.Fatal("the connection is still open")
	}
}

// StartTLS runs the client's handshake on the connection, once the
// server said 220 to STARTTLS (or after a PROXY header in front of
// SMTPS), and goes on over TLS. Nothing the server sent may be waiting
// unread (the plaintext injection of CVE-2011-0411).
func (c *Client) StartTLS(cfg *tls.Config) {
	c.T.Helper()
	if n := c.Reader.Buffered(); n > 0 {
		b, _ := c.Reader.Peek(n)
		c.T.Fatalf("plaintext after the 220 to STARTTLS: %q", b)
	}
	tc := tls.Client(c.Conn, cfg)
	if err := tc.Handshake(); err != nil {
		c.T.Fatalf("client handshake: %v", err)
	}
	c.Conn, c.Reader = tc, bufio.NewReader(tc)
}

// Deliver sends one message through a greeted session, MAIL, RCPT and
// DATA pipelined in one write, and expects it accepted. body ends with
// CRLF; Deliver adds the dot.
func (c *Client) Deliver(from, to, body string) {
	c.T.Helper()
	c.Send("MAIL FROM:<"+from+">", "RCPT TO:<"+to+">", "DATA")
	c.ExpectAll("250", "250", "354")
	c.Send(body + ".")
	c.Expect("250")
}

// IsTimeout tells whether err is a deadline that passed.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
