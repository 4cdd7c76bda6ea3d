package handlers_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/dispatch"
)

// dialog sends each line and returns the code of each reply, in order; an
// empty line sends nothing and reads one more reply.
func dialog(t *testing.T, addr string, lines ...string) []string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	var codes []string
	readReply := func() {
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("after %v: %v", codes, err)
			}
			if len(line) < 4 || line[3] != '-' {
				codes = append(codes, line[:3])
				return
			}
		}
	}
	readReply() // greeting
	for _, l := range lines {
		if _, err := io.WriteString(c, l); l != "" && err != nil {
			t.Fatal(err)
		}
		readReply()
	}
	return codes
}

func TestSinkDiscardsInTheCore(t *testing.T) {
	for _, h := range []hooks.Handler{handlers.Sink{}, &handlers.Sink{}} {
		d := dispatch.NewDispatcher(dispatch.Config{Handler: h})
		if d.Hooks().Has(fsm.HookDATA) || d.Hooks().Has(fsm.HookMAIL) {
			t.Errorf("%T: hooks %b: a Sink needs none", h, d.Hooks())
		}
	}
}

// serveSink runs srv, a server with a Sink, on a loopback port until the
// test ends.
func serveSink(t *testing.T, srv *gosmtpd.Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Handler, srv.Hostname = handlers.Sink{}, "test.example"
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		if err := <-done; !errors.Is(err, gosmtpd.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return l.Addr().String()
}

// countingSink embeds Sink but reads messages itself: its hook must run.
type countingSink struct {
	handlers.Sink
	bytes *atomic.Int64
}

func (s countingSink) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	n, err := io.Copy(io.Discard, msg)
	s.bytes.Add(n)
	return err
}

func TestSinkEmbeddedKeepsItsHook(t *testing.T) {
	var n atomic.Int64
	h := countingSink{bytes: &n}
	if !dispatch.NewDispatcher(dispatch.Config{Handler: h}).Hooks().Has(fsm.HookDATA) {
		t.Fatal("a type embedding Sink lost its DATA hook")
	}
	codes := dialog(t, serve(t, h), "EHLO c\r\n", "MAIL FROM:<a@example.com>\r\n",
		"RCPT TO:<b@example.com>\r\n", "DATA\r\n", "Subject: x\r\n\r\n..dot\r\n.\r\n", "QUIT\r\n")
	if got := strings.Join(codes, " "); got != "220 250 250 250 354 250 221" {
		t.Errorf("replies %s", got)
	}
	if got := n.Load(); got != int64(len("Subject: x\r\n\r\n.dot\r\n")) {
		t.Errorf("hook read %d bytes", got)
	}
}

// TestSinkKeepsTheLimits: without a hook, the core still refuses what breaks
// a limit, after the end of data, and answers each LMTP recipient.
func TestSinkKeepsTheLimits(t *testing.T) {
	addr := serveSink(t, &gosmtpd.Server{MaxMessageSize: 1500})
	line := strings.Repeat("x", 998) + "\r\n"
	codes := dialog(t, addr, "EHLO c\r\n",
		"MAIL FROM:<a@example.com>\r\n", "RCPT TO:<b@example.com>\r\n", "DATA\r\n", line+".\r\n",
		"MAIL FROM:<a@example.com>\r\n", "RCPT TO:<b@example.com>\r\n", "DATA\r\n", line+line+".\r\n",
		"MAIL FROM:<a@example.com> SIZE=2000\r\n", "QUIT\r\n")
	if got := strings.Join(codes, " "); got != "220 250 250 250 354 250 250 250 354 552 552 221" {
		t.Errorf("SMTP replies %s", got)
	}
	lmtp := serveSink(t, &gosmtpd.Server{LMTP: true})
	codes = dialog(t, lmtp, "LHLO c\r\n", "MAIL FROM:<a@example.com>\r\n",
		"RCPT TO:<b@example.com>\r\n", "RCPT TO:<c@example.com>\r\n", "DATA\r\n", "line\r\n.\r\n", "", "QUIT\r\n")
	if got := strings.Join(codes, " "); got != "220 250 250 250 250 354 250 250 221" {
		t.Errorf("LMTP replies %s", got)
	}
}
