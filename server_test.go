package gosmtpd_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/smtp"
	"os/exec"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"go.uber.org/goleak"
)

func start(t *testing.T, h hooks.Handler) (*gosmtpd.Server, string, chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &gosmtpd.Server{Handler: h, Hostname: "test.example"}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	return srv, l.Addr().String(), done
}

func TestServerDeliversWithNetSMTP(t *testing.T) {
	defer goleak.VerifyNone(t)
	rec := testkit.NewRecorder()
	srv, addr, done := start(t, rec)
	body := "Subject: test\r\n\r\nline one\r\n.leading dot\r\n"
	if err := smtp.SendMail(addr, nil, "a@example.com", []string{"b@example.net", "c@example.net"}, []byte(body)); err != nil {
		t.Fatal(err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, gosmtpd.ErrServerClosed) {
		t.Fatalf("Serve returned %v", err)
	}
	if msgs := rec.Delivered(); len(msgs) != 1 || msgs[0].Body != body || len(msgs[0].Rcpts) != 2 {
		t.Fatalf("delivered %+v", msgs)
	}
}

type panicker struct{}

func (panicker) HandleDATA(context.Context, *hooks.Session, *hooks.Envelope, io.Reader) error {
	panic("boom")
}

func TestHandlerPanicEndsTheSession(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv, addr, _ := start(t, panicker{})
	defer srv.Close()
	err := smtp.SendMail(addr, nil, "a@example.com", []string{"b@example.net"}, []byte("x\r\n"))
	var perr interface{ Error() string }
	if err == nil || !errors.As(err, &perr) || !bytes.Contains([]byte(err.Error()), []byte("421")) {
		t.Fatalf("got %v, want a 421 4.3.0", err)
	}
	// the server keeps serving
	if err := smtp.SendMail(addr, nil, "a@example.com", []string{"b@example.net"}, []byte("x\r\n")); err == nil {
		t.Fatal("second delivery to a panicking handler succeeded")
	}
}

func TestShutdownGivesIdleSessions421(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv, addr, _ := start(t, testkit.NewRecorder())
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 512)
	c.SetDeadline(time.Now().Add(5 * time.Second))
	n, _ := c.Read(buf) // greeting
	if !bytes.HasPrefix(buf[:n], []byte("220 ")) {
		t.Fatalf("greeting %q", buf[:n])
	}
	go srv.Shutdown(context.Background())
	n, _ = c.Read(buf)
	if !bytes.HasPrefix(buf[:n], []byte("421 4.3.2")) {
		t.Fatalf("got %q, want 421 4.3.2", buf[:n])
	}
}

// TestPythonSmtplib sends through a real client: Python's smtplib.
func TestPythonSmtplib(t *testing.T) {
	py := testkit.Python(t)
	rec := testkit.NewRecorder()
	srv, addr, _ := start(t, rec)
	defer srv.Close()
	host, port, _ := net.SplitHostPort(addr)
	script := `import smtplib,sys
s = smtplib.SMTP(sys.argv[1], int(sys.argv[2]))
s.ehlo()
assert s.has_extn("pipelining") and s.has_extn("chunking"), s.esmtp_features
refused = s.sendmail("a@example.com", ["b@example.net"], b"Subject: py\r\n\r\n\xc3\xa9t\xc3\xa9\r\n", mail_options=["BODY=8BITMIME"])
assert refused == {}, refused
s.quit()`
	out, err := exec.Command(py, "-c", script, host, port).CombinedOutput()
	if err != nil {
		t.Fatalf("smtplib: %v\n%s", err, out)
	}
	if msgs := rec.Delivered(); len(msgs) != 1 || msgs[0].Body != "Subject: py\r\n\r\nété\r\n" {
		t.Fatalf("delivered %+v", msgs)
	}
}

// RegisterOnShutdown's functions run once, when Shutdown begins, before
// the sessions are gone: a health check can turn unready while a message
// is still being finished.
func TestRegisterOnShutdown(t *testing.T) {
	srv := &gosmtpd.Server{Hostname: "mx.test", Logger: slog.New(slog.DiscardHandler)}
	called := make(chan struct{}, 2)
	srv.RegisterOnShutdown(func() { called <- struct{}{} })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	c := testkit.Dial(t, "tcp", l.Addr().String())
	c.Expect("220")
	c.Send("EHLO c", "MAIL FROM:<a@x>", "RCPT TO:<b@x>", "DATA")
	c.ExpectAll("250", "250", "250", "354")
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	select {
	case <-called:
	case <-time.After(5 * time.Second):
		t.Fatal("not called when Shutdown began")
	}
	c.Send("hi\r\n.")
	c.Expect("250")
	c.Expect("421 4.3.2")
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if len(called) != 0 {
		t.Error("called again by Close")
	}
	if err := <-done; !errors.Is(err, gosmtpd.ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
}
