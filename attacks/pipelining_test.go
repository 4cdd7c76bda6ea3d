package attacks_test

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// T-19 (a): bytes sent before the greeting are not refused (gosmtpd has no
// strict pipelining mode): they wait until the greeting is written and are
// then answered in order.
func TestBytesBeforeGreeting(t *testing.T) {
	rec := newRecorder()
	c := dial(t, "tcp", start(t, &gosmtpd.Server{Handler: rec}))
	c.send("EHLO early.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	c.expectAll("220 ", "250 ", "250 2.1.0", "250 2.1.5", "354 ")
	c.send("hello", ".")
	c.expect("250 2.0.0")
	if m := rec.next(t); m.body != "hello\r\n" {
		t.Fatalf("delivered %q", m.body)
	}
}

// refuseAll refuses every recipient.
type refuseAll struct{ *recorder }

func (refuseAll) HandleRCPT(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	return hooks.Reply{Code: 550, Enhanced: "5.1.1", Text: "No such user"}
}

// T-19 (b): DATA and a message body in one write, when every recipient is
// refused: DATA gets 503 and no message is ever delivered. gosmtpd has no
// strict pipelining mode: the body lines are then read as commands, each
// answered in order, so the stream stays in sync.
func TestBodyPipelinedAfterRefusedDATA(t *testing.T) {
	h := refuseAll{newRecorder()}
	c := connect(t, start(t, &gosmtpd.Server{Handler: h}))
	c.send("EHLO client.test")
	c.expect("250 ")
	c.send("MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA", "Subject: hi", "", "hello", ".", "NOOP")
	c.expectAll("250 2.1.0", "550 5.1.1", "503 5.5.1")
	c.expectRun(4, "50")  // the four body lines: unknown commands or bad syntax
	c.expect("250 2.0.0") // the NOOP
	c.send("QUIT")
	c.expect("221")
	if n := len(h.delivered()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}

// writeCounter counts the writes on the server's side of a connection.
type writeCounter struct {
	net.Conn
	writes atomic.Int32
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.writes.Add(1)
	return w.Conn.Write(p)
}

// T-20: EHLO, MAIL, 50 RCPT and DATA in one write get their 53 replies in
// order, in one write; the message is delivered once.
func TestLegitimatePipelining(t *testing.T) {
	rec := newRecorder()
	var wc *writeCounter
	s := servePipe(t, pipeOptions(rec), func(c net.Conn) net.Conn {
		wc = &writeCounter{Conn: c}
		return wc
	})
	wc.writes.Store(0)
	batch := []string{"EHLO client.test", "MAIL FROM:<a@x.test>"}
	for i := range 50 {
		batch = append(batch, fmt.Sprintf("RCPT TO:<r%d@y.test>", i))
	}
	s.send(append(batch, "DATA")...)
	s.expectAll("250 ", "250 2.1.0")
	s.expectRun(50, "250 2.1.5")
	s.expect("354 ")
	if n := wc.writes.Load(); n != 1 {
		t.Fatalf("53 replies in %d writes, want 1", n)
	}
	s.send("hello", ".")
	s.expect("250 2.0.0")
	s.send("QUIT")
	s.expect("221")
	s.wait()
	if msgs := rec.delivered(); len(msgs) != 1 || len(msgs[0].rcpts) != 50 {
		t.Fatalf("delivered %d messages, want 1 to 50 recipients", len(msgs))
	}
}

// totalAlloc is the number of bytes allocated so far.
func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// T-21: a client that pipelines a million NOOPs and never reads a reply
// is dropped at the write timeout; replies do not pile up meanwhile.
func TestClientNeverReadsReplies(t *testing.T) {
	addr := start(t, &gosmtpd.Server{Handler: newRecorder(), WriteTimeout: 200 * time.Millisecond})
	c := dial(t, "tcp", addr)
	flood := []byte(strings.Repeat("NOOP\r\n", 1_000_000))
	before := totalAlloc()
	began := time.Now()
	_, err := c.nc.Write(flood) // blocks once the socket buffers are full
	allocated := totalAlloc() - before
	if err == nil || isTimeout(err) {
		t.Fatalf("the 6 MB write ended with %v, want the server gone", err)
	}
	t.Logf("dropped after %v; %d bytes allocated meanwhile", time.Since(began), allocated)
	if allocated > 1<<20 {
		t.Fatalf("%d bytes allocated while the client did not read, want under 1 MiB", allocated)
	}
}
