package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// TestCLISignalsDuringShutdown: signals that keep coming while the command
// shuts down (an impatient operator, a supervisor's retries) stop it at
// once but never kill it: it still exits 0 with its last log lines
// written, the line of the message it had just accepted among them.
func TestCLISignalsDuringShutdown(t *testing.T) {
	t.Parallel()
	p := startCLI(t, "-n", "-c", "sink", "-l", "127.0.0.1:0")
	c := testkit.Dial(t, "tcp", p.Addr)
	c.Expect("220")
	c.Send("EHLO c")
	c.ExpectAll("250")
	c.Deliver("a@example.com", "b@example.com", "Subject: hi\r\n\r\nhello\r\n")
	deadline := time.After(10 * time.Second)
	for stopped := false; !stopped; {
		p.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.Done:
			stopped = true
		case <-deadline:
			t.Fatal("still running 10 s into a stream of SIGTERM")
		case <-time.After(200 * time.Microsecond):
		}
	}
	if code := p.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d (%v) under repeated SIGTERM\n%s", code, p.Err, p.Stderr.String())
	}
	if !strings.Contains(p.Stderr.String(), `msg="message accepted"`) {
		t.Fatalf("the accepted message's line is missing:\n%s", p.Stderr.String())
	}
}
