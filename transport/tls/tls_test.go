package tls_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/transport"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server serves every connection of a loopback listener with
// transport.ServeConn and reports how each session ended.
type server struct {
	addr  string
	ended chan error
}

// start serves on 127.0.0.1 at a free port, SMTPS when smtps is set, until
// the test ends.
func start(t *testing.T, o *transport.Options, smtps bool) *server {
	t.Helper()
	var l net.Listener
	var err error
	if smtps {
		l, err = smtptls.Listen("127.0.0.1:0", nil)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	srv := &server{addr: l.Addr().String(), ended: make(chan error, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { srv.ended <- transport.ServeConn(ctx, nc, o) })
		}
	})
	t.Cleanup(func() {
		l.Close()
		cancel()
		wg.Wait()
	})
	return srv
}

// end returns how the next session ended.
func (s *server) end(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.ended:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the session did not end")
		return nil
	}
}

// seen is what the DATA hook knew of a session.
type seen struct {
	helo string
	tls  *tls.ConnectionState
	body string
}

// handler records messages, offers AUTH, and when certs is set refuses a
// TLS session whose client shows no certificate.
type handler struct {
	certs bool
	got   chan seen
}

func newHandler() *handler { return &handler{got: make(chan seen, 4)} }

func (h *handler) HandleDATA(_ context.Context, s *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	b, err := io.ReadAll(msg)
	h.got <- seen{helo: s.HeloName, tls: s.TLS, body: string(b)}
	return err
}

func (h *handler) Authenticate(context.Context, *hooks.Session, *hooks.Envelope, *hooks.Credentials) error {
	return nil
}

func (h *handler) HandleSTARTTLS(_ context.Context, _ *hooks.Session, state *tls.ConnectionState) error {
	if h.certs && len(state.PeerCertificates) == 0 {
		return hooks.Reply{Code: 554, Enhanced: "5.7.1", Text: "client certificate required"}
	}
	return nil
}

func (h *handler) next(t *testing.T) seen {
	t.Helper()
	select {
	case m := <-h.got:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message delivered")
		return seen{}
	}
}

func options(h hooks.Handler, cfg *tls.Config) *transport.Options {
	o := &transport.Options{TLSConfig: cfg, Logger: slog.New(slog.DiscardHandler), TLSHandshakeTimeout: 5 * time.Second}
	o.Core.Hostname = "mx.test"
	o.Handler = h
	return o
}

// dial connects to addr over TCP; the greeting is still to be read.
func dial(t *testing.T, addr string) *testkit.Client { return testkit.Dial(t, "tcp", addr) }

// upgrade sends STARTTLS and runs the client's handshake.
func upgrade(c *testkit.Client, cfg *tls.Config) {
	c.T.Helper()
	c.Send("STARTTLS")
	c.Expect("220")
	c.StartTLS(cfg)
}

func TestSTARTTLSUpgradesTheSession(t *testing.T) {
	serverTLS, clientTLS := testkit.TLSConfigs(t, "mx.test")
	h := newHandler()
	srv := start(t, options(h, serverTLS), false)
	c := dial(t, srv.addr)
	c.Expect("220 mx.test")
	c.Send("EHLO before.example")
	if caps := c.Expect("250 "); !strings.Contains(caps, "STARTTLS") || strings.Contains(caps, "AUTH") {
		t.Fatalf("plaintext capabilities %q: want STARTTLS and no AUTH", caps)
	}
	upgrade(c, clientTLS)
	c.Send("MAIL FROM:<a@example.com>")
	c.Expect("503") // RFC 3207 §4.2: the session starts over, EHLO first
	c.Send("EHLO after.example")
	if caps := c.Expect("250 "); strings.Contains(caps, "STARTTLS") || !strings.Contains(caps, "AUTH PLAIN") {
		t.Fatalf("capabilities under TLS %q: want AUTH and no STARTTLS", caps)
	}
	c.Deliver("a@example.com", "b@example.net", "Subject: tls\r\n\r\nsecret\r\n")
	m := h.next(t)
	if m.tls == nil || m.tls.Version < tls.VersionTLS12 || m.tls.ServerName != "mx.test" {
		t.Fatalf("session TLS %+v", m.tls)
	}
	if m.helo != "after.example" || m.body != "Subject: tls\r\n\r\nsecret\r\n" {
		t.Fatalf("delivered %+v", m)
	}
	c.Send("STARTTLS")
	c.Expect("503") // already under TLS
	c.Send("QUIT")
	c.Expect("221")
	if err := srv.end(t); err != nil {
		t.Fatalf("session ended with %v", err)
	}
}

// Commands pipelined after STARTTLS in plaintext are thrown away, not run
// inside the TLS session (CVE-2011-0411, CVE-2024-34083).
func TestSTARTTLSDropsPlaintextPipelinedAfterIt(t *testing.T) {
	serverTLS, clientTLS := testkit.TLSConfigs(t, "mx.test")
	srv := start(t, options(newHandler(), serverTLS), false)
	c := dial(t, srv.addr)
	c.Expect("220")
	c.Send("EHLO c.example")
	c.Expect("250 ")
	c.Send("STARTTLS", "EHLO injected.example", "MAIL FROM:<injected@example.com>")
	c.Expect("220")
	c.StartTLS(clientTLS)
	c.Send("EHLO c.example")
	c.Expect("250 ") // the first reply under TLS is for this EHLO
	c.Send("RCPT TO:<b@example.net>")
	c.Expect("503") // no MAIL was accepted
}

func TestSMTPSSessionStartsEncrypted(t *testing.T) {
	serverTLS, clientTLS := testkit.TLSConfigs(t, "mx.test")
	h := newHandler()
	srv := start(t, options(h, serverTLS), true)
	nc, err := tls.Dial("tcp", srv.addr, clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := testkit.NewClient(t, nc)
	c.Expect("220 mx.test")
	c.Send("EHLO c.example")
	if caps := c.Expect("250 "); strings.Contains(caps, "STARTTLS") || !strings.Contains(caps, "AUTH PLAIN") {
		t.Fatalf("SMTPS capabilities %q: want AUTH and no STARTTLS", caps)
	}
	c.Send("STARTTLS")
	c.Expect("503")
	c.Deliver("a@example.com", "b@example.net", "x\r\n")
	if m := h.next(t); m.tls == nil || !m.tls.HandshakeComplete {
		t.Fatalf("session TLS %+v", m.tls)
	}
}

func TestFailedHandshakeCloses(t *testing.T) {
	serverTLS, _ := testkit.TLSConfigs(t, "mx.test")
	t.Run("STARTTLS", func(t *testing.T) {
		srv := start(t, options(newHandler(), serverTLS), false)
		c := dial(t, srv.addr)
		c.Expect("220")
		c.Send("EHLO c.example")
		c.Expect("250 ")
		c.Send("STARTTLS")
		c.Expect("220")
		c.Send("EHLO this is not a TLS client hello")
		c.ExpectClosed()
		if err := srv.end(t); !errors.Is(err, fsm.ErrTLSFailed) {
			t.Fatalf("session ended with %v, want ErrTLSFailed", err)
		}
	})
	t.Run("SMTPS", func(t *testing.T) {
		srv := start(t, options(newHandler(), serverTLS), true)
		c := dial(t, srv.addr)
		c.Send("EHLO plaintext.example")
		c.ExpectClosed() // no greeting in plaintext
		if err := srv.end(t); !errors.Is(err, fsm.ErrTLSFailed) {
			t.Fatalf("session ended with %v, want ErrTLSFailed", err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		srv := start(t, options(newHandler(), serverTLS), true)
		if nc, err := tls.Dial("tcp", srv.addr, &tls.Config{ServerName: "mx.test"}); err == nil {
			nc.Close()
			t.Fatal("the client trusted a self-signed certificate")
		}
		if err := srv.end(t); !errors.Is(err, fsm.ErrTLSFailed) {
			t.Fatalf("session ended with %v, want ErrTLSFailed", err)
		}
	})
}

// A client that connects to SMTPS and says nothing is cut off after the
// handshake timeout.
func TestHandshakeTimeout(t *testing.T) {
	serverTLS, _ := testkit.TLSConfigs(t, "mx.test")
	o := options(newHandler(), serverTLS)
	o.TLSHandshakeTimeout = 100 * time.Millisecond
	srv := start(t, o, true)
	c := dial(t, srv.addr)
	c.ExpectClosed()
	if err := srv.end(t); !errors.Is(err, fsm.ErrTLSFailed) {
		t.Fatalf("session ended with %v, want ErrTLSFailed", err)
	}
}

// The STARTTLS hook sees the finished handshake and may refuse it, here
// for want of a client certificate.
func TestSTARTTLSHookDecidesOnTheClientCertificate(t *testing.T) {
	serverTLS, clientTLS := testkit.TLSConfigs(t, "mx.test")
	serverTLS.ClientAuth = tls.RequestClientCert
	h := newHandler()
	h.certs = true
	srv := start(t, options(h, serverTLS), false)

	c := dial(t, srv.addr)
	c.Expect("220")
	c.Send("EHLO c.example")
	c.Expect("250 ")
	upgrade(c, clientTLS)
	c.ExpectClosed()
	if err := srv.end(t); !errors.Is(err, transport.ErrTLSRefused) {
		t.Fatalf("session ended with %v, want ErrTLSRefused", err)
	}

	clientCert, err := smtptls.SelfSigned("client.example")
	if err != nil {
		t.Fatal(err)
	}
	withCert := clientTLS.Clone()
	withCert.Certificates = clientCert.Certificates
	c = dial(t, srv.addr)
	c.Expect("220")
	c.Send("EHLO c.example")
	c.Expect("250 ")
	upgrade(c, withCert)
	c.Send("EHLO c.example")
	c.Expect("250 ")
	c.Deliver("a@example.com", "b@example.net", "x\r\n")
	if m := h.next(t); len(m.tls.PeerCertificates) != 1 || m.tls.PeerCertificates[0].DNSNames[0] != "client.example" {
		t.Fatalf("the hook saw certificates %v", m.tls.PeerCertificates)
	}
}

func TestLoadConfig(t *testing.T) {
	if _, err := smtptls.LoadConfig("/nonexistent/cert.pem", "/nonexistent/key.pem"); err == nil {
		t.Fatal("LoadConfig of missing files succeeded")
	}
}
