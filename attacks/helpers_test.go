package attacks_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/transport"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

// TestMain checks for leaked goroutines once every test has run, and
// removes the server binaries built for the subprocess tests.
func TestMain(m *testing.M) {
	code := m.Run()
	removeBinaries()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// hostname names the server under test in its replies.
const hostname = "mx.test"

// testTimeout bounds every client read: a server that stops answering
// fails the test instead of hanging it.
const testTimeout = 20 * time.Second

// start serves srv on a fresh loopback port and returns the address. The
// server is shut down at the end of the test and Serve must then return
// ErrServerClosed.
func start(t testing.TB, srv *gosmtpd.Server) string {
	t.Helper()
	return startOn(t, srv, listen(t, "tcp", "127.0.0.1:0"))
}

func listen(t testing.TB, network, addr string) net.Listener {
	t.Helper()
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// startOn serves srv on l; see start.
func startOn(t testing.TB, srv *gosmtpd.Server, l net.Listener) string {
	t.Helper()
	return serveWith(t, srv, l, srv.Serve)
}

// serveWith runs serve(l) (srv.Serve, srv.ServeTLS) as start does.
func serveWith(t testing.TB, srv *gosmtpd.Server, l net.Listener, serve func(net.Listener) error) string {
	t.Helper()
	if srv.Hostname == "" {
		srv.Hostname = hostname
	}
	if srv.Logger == nil {
		srv.Logger = slog.New(slog.DiscardHandler)
	}
	done := make(chan error, 1)
	go func() { done <- serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-done; !errors.Is(err, gosmtpd.ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return l.Addr().String()
}

// client is the test's side of a session: commands out, replies in.
type client struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
}

func newClient(t testing.TB, nc net.Conn) *client {
	nc.SetDeadline(time.Now().Add(testTimeout))
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// dial connects to addr; the greeting is still to be read.
func dial(t testing.TB, network, addr string) *client {
	t.Helper()
	nc, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	return newClient(t, nc)
}

// connect connects to addr over TCP and reads the 220 greeting.
func connect(t testing.TB, addr string) *client {
	t.Helper()
	c := dial(t, "tcp", addr)
	c.expect("220 ")
	return c
}

// dialFrom connects to addr from the loopback address ip (127.0.0.2, ...).
func dialFrom(t testing.TB, ip, addr string) *client {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return newClient(t, nc)
}

// send writes the lines, each ended by CRLF, in one write.
func (c *client) send(lines ...string) {
	c.t.Helper()
	c.write(strings.Join(lines, "\r\n") + "\r\n")
}

// write writes s as it is, in one write.
func (c *client) write(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatalf("write %.80q: %v", s, err)
	}
}

// reply reads one reply, all its lines, and returns them joined by "\n"
// without their CRLFs.
func (c *client) reply() string {
	c.t.Helper()
	var lines []string
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("reading a reply after %q: %v (got %q)", lines, err, line)
		}
		if !strings.HasSuffix(line, "\r\n") {
			c.t.Fatalf("reply line %q does not end with CRLF", line)
		}
		line = strings.TrimSuffix(line, "\r\n")
		lines = append(lines, line)
		if len(line) < 4 || line[3] != '-' {
			return strings.Join(lines, "\n")
		}
	}
}

// expect reads one reply and checks that its last line starts with want.
func (c *client) expect(want string) string {
	c.t.Helper()
	rep := c.reply()
	if last := rep[strings.LastIndexByte(rep, '\n')+1:]; !strings.HasPrefix(last, want) {
		c.t.Fatalf("got %q, want %q", rep, want)
	}
	return rep
}

// expectAll reads one reply per prefix.
func (c *client) expectAll(want ...string) {
	c.t.Helper()
	for _, w := range want {
		c.expect(w)
	}
}

// expectClosed checks that the server closes the connection without
// sending anything more.
func (c *client) expectClosed() {
	c.t.Helper()
	if b, err := io.ReadAll(c.r); len(b) > 0 {
		c.t.Fatalf("got %q (%v), want the connection closed", b, err)
	} else if isTimeout(err) {
		c.t.Fatal("the connection is still open")
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// transaction sends EHLO, MAIL, RCPT and DATA and expects them accepted.
func (c *client) transaction() {
	c.t.Helper()
	c.send("EHLO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	c.expectAll("250 ", "250 ", "250 ", "354 ")
}

// message is what a recorder received.
type message struct {
	from  string
	rcpts []string
	body  string
	peer  string
	err   error // how the stream ended (nil: read whole)
	ctx   error // the hook's context once the stream ended
}

// recorder is a handler that keeps every message whose stream it read to
// the end, and counts the MAIL commands it was asked about.
type recorder struct {
	mu    sync.Mutex
	msgs  []message
	mails int
	got   chan message
}

func newRecorder() *recorder { return &recorder{got: make(chan message, 64)} }

func (r *recorder) HandleMAIL(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	r.mu.Lock()
	r.mails++
	r.mu.Unlock()
	return nil
}

func (r *recorder) HandleDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	b, err := io.ReadAll(msg)
	m := message{from: e.MailFrom, rcpts: e.RcptTos, body: string(b), peer: s.Peer, err: err, ctx: ctx.Err()}
	if err == nil {
		r.mu.Lock()
		r.msgs = append(r.msgs, m)
		r.mu.Unlock()
	}
	r.got <- m
	return err
}

// next waits for the next message the DATA hook saw, whole or not.
func (r *recorder) next(t testing.TB) message {
	t.Helper()
	select {
	case m := <-r.got:
		return m
	case <-time.After(testTimeout):
		t.Fatal("the DATA hook was not called")
		return message{}
	}
}

// delivered returns the messages received whole.
func (r *recorder) delivered() []message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]message(nil), r.msgs...)
}

func (r *recorder) mailCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mails
}

// logBuffer collects a logger's output.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// logger returns a Debug-level text logger writing to l.
func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// pipeSession is transport.ServeConn running over net.Pipe.
type pipeSession struct {
	*client
	done chan error
}

// servePipe serves one session over net.Pipe with o and reads the
// greeting. wrap, when not nil, wraps the server's side.
func servePipe(t testing.TB, o *transport.Options, wrap func(net.Conn) net.Conn) *pipeSession {
	t.Helper()
	srv, cli := net.Pipe()
	var nc net.Conn = srv
	if wrap != nil {
		nc = wrap(srv)
	}
	s := &pipeSession{client: newClient(t, cli), done: make(chan error, 1)}
	go func() { s.done <- transport.ServeConn(context.Background(), nc, o) }()
	t.Cleanup(func() {
		cli.Close()
		<-s.done
	})
	s.expect("220 ")
	return s
}

// wait returns ServeConn's result.
func (s *pipeSession) wait() error {
	s.t.Helper()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(testTimeout):
		s.t.Fatal("the session did not end")
		return nil
	}
}

// pipeOptions are the options of a session with handler h.
func pipeOptions(h hooks.Handler) *transport.Options {
	o := &transport.Options{Logger: slog.New(slog.DiscardHandler)}
	o.Core.Hostname = hostname
	o.Dispatcher = hooks.NewDispatcher(hooks.Config{Handler: h, Hostname: hostname})
	return o
}

// tlsConfigs returns a server configuration with a fresh certificate for
// hostname and a client configuration that trusts it.
func tlsConfigs(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	server, err := smtptls.SelfSigned(hostname)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(server.Certificates[0].Leaf)
	return server, &tls.Config{RootCAs: roots, ServerName: hostname}
}

// startTLS upgrades the client's side after the 220 to STARTTLS. Nothing
// the server sent may be waiting behind that 220.
func (c *client) startTLS(cfg *tls.Config) {
	c.t.Helper()
	if n := c.r.Buffered(); n > 0 {
		b, _ := c.r.Peek(n)
		c.t.Fatalf("plaintext after the 220 to STARTTLS: %q", b)
	}
	tc := tls.Client(c.nc, cfg)
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("client handshake: %v", err)
	}
	c.nc, c.r = tc, bufio.NewReader(tc)
}
