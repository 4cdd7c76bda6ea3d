package testkit

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// pipe runs fn on a fake test with a Client on one end of net.Pipe, the
// server's side writing out and then closing. It returns the fake and
// what the client wrote.
func pipe(t *testing.T, out string, fn func(c *Client)) (*fakeTB, string) {
	return pipeThen(t, out, true, fn)
}

// pipeThen is pipe; when hangUp is false, the server's side stays open
// until the client has done.
func pipeThen(t *testing.T, out string, hangUp bool, fn func(c *Client)) (*fakeTB, string) {
	srv, cli := net.Pipe()
	got := make(chan string, 1)
	go func() {
		go func() { b, _ := io.ReadAll(srv); got <- string(b) }()
		io.WriteString(srv, out)
		if hangUp {
			srv.Close()
		}
	}()
	f := run(func(tb *fakeTB) {
		c := NewClient(t, cli) // the real test owns the close
		c.T = tb
		fn(c)
	})
	cli.Close()
	return f, <-got
}

func TestClientReadsMultilineReplies(t *testing.T) {
	var caps, next string
	f, sent := pipeThen(t, "220 mx.test\r\n250-mx.test\r\n250-PIPELINING\r\n250 SIZE 10\r\n550 5.1.1 no\r\n", false, func(c *Client) {
		c.Expect("220 mx")
		c.Send("EHLO a", "MAIL FROM:<x@y>")
		caps = c.Expect("250 ")
		next = c.Reply()
	})
	if f.failed || caps != "250-mx.test\n250-PIPELINING\n250 SIZE 10" || next != "550 5.1.1 no" {
		t.Fatalf("failed %v (%s); caps %q, next %q", f.failed, f.msg, caps, next)
	}
	if sent != "EHLO a\r\nMAIL FROM:<x@y>\r\n" {
		t.Fatalf("sent %q", sent)
	}
}

func TestClientFailsOnAnotherReply(t *testing.T) {
	f, _ := pipe(t, "250 ok\r\n554 no\r\n", func(c *Client) { c.ExpectAll("250", "250") })
	if !f.failed || !strings.Contains(f.msg, `"554 no"`) {
		t.Fatalf("failed %v, message %q", f.failed, f.msg)
	}
}

func TestClientFailsOnABareLF(t *testing.T) {
	f, _ := pipe(t, "220 mx.test\n", func(c *Client) { c.Expect("220") })
	if !f.failed || !strings.Contains(f.msg, "CRLF") {
		t.Fatalf("failed %v, message %q", f.failed, f.msg)
	}
}

func TestClientFailsOnAReplyCutShort(t *testing.T) {
	f, _ := pipe(t, "250-first\r\n", func(c *Client) { c.Expect("250") })
	if !f.failed || !strings.Contains(f.msg, "EOF") {
		t.Fatalf("failed %v, message %q", f.failed, f.msg)
	}
}

func TestExpectClosed(t *testing.T) {
	if f, _ := pipe(t, "221 bye\r\n", func(c *Client) { c.Expect("221"); c.ExpectClosed() }); f.failed {
		t.Fatalf("a closed connection failed: %s", f.msg)
	}
	if f, _ := pipe(t, "221 bye\r\nx", func(c *Client) { c.Expect("221"); c.ExpectClosed() }); !f.failed {
		t.Fatal("a byte before the close passed")
	}
}

func TestExpectClosedFailsOnAnOpenConnection(t *testing.T) {
	srv, cli := net.Pipe()
	defer srv.Close()
	c := NewClient(t, cli)
	c.Conn.SetDeadline(timeoutSoon())
	f := run(func(tb *fakeTB) { c.T = tb; c.ExpectClosed() })
	if !f.failed || !strings.Contains(f.msg, "still open") {
		t.Fatalf("failed %v, message %q", f.failed, f.msg)
	}
}

func TestDeliverPipelinesTheEnvelope(t *testing.T) {
	f, sent := pipeThen(t, "250 a\r\n250 b\r\n354 go\r\n250 queued\r\n", false, func(c *Client) {
		c.Deliver("a@x.test", "b@y.test", "Subject: s\r\n\r\nhi\r\n")
	})
	want := "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\nSubject: s\r\n\r\nhi\r\n.\r\n"
	if f.failed || sent != want {
		t.Fatalf("failed %v (%s); sent %q", f.failed, f.msg, sent)
	}
}

func timeoutSoon() time.Time { return time.Now().Add(50 * time.Millisecond) }
