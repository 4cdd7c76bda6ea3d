package transport_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/transport"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// client is the test's side of a session: lines out, replies in.
type client struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
}

func newClient(t testing.TB, nc net.Conn) *client {
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	return &client{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// send writes the lines, each ended by CRLF, in one write.
func (c *client) send(lines ...string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, strings.Join(lines, "\r\n")+"\r\n"); err != nil {
		c.t.Fatalf("send %q: %v", lines, err)
	}
}

// reply reads one reply, all its lines, and returns them joined by "\n"
// without the CRLFs.
func (c *client) reply() string {
	c.t.Helper()
	var lines []string
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("reading a reply after %q: %v (got %q)", lines, err, line)
		}
		line = strings.TrimRight(line, "\r\n")
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
	last := rep[strings.LastIndexByte(rep, '\n')+1:]
	if !strings.HasPrefix(last, want) {
		c.t.Fatalf("got %q, want %q", rep, want)
	}
	return rep
}

// expectClosed checks that the server closed the connection.
func (c *client) expectClosed() {
	c.t.Helper()
	if line, err := c.r.ReadString('\n'); err == nil {
		c.t.Fatalf("got %q, want the connection closed", line)
	}
}

// session is a ServeConn running over net.Pipe.
type session struct {
	*client
	done   chan error
	cancel context.CancelFunc // the graceful end
}

// serve starts a session over net.Pipe and reads its greeting.
func serve(t testing.TB, o *transport.Options) *session {
	t.Helper()
	s := serveConn(t, o, func(c net.Conn) net.Conn { return c })
	s.expect("220 ")
	return s
}

// serveConn starts a session over net.Pipe, the server's side wrapped;
// the greeting is still to be read.
func serveConn(t testing.TB, o *transport.Options, wrap func(net.Conn) net.Conn) *session {
	t.Helper()
	srv, cli := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{client: newClient(t, cli), done: make(chan error, 1), cancel: cancel}
	go func() { s.done <- transport.ServeConn(ctx, wrap(srv), o) }()
	t.Cleanup(func() {
		cancel()
		cli.Close()
		<-s.done
	})
	return s
}

// wait returns ServeConn's result.
func (s *session) wait() error {
	s.t.Helper()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(20 * time.Second):
		s.t.Fatal("the session did not end")
		return nil
	}
}

func options(h hooks.Handler) *transport.Options {
	o := &transport.Options{Logger: slog.New(slog.DiscardHandler)}
	o.Core.Hostname = "mx.test"
	o.Dispatcher = hooks.NewDispatcher(hooks.Config{Handler: h, Hostname: "mx.test"})
	return o
}

// message is what a recorder received.
type message struct {
	from  string
	rcpts []string
	body  string
	helo  string
	tls   bool
	auth  string
	err   error
}

// recorder is a DATA hook that keeps every message.
type recorder struct {
	mu   sync.Mutex
	msgs []message
	got  chan message
}

func newRecorder() *recorder { return &recorder{got: make(chan message, 16)} }

func (r *recorder) HandleDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	b, err := io.ReadAll(msg)
	m := message{from: e.MailFrom, rcpts: e.RcptTos, body: string(b), helo: s.HeloName,
		tls: s.TLS != nil, auth: s.AuthID, err: err}
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	r.got <- m
	return err
}

func (r *recorder) next(t testing.TB) message {
	t.Helper()
	select {
	case m := <-r.got:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message delivered")
		return message{}
	}
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
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

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// tlsConfigs returns a server configuration with a fresh certificate for
// "mx.test" and a client configuration that trusts it.
func tlsConfigs(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	server, err := smtptls.SelfSigned("mx.test")
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(server.Certificates[0].Leaf)
	return server, &tls.Config{RootCAs: roots, ServerName: "mx.test"}
}

// startTLS upgrades the client's side after a 220 to STARTTLS.
func (c *client) startTLS(cfg *tls.Config) {
	c.t.Helper()
	tc := tls.Client(c.nc, cfg)
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("client handshake: %v", err)
	}
	c.nc, c.r = tc, bufio.NewReader(tc)
}
