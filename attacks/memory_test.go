package attacks_test

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// bodyBlock is 64 KiB of message lines, 78 octets and CRLF each, none
// starting with a dot: a message is this block sent again and again, so
// that its size costs the client no memory.
func bodyBlock() []byte {
	line := strings.Repeat("0123456789abcdef", 5)[:78] + "\r\n"
	return bytes.Repeat([]byte(line), 64<<10/len(line))
}

// stream writes size bytes of blocks to c.
func (c *client) stream(block []byte, size int64) {
	c.T.Helper()
	for sent := int64(0); sent < size; sent += int64(len(block)) {
		if _, err := c.Conn.Write(block); err != nil {
			c.T.Fatalf("after %d bytes: %v", sent, err)
		}
	}
}

// heapGrowth measures what f costs the process: the bytes allocated while
// it ran (every allocation, garbage included, so an upper bound on how
// much the heap can have grown), and the growth of the heap in use.
func heapGrowth(f func()) (allocated uint64, inUse int64) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, int64(after.HeapInuse) - int64(before.HeapInuse)
}

const gib = 1 << 30

// streamGiB sends a 1 GiB body and its final dot, expects want, and
// fails the test if the transfer cost the process 1 MiB of heap or more.
func (c *client) streamGiB(what, want string) {
	c.T.Helper()
	block := bodyBlock()
	allocated, inUse := heapGrowth(func() {
		c.stream(block, gib)
		c.Send(".")
		c.Expect(want)
	})
	c.T.Logf("%s: %d bytes allocated, heap in use grew by %d", what, allocated, inUse)
	if allocated >= 1<<20 || inUse >= 1<<20 {
		c.T.Fatalf("%s cost %d bytes allocated, %d in use; want under 1 MiB", what, allocated, inUse)
	}
}

// T-14: a 1 GiB message streams to a Sink in flat memory: the whole
// transfer allocates less than 1 MiB.
func TestGiantMessageToSinkInFlatMemory(t *testing.T) {
	c := connect(t, start(t, &gosmtpd.Server{Handler: handlers.Sink{}, MaxMessageSize: -1}))
	c.Conn.SetDeadline(time.Now().Add(3 * time.Minute))
	c.transaction()
	c.streamGiB("a 1 GiB message", "250 2.0.0")
}

// counter is a DATA hook that reads and counts the message bytes it gets,
// and reports how the stream ended.
type counter struct {
	n   atomic.Int64
	end chan error
}

func (h *counter) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	n, err := io.Copy(io.Discard, msg)
	h.n.Store(n)
	h.end <- err
	return err
}

// T-14: MAIL with SIZE past the limit gets 552 5.3.4 at once; a 1 GiB body
// sent without SIZE is read and discarded to its end, then answered
// 552 5.3.4; the hook never sees more than the limit; the heap stays flat;
// the session goes on.
func TestGiantMessagePastTheLimit(t *testing.T) {
	h := &counter{end: make(chan error, 1)}
	const limit = 32 << 20
	c := connect(t, start(t, &gosmtpd.Server{Handler: h}))
	c.Conn.SetDeadline(time.Now().Add(3 * time.Minute))
	c.Send("EHLO client.test", "MAIL FROM:<a@x.test> SIZE=5000000000")
	c.ExpectAll("250 ", "552 5.3.4")
	c.Send("MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	c.ExpectAll("250 2.1.0", "250 2.1.5", "354 ")
	c.streamGiB("1 GiB past the limit", "552 5.3.4")
	if err := <-h.end; err == nil {
		t.Fatal("the hook's stream of a refused message ended cleanly")
	}
	if n := h.n.Load(); n > limit {
		t.Fatalf("the hook read %d bytes, past the %d limit", n, limit)
	}
	c.Send("NOOP")
	c.Expect("250 2.0.0")
}

// expectNoAlloc checks that the next reply line starts with want, without
// allocating, so that what a measurement counts is the server's.
func (c *client) expectNoAlloc(want string) {
	c.T.Helper()
	line, err := c.Reader.ReadSlice('\n')
	if err != nil || !bytes.HasPrefix(line, []byte(want)) {
		c.T.Fatalf("got %q (%v), want %q", line, err, want)
	}
}

// T-12: a 64 MiB command line without a newline costs no more than the
// line limit: it is discarded as it arrives, answered 500 5.5.2 once it
// ends, and the session goes on.
func TestHugeCommandLine(t *testing.T) {
	const lineLimit = 512
	c := connect(t, start(t, &gosmtpd.Server{Handler: newRecorder()}))
	block := bytes.Repeat([]byte("A"), 64<<10)
	allocated, inUse := heapGrowth(func() {
		c.stream(block, 64<<20)
		c.Send("", "NOOP")
		c.expectNoAlloc("500 5.5.2")
		c.expectNoAlloc("250 2.0.0")
	})
	t.Logf("64 MiB line: %d bytes allocated, heap in use grew by %d", allocated, inUse)
	if allocated > lineLimit {
		t.Fatalf("a 64 MiB line cost %d bytes, more than the %d-octet line limit", allocated, lineLimit)
	}
}

// T-13: a 10 MiB line inside DATA: the message is refused with 500 5.5.2,
// memory stays bounded by the text line limit, and the stream stays in
// sync.
func TestHugeTextLine(t *testing.T) {
	rec := newRecorder()
	c := connect(t, start(t, &gosmtpd.Server{Handler: rec}))
	c.transaction()
	block := bytes.Repeat([]byte("x"), 64<<10)
	allocated, _ := heapGrowth(func() {
		c.Write("Subject: long\r\n\r\n")
		c.stream(block, 10<<20)
		c.Send("", "after the long line", ".")
		c.Expect("500 5.5.2")
	})
	t.Logf("10 MiB text line: %d bytes allocated", allocated)
	if allocated > 64<<10 {
		t.Fatalf("a 10 MiB text line cost %d bytes", allocated)
	}
	c.Send("NOOP")
	c.Expect("250 2.0.0")
	if n := len(rec.Delivered()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}
