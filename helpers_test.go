package gosmtpd_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

// delivered is a message an inbox received, with what the session knew.
type delivered struct {
	from  string
	rcpts []string
	data  string
	sess  hooks.Session
}

// inbox is a DATA hook that hands every message to the test.
type inbox struct{ got chan delivered }

func newInbox() *inbox { return &inbox{got: make(chan delivered, 16)} }

func (b *inbox) HandleDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	data, err := io.ReadAll(msg)
	if err != nil {
		return err
	}
	b.got <- delivered{from: e.MailFrom, rcpts: slices.Clone(e.RcptTos), data: string(data), sess: *s}
	return nil
}

func (b *inbox) next(t testing.TB) delivered {
	t.Helper()
	select {
	case m := <-b.got:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message delivered")
		return delivered{}
	}
}

// none checks that no message was delivered.
func (b *inbox) none(t testing.TB) {
	t.Helper()
	select {
	case m := <-b.got:
		t.Fatalf("delivered %+v", m)
	default:
	}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// control starts srv under a Controller on address (tcp, port 0 unless
// given) and stops it when the test ends.
func control(t testing.TB, ctl *gosmtpd.Controller) *gosmtpd.Controller {
	t.Helper()
	if ctl.Address == "" {
		ctl.Address = "127.0.0.1:0"
	}
	if ctl.Server.Logger == nil {
		ctl.Server.Logger = quiet()
	}
	if ctl.Server.Hostname == "" {
		ctl.Server.Hostname = "mx.test"
	}
	if err := ctl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ctl.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return ctl
}

// selfSigned returns a server configuration for 127.0.0.1 and localhost
// and a client configuration that trusts it.
func selfSigned(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	server, err := smtptls.SelfSigned("127.0.0.1", "localhost", "mx.test")
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(server.Certificates[0].Leaf)
	return server, &tls.Config{RootCAs: roots, ServerName: "mx.test"}
}

// wire is a raw client: lines out, replies in.
type wire struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
}

func dialWire(t testing.TB, network, addr string) *wire {
	t.Helper()
	nc, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return newWire(t, nc)
}

func newWire(t testing.TB, nc net.Conn) *wire {
	nc.SetDeadline(time.Now().Add(15 * time.Second))
	return &wire{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// send writes the lines, each ended by CRLF, in one write.
func (w *wire) send(lines ...string) {
	w.t.Helper()
	if _, err := io.WriteString(w.nc, strings.Join(lines, "\r\n")+"\r\n"); err != nil {
		w.t.Fatalf("send %q: %v", lines, err)
	}
}

// expect reads one reply, every line, and checks that its last line
// starts with want; it returns the lines joined by "\n".
func (w *wire) expect(want string) string {
	w.t.Helper()
	var lines []string
	for {
		line, err := w.r.ReadString('\n')
		if err != nil {
			w.t.Fatalf("reading a reply after %q: %v (got %q), want %q", lines, err, line, want)
		}
		line = strings.TrimRight(line, "\r\n")
		lines = append(lines, line)
		if len(line) < 4 || line[3] != '-' {
			break
		}
	}
	if !strings.HasPrefix(lines[len(lines)-1], want) {
		w.t.Fatalf("got %q, want %q", lines, want)
	}
	return strings.Join(lines, "\n")
}

// expectClosed checks that the server closes the connection without
// another reply.
func (w *wire) expectClosed() {
	w.t.Helper()
	if line, err := w.r.ReadString('\n'); err == nil || line != "" {
		w.t.Fatalf("got %q, %v; want the connection closed", line, err)
	}
}

// deliver sends one message through a greeted session.
func (w *wire) deliver(from, to, body string) {
	w.t.Helper()
	w.send("MAIL FROM:<"+from+">", "RCPT TO:<"+to+">", "DATA")
	w.expect("250")
	w.expect("250")
	w.expect("354")
	w.send(body + ".")
	w.expect("250")
}
