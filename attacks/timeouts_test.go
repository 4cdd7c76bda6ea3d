package attacks_test

import (
	"errors"
	"io"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
)

// trickle writes s to c one byte every gap, on its own goroutine, until s
// is spent, a write fails or the test ends.
func trickle(t testing.TB, c *client, s string, gap time.Duration) {
	stop := make(chan struct{})
	done := make(chan struct{})
	t.Cleanup(func() { close(stop); <-done })
	go func() {
		defer close(done)
		for i := range len(s) {
			if _, err := io.WriteString(c.Conn, s[i:i+1]); err != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(gap):
			}
		}
	}()
}

// T-06: a command trickled one byte at a time is cut off when the command
// timeout passes (bytes do not renew it) with 421 4.4.2, while another
// session goes on.
func TestSlowlorisCommandTrickle(t *testing.T) {
	addr := start(t, &gosmtpd.Server{Handler: newRecorder(), Timeout: 300 * time.Millisecond})
	slow, other := connect(t, addr), connect(t, addr)
	began := time.Now()
	trickle(t, slow, "EHLO slowly.example.com.example.com.example.com.example.com\r\n", 50*time.Millisecond)
	cut := make(chan time.Duration, 1)
	go func() {
		line, _ := slow.Reader.ReadString('\n')
		if len(line) < 9 || line[:9] != "421 4.4.2" {
			t.Errorf("slow client got %q, want 421 4.4.2", line)
		}
		cut <- time.Since(began)
	}()
	for range 8 { // the other session, 800ms of commands
		time.Sleep(100 * time.Millisecond)
		other.Send("NOOP")
		other.Expect("250 2.0.0")
	}
	// Renewed by each byte, the deadline would let the 63-byte line in
	// after 3.2 s; cut at 300ms, it never arrives.
	if d := <-cut; d > 2*time.Second {
		t.Fatalf("cut off after %v, want about 300ms", d)
	}
	slow.ExpectClosed()
}

// T-07: a message body trickling in below the minimum rate gets
// 421 4.4.2; the hook's stream fails with io.ErrUnexpectedEOF and nothing
// is delivered. (MinDataRate is a transport.Options setting: the Server
// does not expose it.)
func TestSlowDATABelowMinimumRate(t *testing.T) {
	h := newRecorder()
	o := pipeOptions(h)
	o.Core.DataTimeout = 200 * time.Millisecond
	o.MinDataRate = 1000 // bytes per second
	s := servePipe(t, o, nil)
	s.transaction()
	trickle(t, s.client, string(make([]byte, 1000)), 20*time.Millisecond) // 50 B/s, each byte well within the data timeout
	s.Expect("421 4.4.2")
	if m := h.Next(t); !errors.Is(m.Err, io.ErrUnexpectedEOF) {
		t.Fatalf("the stream ended with %v, want io.ErrUnexpectedEOF", m.Err)
	}
	if n := len(h.Delivered()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
	s.wait()
}

// T-08: a client that sends nothing gets 421 4.4.2 when the command
// timeout passes, and not before; then the connection is closed.
func TestIdleTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	c := connect(t, start(t, &gosmtpd.Server{Handler: newRecorder(), Timeout: timeout}))
	began := time.Now()
	c.Expect("421 4.4.2")
	if d := time.Since(began); d < timeout-10*time.Millisecond {
		t.Fatalf("421 after %v, before the %v timeout", d, timeout)
	}
	c.ExpectClosed()
}
