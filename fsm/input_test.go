package fsm

import (
	"strings"
	"testing"
)

// runDefaults feeds in and answers every question with its default, until the core
// needs data; it returns the replies.
func runDefaults(c *Conn, in string) string {
	if in != "" {
		buf := c.Fill()
		n := 0
		for n < len(in) && n < len(buf) {
			buf[n] = in[n]
			n++
		}
		c.Filled(n)
	}
	for a := c.Next(); a.Kind != ActNeedData && a.Kind != ActClose; a = c.Next() {
		if a.Kind == ActAsk {
			c.Resolve(Decision{})
		}
	}
	return string(c.AppendOutbound(nil))
}

// A session with nothing pending hands its input buffer back, gets one
// made or restored at the next Fill, and goes on as before.
func TestReleaseInputWhenIdle(t *testing.T) {
	c := NewConn(&Config{})
	if got := c.MissingInput(); got != 8192 {
		t.Fatalf("a new Conn lacks %d bytes of input buffer, want 8192 (made at the first Fill)", got)
	}
	runDefaults(c, "EHLO c\r\n")
	b := c.ReleaseInput()
	if len(b) != 8192 || c.MissingInput() != 8192 {
		t.Fatalf("released %d bytes, missing %d: want 8192 and 8192", len(b), c.MissingInput())
	}
	if again := c.ReleaseInput(); again != nil {
		t.Fatalf("a second ReleaseInput gave %d bytes, want nil", len(again))
	}
	c.RestoreInput(b)
	if c.MissingInput() != 0 || &c.Fill()[0] != &b[0] {
		t.Fatal("Fill does not use the buffer given back with RestoreInput")
	}
	if out := runDefaults(c, "MAIL FROM:<a@b.c>\r\n"); !strings.HasPrefix(out, "250 ") {
		t.Fatalf("MAIL after a restored buffer: %q", out)
	}
	c.ReleaseInput()
	if out := runDefaults(c, "RCPT TO:<d@e.f>\r\n"); !strings.HasPrefix(out, "250 ") {
		t.Fatalf("RCPT after a released buffer, without RestoreInput: %q", out)
	}
}

// The buffer stays while it holds part of a command or while a hook's
// question, whose slices point into it, is unresolved; a grown buffer is
// dropped, not handed back, and one of the wrong size is not taken.
func TestReleaseInputKeepsWhatIsInUse(t *testing.T) {
	c := NewConn(&Config{})
	runDefaults(c, "EHLO c\r\nMAIL FROM:<a@b")
	if b := c.ReleaseInput(); b != nil {
		t.Fatal("released a buffer holding part of a command")
	}
	if out := runDefaults(c, ".c>\r\n"); !strings.HasPrefix(out, "250 ") {
		t.Fatalf("the rest of the command: %q", out)
	}

	asking := NewConn(&Config{Hooks: HookSet(0).With(HookRCPT)})
	runDefaults(asking, "EHLO c\r\nMAIL FROM:<a@b.c>\r\n")
	asking.Receive([]byte("RCPT TO:<d@e.f>\r\n"))
	if a := asking.Next(); a.Kind != ActAsk {
		t.Fatalf("got %v, want the RCPT question", a.Kind)
	}
	if b := asking.ReleaseInput(); b != nil {
		t.Fatal("released the buffer under an unresolved question")
	}

	grown := NewConn(&Config{})
	grown.Receive([]byte(strings.Repeat("x", 10000)))
	grown.Receive(nil)
	grown.r = grown.w // consumed
	if b := grown.ReleaseInput(); b != nil || grown.MissingInput() != 8192 {
		t.Fatalf("a grown buffer: released %d bytes, missing %d; want none and 8192", len(b), grown.MissingInput())
	}
	grown.RestoreInput(make([]byte, 100))
	if grown.MissingInput() != 8192 {
		t.Fatal("RestoreInput took a buffer of the wrong size")
	}
}
