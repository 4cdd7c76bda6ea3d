package attacks_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/transport"
)

// TestMain checks for leaked goroutines once every test has run, and
// removes the server binaries built for the subprocess tests.
func TestMain(m *testing.M) { testkit.Main(m) }

// hostname names the server under test in its replies.
const hostname = "mx.test"

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

// client is the test's side of a session, with what the attacks add to
// testkit's lines out, replies in.
type client struct{ *testkit.Client }

func newClient(t testing.TB, nc net.Conn) *client { return &client{testkit.NewClient(t, nc)} }

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
	c.Expect("220 ")
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

// transaction sends EHLO, MAIL, RCPT and DATA and expects them accepted.
func (c *client) transaction() {
	c.T.Helper()
	c.Send("EHLO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	c.ExpectAll("250 ", "250 ", "250 ", "354 ")
}

// recorder keeps the messages a session delivers, whole or not, and
// counts MAIL commands (testkit.Recorder).
type recorder = testkit.Recorder

func newRecorder() *recorder { return testkit.NewRecorder() }

// pipeSession is a testkit.Session whose client has the attacks' methods.
type pipeSession struct {
	*client
	session *testkit.Session
}

// servePipe serves one session over net.Pipe with o and reads the
// greeting. wrap, when not nil, wraps the server's side.
func servePipe(t testing.TB, o *transport.Options, wrap func(net.Conn) net.Conn) *pipeSession {
	t.Helper()
	ts := testkit.ServePipe(t, o, wrap)
	s := &pipeSession{client: &client{ts.Client}, session: ts}
	s.Expect("220 ")
	return s
}

// wait returns ServeConn's result.
func (s *pipeSession) wait() error {
	s.T.Helper()
	return s.session.Wait()
}

// pipeOptions are the options of a session with handler h.
func pipeOptions(h hooks.Handler) *transport.Options {
	o := &transport.Options{Logger: slog.New(slog.DiscardHandler)}
	o.Core.Hostname = hostname
	o.Handler = h
	return o
}
