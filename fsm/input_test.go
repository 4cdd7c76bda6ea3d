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

// pool is a BufferPool that counts what it lends and takes back.
type pool struct {
	free       [][]byte
	gets, puts int
}

func (p *pool) Get(size int) []byte {
	p.gets++
	if n := len(p.free); n > 0 && len(p.free[n-1]) == size {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		return b
	}
	return nil
}

func (p *pool) Put(b []byte) { p.puts++; p.free = append(p.free, b) }

// A session with nothing pending lends its input buffer back to
// Config.Buffers when it asks for data, borrows one at the next Fill, and
// goes on as before; a read that got nothing lends it back too.
func TestInputLentWhenIdle(t *testing.T) {
	p := &pool{}
	c := NewConn(&Config{Buffers: p})
	runDefaults(c, "EHLO c\r\n")
	if len(p.free) != 1 || len(p.free[0]) != 8192 || c.in != nil {
		t.Fatalf("after EHLO the pool holds %d buffers, the core %d bytes: want 1 and none", len(p.free), len(c.in))
	}
	b := p.free[0]
	if &c.Fill()[0] != &b[0] || len(p.free) != 0 {
		t.Fatal("Fill does not borrow the buffer lent back")
	}
	c.Filled(0) // the read got nothing
	if len(p.free) != 1 || c.in != nil {
		t.Fatal("an empty read kept the buffer")
	}
	if out := runDefaults(c, "MAIL FROM:<a@b.c>\r\n"); !strings.HasPrefix(out, "250 ") {
		t.Fatalf("MAIL after a borrowed buffer: %q", out)
	}
	if out := runDefaults(NewConn(&Config{}), "EHLO c\r\n"); !strings.HasPrefix(out, "220 ") {
		t.Fatalf("without a pool: %q", out)
	}
}

// The buffer stays while it holds part of a command or while a hook's
// question, whose slices point into it, is unresolved; a grown buffer is
// dropped, not lent back.
func TestInputKeptWhileInUse(t *testing.T) {
	p := &pool{}
	c := NewConn(&Config{Buffers: p})
	runDefaults(c, "EHLO c\r\nMAIL FROM:<a@b")
	if p.puts != 0 || c.in == nil {
		t.Fatal("lent a buffer holding part of a command")
	}
	if out := runDefaults(c, ".c>\r\n"); !strings.HasPrefix(out, "250 ") {
		t.Fatalf("the rest of the command: %q", out)
	}

	asking := NewConn(&Config{Hooks: HookSet(0).With(HookRCPT), Buffers: &pool{}})
	runDefaults(asking, "EHLO c\r\nMAIL FROM:<a@b.c>\r\n")
	asking.Receive([]byte("RCPT TO:<d@e.f>\r\n"))
	if a := asking.Next(); a.Kind != ActAsk {
		t.Fatalf("got %v, want the RCPT question", a.Kind)
	}
	asking.releaseInput()
	if asking.in == nil {
		t.Fatal("lent the buffer under an unresolved question")
	}

	gp := &pool{}
	grown := NewConn(&Config{Buffers: gp})
	grown.Receive([]byte(strings.Repeat("x", 10000)))
	grown.r = grown.w // consumed
	grown.releaseInput()
	if gp.puts != 0 || grown.in != nil {
		t.Fatalf("a grown buffer: %d lent back, core holds %d bytes; want none and none", gp.puts, len(grown.in))
	}
}
