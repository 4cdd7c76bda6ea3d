package fuzz

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/transport"
)

// scriptConn is a connection whose peer sends script and then closes: the
// driver reads the script in pieces of at most chunk bytes (0: as much as
// it asks), and what it writes is kept. Deadlines are ignored: the script
// never makes the server wait, so a fuzz input runs in microseconds.
type scriptConn struct {
	mu     sync.Mutex
	script []byte
	chunk  int
	out    bytes.Buffer
}

func (c *scriptConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.script) == 0 {
		return 0, io.EOF
	}
	if c.chunk > 0 && len(p) > c.chunk {
		p = p[:c.chunk]
	}
	n := copy(p, c.script)
	c.script = c.script[n:]
	return n, nil
}

func (c *scriptConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(p)
}

func (c *scriptConn) output() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.out.Bytes())
}

func (c *scriptConn) Close() error        { return nil }
func (c *scriptConn) LocalAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 25} }
func (c *scriptConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// ledger is a handler that answers each message with a 250 naming it,
// whether or not its stream ended whole: the server must keep the 250 of a
// message that did not arrive whole from the client.
type ledger struct {
	mu     sync.Mutex
	n      int
	broken map[string]bool // reply text -> the stream failed
}

func (l *ledger) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	_, err := io.Copy(io.Discard, msg)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	text := fmt.Sprintf("queued as M%d", l.n)
	l.broken[text] = err != nil
	return hooks.Reply{Code: 250, Enhanced: "2.0.0", Text: text}
}

// preStates are where a fuzz input starts from.
var preStates = []string{
	"",
	"EHLO fuzz.test\r\n",
	"EHLO fuzz.test\r\nMAIL FROM:<a@x.test>\r\n",
	"EHLO fuzz.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\n",
	"EHLO fuzz.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n",
	"EHLO fuzz.test\r\nAUTH PLAIN\r\n",
}

var (
	wellFormedReply = regexp.MustCompile(`^[2-5][0-9][0-9][ -][^\r\n]*\r\n$`)
	queued          = regexp.MustCompile(`(?m)^250 2\.0\.0 (queued as M[0-9]+)\r$`)
)

// runScript serves one session of script and checks the invariants: it
// ends, every line written is a well-formed reply, and no message whose
// stream failed is answered 250.
func runScript(t *testing.T, state byte, chunk uint8, script []byte) {
	h := &ledger{broken: map[string]bool{}}
	o := &transport.Options{Logger: discard, Handler: h}
	o.Core.Hostname = "mx.fuzz"
	o.Authenticator = hooks.Passwords{"user": "pass"}
	o.Core.AuthCleartext = true
	o.Core.MaxMessageSize = 4096
	o.HandlerTimeout = time.Second
	full := append([]byte(preStates[int(state)%len(preStates)]), script...)
	nc := &scriptConn{script: full, chunk: int(chunk)}
	serveScript(t, nc, o)
	out := nc.output()
	for _, line := range bytes.SplitAfter(out, []byte("\r\n")) {
		if len(line) > 0 && !wellFormedReply.Match(line) {
			t.Fatalf("malformed reply line %q for %q", line, full)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range queued.FindAllSubmatch(out, -1) {
		if broken, ok := h.broken[string(m[1])]; !ok || broken {
			t.Fatalf("250 %q for a message the handler did not receive whole, for %q", m[1], full)
		}
	}
}

// serveScript runs one session over nc and fails the test if it has not
// ended within 5 seconds.
func serveScript(t *testing.T, nc *scriptConn, o *transport.Options) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		transport.ServeConn(context.Background(), nc, o)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("the session hangs on %q", nc.script)
	}
}

// FuzzSession (T-37): the whole server, driver and core, over a scripted
// connection that never makes the server wait, from several starting states
// and read in pieces of every size: the session ends, every line written
// is a well-formed reply, and no message whose stream failed gets its 250.
// FuzzServer checks more against a model; this one runs an input in
// microseconds.
func FuzzSession(f *testing.F) {
	seeds := []string{
		"", "QUIT\r\n", "hello\r\n.\r\n", "hello\n.\nMAIL FROM:<s@x.test>\r\n", "BDAT 3 LAST\r\nabc",
		"BDAT 9 LAST\r\nMAIL FROM", "BDAT 3\r\nabcBDAT 2 LAST\r\nde", "AGEAYg==\r\n", "*\r\n",
		"RCPT TO:<c@d.test>\r\nDATA\r\nx\r\n.\r\n", "STARTTLS\r\nRSET\r\n", "GET / HTTP/1.1\r\n\r\n",
		"x\x00y\r\n.\r\n", "half a message", "MAIL FROM:<a@b.c> SIZE=99999\r\n",
	}
	for i, s := range seeds {
		for state := range preStates {
			f.Add(byte(state), uint8(i%4), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, state byte, chunk uint8, script []byte) {
		runScript(t, state, chunk, script)
	})
}
