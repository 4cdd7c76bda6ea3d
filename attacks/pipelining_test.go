package attacks_test

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// T-19 (a): bytes sent before the greeting are not refused (gosmtpd has no
// strict pipelining mode): they wait until the greeting is written and are
// then answered in order.
func TestBytesBeforeGreeting(t *testing.T) {
	rec := newRecorder()
	c := dial(t, "tcp", start(t, &gosmtpd.Server{Handler: rec}))
	c.Send("EHLO early.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	c.ExpectAll("220 ", "250 ", "250 2.1.0", "250 2.1.5", "354 ")
	c.Send("hello", ".")
	c.Expect("250 2.0.0")
	if m := rec.Next(t); m.Body != "hello\r\n" {
		t.Fatalf("delivered %q", m.Body)
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
	c.Send("EHLO client.test")
	c.Expect("250 ")
	c.Send("MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA", "Subject: hi", "", "hello", ".", "NOOP")
	c.ExpectAll("250 2.1.0", "550 5.1.1", "503 5.5.1")
	c.expectRun(4, "50")  // the four body lines: unknown commands or bad syntax
	c.Expect("250 2.0.0") // the NOOP
	c.Send("QUIT")
	c.Expect("221")
	if n := len(h.Delivered()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}

// T-20: EHLO, MAIL, 50 RCPT and DATA in one write get their 53 replies in
// order, in one write; the message is delivered once.
func TestLegitimatePipelining(t *testing.T) {
	rec := newRecorder()
	var wc *testkit.WriteCounter
	s := servePipe(t, pipeOptions(rec), func(c net.Conn) net.Conn {
		wc = &testkit.WriteCounter{Conn: c}
		return wc
	})
	wc.Writes.Store(0)
	batch := []string{"EHLO client.test", "MAIL FROM:<a@x.test>"}
	for i := range 50 {
		batch = append(batch, fmt.Sprintf("RCPT TO:<r%d@y.test>", i))
	}
	s.Send(append(batch, "DATA")...)
	s.ExpectAll("250 ", "250 2.1.0")
	s.expectRun(50, "250 2.1.5")
	s.Expect("354 ")
	if n := wc.Writes.Load(); n != 1 {
		t.Fatalf("53 replies in %d writes, want 1", n)
	}
	s.Send("hello", ".")
	s.Expect("250 2.0.0")
	s.Send("QUIT")
	s.Expect("221")
	s.wait()
	if msgs := rec.Delivered(); len(msgs) != 1 || len(msgs[0].Rcpts) != 50 {
		t.Fatalf("delivered %d messages, want 1 to 50 recipients", len(msgs))
	}
}

// totalAlloc is the number of bytes allocated so far.
func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// T-21: a client that pipelines NOOPs without end and never reads a reply
// is dropped at the write timeout; replies do not pile up meanwhile. The
// kernel buffers several MB of replies on loopback, so the flood goes on
// (up to 64 MB) until the server is gone.
func TestClientNeverReadsReplies(t *testing.T) {
	addr := start(t, &gosmtpd.Server{Handler: newRecorder(), WriteTimeout: 200 * time.Millisecond})
	c := dial(t, "tcp", addr)
	flood := []byte(strings.Repeat("NOOP\r\n", 1<<20/6))
	before := totalAlloc()
	began := time.Now()
	var err error
	for sent := 0; err == nil && sent < 64<<20; sent += len(flood) {
		_, err = c.Conn.Write(flood) // blocks once the socket buffers are full
	}
	allocated := totalAlloc() - before
	if err == nil || testkit.IsTimeout(err) {
		t.Fatalf("64 MB of NOOPs written, the last write ended with %v: want the server gone", err)
	}
	t.Logf("dropped after %v; %d bytes allocated meanwhile", time.Since(began), allocated)
	if allocated > 1<<20 {
		t.Fatalf("%d bytes allocated while the client did not read, want under 1 MiB", allocated)
	}
}
