package transport_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/observe"
	"github.com/gosmtpd/gosmtpd/transport"
)

// txnClient sends one prebuilt transaction and reads its replies without
// allocating, so that what an allocation count sees is the server's.
type txnClient struct {
	conn net.Conn
	r    *bufio.Reader
	txn  []byte
}

var pipelinedTxn = []byte("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" +
	"Subject: s\r\n\r\n" + strings.Repeat("body line\r\n", 90) + ".\r\n")

// serveLoopback serves a session with o on loopback TCP, greeted with EHLO.
func serveLoopback(tb testing.TB, o *transport.Options) *txnClient {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	cli, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := l.Accept()
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- transport.ServeConn(context.Background(), srv, o) }()
	tb.Cleanup(func() {
		cli.Close()
		<-done
	})
	c := &txnClient{conn: cli, r: bufio.NewReader(cli), txn: pipelinedTxn}
	c.expect(tb, 1)
	cli.Write([]byte("EHLO c\r\n"))
	c.expect(tb, 1)
	return c
}

// expect reads n replies, failing on any that is not 2xx or 3xx.
func (c *txnClient) expect(tb testing.TB, n int) {
	for n > 0 {
		line, err := c.r.ReadSlice('\n')
		if err != nil || len(line) < 4 || line[0] > '3' {
			tb.Fatalf("reply %q (%v)", line, err)
		}
		if line[3] == ' ' {
			n--
		}
	}
}

// round sends the transaction, MAIL, RCPT and DATA in one write, then the
// body, as an RFC 2920 client does, and reads the four replies.
func (c *txnClient) round(tb testing.TB) {
	i := bytes.Index(c.txn, []byte("DATA\r\n")) + len("DATA\r\n")
	c.conn.Write(c.txn[:i])
	c.expect(tb, 3)
	c.conn.Write(c.txn[i:])
	c.expect(tb, 1)
}

// A steady-state transaction through ServeConn over a socket, to a Sink or
// to no handler, allocates nothing.
func TestSteadyTransactionAllocates(t *testing.T) {
	for name, h := range map[string]hooks.Handler{"no handler": nil, "Sink": handlers.Sink{}} {
		c := serveLoopback(t, options(h))
		for range 20 {
			c.round(t) // warm up: buffers grown, pools filled
		}
		if n := testing.AllocsPerRun(200, func() { c.round(t) }); n > 0.1 {
			t.Errorf("%s: %.2f allocations per transaction", name, n)
		}
	}
}

// An Observer costs no allocation either: the events are reported from
// one value that the session reuses.
func TestObservedTransactionAllocates(t *testing.T) {
	var events atomic.Int64
	o := options(handlers.Sink{})
	o.Observer = observe.Func(func(*observe.Event) { events.Add(1) })
	c := serveLoopback(t, o)
	for range 20 {
		c.round(t)
	}
	if n := testing.AllocsPerRun(200, func() { c.round(t) }); n > 0.1 {
		t.Errorf("%.2f allocations per observed transaction", n)
	}
	if n := events.Load(); n < 3*220 {
		t.Errorf("%d events for 220 transactions, want at least MAIL, RCPT and the message of each", n)
	}
}

// A message through a DATA hook that reads it costs one allocation, the
// hook call's context, when it names the last message's sender and
// recipient; three when they change (the addresses, which the hook may
// keep). The hook runs on the session's goroutine and reads the core's own
// buffer: no goroutine, channel or copy.
func TestDATAHookTransactionAllocates(t *testing.T) {
	c := serveLoopback(t, options(reader{}))
	for range 20 {
		c.round(t)
	}
	if n := testing.AllocsPerRun(200, func() { c.round(t) }); n > 1.1 {
		t.Errorf("%.2f allocations per transaction through a DATA hook, same addresses; want at most 1", n)
	}
	other := bytes.ReplaceAll(bytes.ReplaceAll(pipelinedTxn, []byte("a@x"), []byte("c@x")), []byte("b@y"), []byte("d@y"))
	txns := [2][]byte{pipelinedTxn, other}
	turn := 0
	n := testing.AllocsPerRun(200, func() {
		turn ^= 1
		c.txn = txns[turn]
		c.round(t)
	})
	if n < 2.9 || n > 3.1 {
		t.Errorf("%.2f allocations per transaction through a DATA hook, new addresses each time; want 3", n)
	}
}

// reader is a DATA hook that reads each message to its end and accepts it:
// what a handler that does something with the message costs the server.
type reader struct{}

func (reader) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	_, err := io.Copy(io.Discard, msg)
	return err
}

func BenchmarkTransactionOverTCP(b *testing.B) {
	// Observed: every event reported to an Observer that does nothing;
	// logged: a line per message written to a file, as the command does.
	observed := options(handlers.Sink{})
	observed.Observer = observe.Func(func(*observe.Event) {})
	logFile, err := os.Create(filepath.Join(b.TempDir(), "log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logFile.Close()
	logged := options(handlers.Sink{})
	logged.Observer = observe.Log(slog.New(slog.NewTextHandler(logFile, nil)))
	for name, o := range map[string]*transport.Options{"Sink": options(handlers.Sink{}),
		"DATA hook": options(reader{}), "Sink observed": observed, "Sink logged": logged} {
		b.Run(name, func(b *testing.B) {
			c := serveLoopback(b, o)
			b.ReportAllocs()
			b.SetBytes(int64(len(c.txn)))
			for b.Loop() {
				c.round(b)
			}
		})
	}
}
