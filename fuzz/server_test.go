package fuzz

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/transport"
)

// Where a FuzzServer session starts: the low two bits of start; bit 2 runs
// STARTTLS and its handshake first.
const (
	startGreeting    = iota // the fuzzed bytes come before the greeting is read
	startEHLO               // after EHLO
	startTransaction        // after MAIL and RCPT
	startData               // after DATA's 354: the fuzzed bytes are a body
	startTLS         = 4
)

// The configuration bits of FuzzServer's flags.
const (
	flagRandom     = 1 << iota // the handler refuses and fails at random points
	flagSmall                  // small limits: message, text line, command line, recipients
	flagBareReject             // refuse bare CR and LF in a body, and command lines ended by a bare LF
	flagNoLimit                // no error, unknown-command or AUTH failure limit
	flagSmallRead              // a small read buffer
	flagLMTP                   // speak LMTP, with a DATA hook that answers each recipient
	flagTrace                  // log at Debug: every command and reply
)

// FuzzServer drives the whole server with fuzzed bytes in fuzzed writes
// from each starting point; see the package documentation.
func FuzzServer(f *testing.F) {
	for _, s := range serverSeeds {
		f.Add(s.start, s.flags, uint64(1), []byte{200, 3, 17}, []byte(s.in))
		f.Add(s.start, s.flags|flagRandom, uint64(7), []byte{}, []byte(s.in))
	}
	f.Fuzz(func(t *testing.T, start, flags uint8, seed uint64, cuts, in []byte) {
		runSession(t, pipeLink(), start, flags, seed, cuts, in)
	})
}

// FuzzServerSocket is FuzzServer over a Unix socket pair instead of
// net.Pipe, so that the driver reads through its raw path, waits for the
// socket to be readable and lends its input buffer while it waits. It is
// slower: a session that ends by the client's half close often waits out
// the driver's probe (50 ms) before it reads the end of the stream.
func FuzzServerSocket(f *testing.F) {
	for _, s := range serverSeeds {
		f.Add(s.start, s.flags, uint64(1), []byte{200, 3, 17}, []byte(s.in))
		f.Add(s.start, s.flags|flagRandom, uint64(7), []byte{}, []byte(s.in))
	}
	f.Fuzz(func(t *testing.T, start, flags uint8, seed uint64, cuts, in []byte) {
		l, err := socketPair()
		if err != nil {
			t.Fatal(err)
		}
		runSession(t, l, start, flags, seed, cuts, in)
	})
}

var serverSeeds = []struct {
	start, flags uint8
	in           string
}{
	{startGreeting, 0, "EHLO c.fuzz\r\nMAIL FROM:<a@c.fuzz>\r\nRCPT TO:<b@mx.fuzz>\r\nDATA\r\nSubject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n"},
	{startEHLO, 0, "MAIL FROM:<a@c.fuzz>\r\nRCPT TO:<b@mx.fuzz>\r\nBDAT 5\r\nhelloBDAT 3 LAST\r\n.\r\nMAIL FROM:<>\r\n"},
	{startTransaction, flagBareReject, "DATA\r\nline\n.\nsmuggled\r\n.\r\nRSET\r\n"},
	{startEHLO, flagBareReject, "MAIL FROM:<a@c.fuzz>\nRCPT TO:<b@mx.fuzz>\r\nNOOP\n\r\n"},
	{startGreeting, 0, "EHLO typed.by.hand\nMAIL FROM:a@c.fuzz\nRCPT TO:b@mx.fuzz\nDATA\nline\n.\n\r\n.\r\nQUIT\n"},
	{startData, flagSmall, "a\r\n.b\r\n\r\n.\r\nMAIL FROM:<x@c.fuzz>\r\nRCPT TO:<y@mx.fuzz>\r\nDATA\r\n.\r\n"},
	{startEHLO, flagNoLimit, "AUTH PLAIN AHVzZXIAc2VjcmV0\r\nMAIL FROM:<a@c.fuzz> AUTH=<>\r\nRCPT TO:<b@mx.fuzz>\r\nDATA\r\nx\r\n.\r\n"},
	{startTLS | startEHLO, 0, "MAIL FROM:<a@c.fuzz>\r\nRCPT TO:<b@mx.fuzz>\r\nDATA\r\nover TLS\r\n.\r\nSTARTTLS\r\nQUIT\r\n"},
	{startTLS | startGreeting, flagSmallRead, "EHLO again\r\nSTARTTLS\r\nMAIL FROM:<a@c.fuzz>\r\n"},
	{startTLS | startData, 0, "body\r\n.\r\nQUIT\r\n"},
	{startGreeting, 0, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
	{startTransaction, flagSmall, "BDAT 2000\r\n"},
	{startEHLO, flagLMTP, "MAIL FROM:<a@c.fuzz>\r\nRCPT TO:<b@mx.fuzz>\r\nRCPT TO:<c@mx.fuzz>\r\nDATA\r\nto two\r\n.\r\n" +
		"MAIL FROM:<>\r\nRCPT TO:<d@mx.fuzz>\r\nRCPT TO:<e@mx.fuzz>\r\nBDAT 3\r\nabcBDAT 1 LAST\r\nd\r\nBDAT 0 LAST\r\nLHLO again\r\nEHLO c\r\n"},
	{startData, flagLMTP | flagSmall, "too big" + strings.Repeat("x\r\n", 600) + ".\r\nQUIT\r\n"},
	{startTLS | startTransaction, flagLMTP, "RCPT TO:<c@mx.fuzz>\r\nBDAT 2 LAST\r\nhiQUIT\r\n"},
	{startEHLO, flagTrace | flagRandom, "AUTH PLAIN AHVzZXIAc2VjcmV0\r\nNOOP a\rb\nc\r\nMAIL FROM:<a@c.fuzz>\r\nRCPT TO:<b@mx.fuzz>\r\nDATA\r\nx\r\n.\r\n"},
	{startEHLO, flagSmall | flagSmallRead, "XFUZZ a\r\nVRFY <x>\r\nNOOP\r\nHELP\r\nMAIL FROM:<a@c.fuzz>\r\nRCPT TO:<b@mx.fuzz>\r\nRCPT TO:<c@mx.fuzz>\r\nRCPT TO:<d@mx.fuzz>\r\nRCPT TO:<e@mx.fuzz>\r\nBDAT 0 LAST\r\n"},
}

// config is the server's configuration for a FuzzServer input, and its
// command line limit. With flagTrace it logs to logs at Debug.
func config(flags uint8, h *handler, logs io.Writer) (*transport.Options, int) {
	o := &transport.Options{Logger: discard, TLSConfig: serverTLS()}
	if flags&flagTrace != 0 {
		o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	o.Core = fsm.Config{Hostname: "mx.fuzz", MaxLineLength: 512, AuthCleartext: true}
	if flags&flagSmall != 0 {
		o.Core.MaxLineLength, o.Core.MaxMessageSize, o.Core.MaxTextLine, o.Core.MaxRecipients = 100, 1500, 80, 3
	}
	if flags&flagBareReject != 0 {
		o.Core.BareEOL, o.Core.BareLF = fsm.BareReject, fsm.LineRefuse
	}
	if flags&flagNoLimit != 0 {
		o.Core.MaxErrors, o.Core.MaxUnknown, o.Core.MaxAuthFailures = -1, -1, -1
	}
	if flags&flagSmallRead != 0 {
		o.Core.ReadBufferSize = 64
	}
	var handler hooks.Handler = h
	if h.lmtp {
		o.Core.LMTP, handler = true, lmtpHandler{h}
	}
	o.Handler, o.Authenticator = handler, hooks.Passwords{"user": "secret"}
	return o, o.Core.MaxLineLength
}

// runSession runs one FuzzServer input and checks the invariants.
func runSession(t *testing.T, l link, start, flags uint8, seed uint64, cuts, in []byte) {
	before := snapshot()
	h := newHandler(flags&flagRandom != 0, seed)
	h.lmtp = flags&flagLMTP != 0
	var logs testkit.Buffer
	o, maxLine := config(flags, h, &logs)
	cli := l.client
	done := make(chan error, 1)
	go func() { done <- transport.ServeConn(context.Background(), l.server, o) }()

	c := &client{nc: cli, r: bufio.NewReader(cli), greeting: "EHLO c.fuzz"}
	if h.lmtp {
		c.greeting = "LHLO c.fuzz"
	}
	state := start % 8
	if err := c.prepare(state); err != nil {
		cli.Close()
		waitServe(t, done)
		t.Fatalf("start %d: %v", state, err)
	}
	h.armed.Store(true)
	outc := collect(c.r)
	if err := writePieces(c.nc, in, cuts); err != nil {
		t.Fatalf("writing: %v", err)
	}
	l.endInput()
	waitServe(t, done)
	out := <-outc
	cli.Close()
	checkGoroutines(t, before)

	replies, err := parseReplies(beforeTLS(out, state == startGreeting))
	if err != nil {
		failf(t, in, out, "%v", err)
	}
	if err := checkLastWords(replies); err != nil && !h.lmtp {
		failf(t, in, out, "%v", err)
	}
	m := &model{in: in, replies: replies, maxLine: maxLine, lmtp: h.lmtp, panicked: h.panicked.Load(),
		refuseBareLF: flags&flagBareReject != 0}
	if state&3 >= startTransaction {
		m.rcpts = 1 // prepare's
	}
	if err := m.walk(state == startGreeting, state&3 == startData); err != nil {
		failf(t, in, out, "%v", err)
	}
	if err := checkDelivery(m.ends, h.records()); err != nil {
		failf(t, in, out, "%v", err)
	}
	if err := checkLogLines(logs.String()); err != nil {
		failf(t, in, out, "%v", err)
	}
}

// checkLogLines: every line of the log is a record of its own; nothing
// the client sent starts a line (a forged record, T-32).
func checkLogLines(log string) error {
	for line := range strings.Lines(log) {
		if !strings.HasPrefix(line, "time=") || !strings.HasSuffix(line, "\n") {
			return fmt.Errorf("log line %q is not a record of its own:\n%s", line, log)
		}
	}
	return nil
}

// beforeTLS cuts the server's output after STARTTLS's 220, the first 220
// reply that is not the greeting: what follows is the server's side of a
// TLS handshake with the fuzzed bytes (an alert, say), not SMTP replies.
func beforeTLS(out []byte, greeting bool) []byte {
	seen220 := !greeting
	for end := 0; ; {
		i := bytes.Index(out[end:], []byte("\r\n"))
		if i < 0 {
			return out
		}
		line := out[end : end+i]
		end += i + 2
		if bytes.Equal(line, []byte("220")) || bytes.HasPrefix(line, []byte("220 ")) {
			if seen220 {
				return out[:end]
			}
			seen220 = true
		}
	}
}

// client is the fuzz input's side of the pipe while it reaches the
// starting point, checking each reply.
type client struct {
	nc       net.Conn
	r        *bufio.Reader
	greeting string // EHLO, or LHLO in LMTP
}

// prepare takes the session to its starting point.
func (c *client) prepare(state uint8) error {
	base := state & 3
	if base != startGreeting || state&startTLS != 0 {
		if err := c.expect("", 220); err != nil {
			return err
		}
	}
	if state&startTLS != 0 {
		if err := c.startTLS(); err != nil {
			return err
		}
	}
	steps := []struct {
		line string
		code int
	}{{c.greeting, 250}, {"MAIL FROM:<a@c.fuzz>", 250}, {"RCPT TO:<b@mx.fuzz>", 250}, {"DATA", 354}}
	for _, s := range steps[:[]int{0, 1, 3, 4}[base]] {
		if err := c.expect(s.line, s.code); err != nil {
			return err
		}
	}
	return nil
}

// startTLS runs EHLO, STARTTLS and the handshake.
func (c *client) startTLS() error {
	if err := c.expect(c.greeting, 250); err != nil {
		return err
	}
	if err := c.expect("STARTTLS", 220); err != nil {
		return err
	}
	if c.r.Buffered() > 0 {
		return fmt.Errorf("bytes after STARTTLS's 220")
	}
	tc := tls.Client(c.nc, clientTLS)
	if err := tc.Handshake(); err != nil {
		return err
	}
	c.nc, c.r = tc, bufio.NewReader(tc)
	return nil
}

// expect sends line (none when empty) and reads a reply with code want.
func (c *client) expect(line string, want int) error {
	if line != "" {
		if _, err := io.WriteString(c.nc, line+"\r\n"); err != nil {
			return fmt.Errorf("sending %q: %w", line, err)
		}
	}
	var got []string
	for {
		l, err := c.r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("after %q: %w (got %q)", line, err, got)
		}
		got = append(got, l)
		code, more, err := replyLine([]byte(l[:max(len(l)-2, 0)]))
		if err != nil {
			return err
		}
		if !more {
			if code != want {
				return fmt.Errorf("%q: got %q, want %d", line, got, want)
			}
			return nil
		}
	}
}
