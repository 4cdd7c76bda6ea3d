package attacks_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/fsm"
)

// rcptBatch is n pipelined RCPT commands, numbered from first.
func rcptBatch(first, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "RCPT TO:<r%d@y.test>\r\n", first+i)
	}
	return b.String()
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// pipeline writes batch on its own goroutine while the caller reads.
func (c *client) pipeline(batch string) <-chan error {
	errc := make(chan error, 1)
	go func() {
		_, err := c.Conn.Write([]byte(batch))
		errc <- err
	}()
	return errc
}

// expectRun reads n replies, each starting with want.
func (c *client) expectRun(n int, want string) {
	c.T.Helper()
	for i := range n {
		if rep := c.Reply(); !strings.HasPrefix(rep, want) {
			c.T.Fatalf("reply %d: got %q, want %q", i, rep, want)
		}
	}
}

// T-16: 100,000 pipelined recipients: 452 4.5.3 past MaxRecipients, no
// memory kept per refused recipient, and the session still delivers to
// the accepted ones. (By default the session ends after 1,000 refused
// recipients and 20 more, TestRecipientOvershoot: here the overshoot is
// unlimited, to measure the memory.)
func TestRecipientFlood(t *testing.T) {
	rec := newRecorder()
	c := connect(t, start(t, &gosmtpd.Server{Handler: rec, Core: &fsm.Config{MaxOvershoot: -1}}))
	first, rest := rcptBatch(0, 2000), rcptBatch(2000, 98000)
	c.Send("EHLO client.test", "MAIL FROM:<a@x.test>")
	c.ExpectAll("250 ", "250 2.1.0")
	errc := c.pipeline(first)
	c.expectRun(1000, "250 2.1.5")
	c.expectRun(1000, "452 4.5.3")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	before := liveHeap()
	errc = c.pipeline(rest)
	c.expectRun(98000, "452 4.5.3")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	after := liveHeap()
	t.Logf("live heap: %d bytes before the 98,000 refused recipients, %d after", before, after)
	if grew := int64(after) - int64(before); grew > 64<<10 {
		t.Fatalf("the live heap grew by %d bytes over 98,000 refused recipients", grew)
	}
	runtime.KeepAlive(rest)
	c.Send("DATA")
	c.Expect("354 ")
	c.Send("x", ".")
	c.Expect("250 2.0.0")
	if m := rec.Next(t); len(m.Rcpts) != 1000 || m.Rcpts[999] != "r999@y.test" {
		t.Fatalf("delivered to %d recipients, want the first 1000", len(m.Rcpts))
	}
}

// T-17: an error flood: 20 (MaxErrors) 5xx replies, then 421 4.7.0 and
// close instead of a 21st; successes in between do not reset the count.
func TestErrorFlood(t *testing.T) {
	addr := start(t, &gosmtpd.Server{Handler: newRecorder()})
	c := connect(t, addr)
	outOfSequence := "RCPT TO:<b@y.test>\r\n" // 503 before MAIL
	c.Write(strings.Repeat(outOfSequence, 1000))
	c.expectRun(20, "503 5.5.1")
	c.Expect("421 4.7.0")
	c.ExpectClosed()

	c = connect(t, addr)
	c.Write(strings.Repeat(outOfSequence, 10) + strings.Repeat("NOOP\r\n", 100) + strings.Repeat(outOfSequence, 11) + "NOOP\r\n")
	c.expectRun(10, "503 5.5.1")
	c.expectRun(100, "250 2.0.0")
	c.expectRun(10, "503 5.5.1")
	c.Expect("421 4.7.0")
	c.ExpectClosed()
}

// T-17: a flood of unknown commands ends with 421 4.7.0 and close after
// at most MaxErrors (20) replies of 500 5.5.1.
func TestUnknownCommandFlood(t *testing.T) {
	c := connect(t, start(t, &gosmtpd.Server{Handler: newRecorder()}))
	c.Write(strings.Repeat("JUNK\r\n", 1000))
	for i := 0; ; i++ {
		rep := c.Reply()
		if strings.HasPrefix(rep, "421 4.7.0") {
			break
		}
		if !strings.HasPrefix(rep, "500 5.5.1") || i == 20 {
			t.Fatalf("reply %d: %q, want 500 5.5.1 and at most 20 of them before 421 4.7.0", i, rep)
		}
	}
	c.ExpectClosed()
}

// T-17: past 100 junk commands (NOOP, RSET, VRFY, HELP) each counts as
// an error (TestJunkCommands); a call limit, aiosmtpd's
// command_call_limit, ends the session with 421 4.7.0 sooner.
func TestNOOPFlood(t *testing.T) {
	srv := &gosmtpd.Server{Handler: newRecorder(), Core: &fsm.Config{CallLimits: map[string]int{"NOOP": 50}}}
	c := connect(t, start(t, srv))
	c.Write(strings.Repeat("NOOP\r\n", 1000))
	c.expectRun(50, "250 2.0.0")
	c.Expect("421 4.7.0")
	c.ExpectClosed()
}

// T-18: an HTTP request line as the first command gets 500 5.5.1 and the
// connection is closed at once (ALPACA).
func TestCrossProtocolHTTP(t *testing.T) {
	addr := start(t, &gosmtpd.Server{Handler: newRecorder()})
	for _, req := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nMAIL",
		"CONNECT mx.test:25 HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		t.Run(strings.Fields(req)[0], func(t *testing.T) {
			c := connect(t, addr)
			c.Write(req)
			c.Expect("500 5.5.1")
			c.ExpectClosed()
		})
	}
}
