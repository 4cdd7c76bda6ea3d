package gosmtpd_test

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/transport"
)

func TestControllerTCPPortZero(t *testing.T) {
	box := newInbox()
	ctl := &gosmtpd.Controller{Server: &gosmtpd.Server{Handler: box, Logger: quiet()}, Address: "localhost:0"}
	if ctl.Addr() != nil {
		t.Fatal("Addr before Start")
	}
	if err := ctl.Start(); err != nil {
		t.Fatal(err)
	}
	addr := ctl.Addr().(*net.TCPAddr)
	if addr.Port == 0 || !addr.IP.IsLoopback() {
		t.Fatalf("Addr %v", addr)
	}
	w := testkit.Dial(t, "tcp", addr.String())
	w.Expect("220 ")
	w.Send("EHLO client.example")
	w.Expect("250 ")
	w.Deliver("a@example.com", "b@example.net", "Subject: c\r\n\r\nhello\r\n")
	if m := box.next(t); m.data != "Subject: c\r\n\r\nhello\r\n" || m.from != "a@example.com" {
		t.Fatalf("delivered %+v", m)
	}
	w.Send("QUIT")
	w.Expect("221")
	if err := ctl.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", addr.String()) // Stop returned: the port is free
	if err != nil {
		t.Fatalf("after Stop: %v", err)
	}
	l.Close()
	if err := ctl.Stop(context.Background()); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	box.none(t) // the readiness check delivered nothing
}

func TestControllerUnixSocketLMTP(t *testing.T) {
	dir, err := os.MkdirTemp("", "gosmtpd")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "lmtp.sock")
	box := newInbox()
	ctl := &gosmtpd.Controller{Server: &gosmtpd.Server{Handler: box, LMTP: true, Logger: quiet()},
		Network: "unix", Address: path, SocketMode: 0o660}
	if err := ctl.Start(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o660 || fi.Mode().Type() != fs.ModeSocket {
		t.Fatalf("socket %v, %v", fi, err)
	}
	w := testkit.Dial(t, "unix", path)
	w.Expect("220 ")
	w.Send("LHLO client.example")
	w.Expect("250 ")
	w.Deliver("a@example.com", "b@example.net", "x\r\n")
	if m := box.next(t); m.rcpts[0] != "b@example.net" {
		t.Fatalf("delivered %+v", m)
	}
	if err := ctl.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("socket file after Stop: %v", err)
	}
}

func TestControllerSMTPS(t *testing.T) {
	serverTLS, clientTLS := testkit.TLSConfigs(t, "mx.test", "127.0.0.1", "localhost")
	box := newInbox()
	auth := hooks.AuthenticatorFunc(func(context.Context, *hooks.Session, *hooks.Envelope, *hooks.Credentials) error { return nil })
	ctl := control(t, &gosmtpd.Controller{SMTPS: true,
		Server: &gosmtpd.Server{Handler: box, TLSConfig: serverTLS, Authenticator: auth}})
	w := testkit.DialTLS(t, ctl.Addr().String(), clientTLS)
	w.Expect("220 ")
	w.Send("EHLO client.example")
	if caps := w.Expect("250 "); !strings.Contains(caps, "AUTH PLAIN") || strings.Contains(caps, "STARTTLS") {
		t.Fatalf("SMTPS capabilities %q: want AUTH and no STARTTLS", caps)
	}
	w.Deliver("a@example.com", "b@example.net", "x\r\n")
	if m := box.next(t); m.sess.TLS == nil {
		t.Fatal("the session does not know it is encrypted")
	}
}

func TestControllerSMTPSNeedsATLSConfig(t *testing.T) {
	ctl := &gosmtpd.Controller{SMTPS: true, Server: &gosmtpd.Server{}, Address: "127.0.0.1:0"}
	if err := ctl.Start(); err == nil {
		ctl.Stop(context.Background())
		t.Fatal("SMTPS without a certificate started")
	}
}

func TestControllerStartFailures(t *testing.T) {
	closed := &gosmtpd.Server{Logger: quiet()}
	closed.Close()
	if err := (&gosmtpd.Controller{Server: closed, Address: "127.0.0.1:0", ReadyTimeout: 2 * time.Second}).Start(); err == nil {
		t.Error("a closed server started")
	}

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	if err := (&gosmtpd.Controller{Server: &gosmtpd.Server{}, Address: busy.Addr().String()}).Start(); err == nil {
		t.Error("started on a port in use")
	}

	t.Setenv(gosmtpd.ReadyTimeoutEnv, "soon")
	if err := (&gosmtpd.Controller{Server: &gosmtpd.Server{}, Address: "127.0.0.1:0"}).Start(); err == nil ||
		!strings.Contains(err.Error(), gosmtpd.ReadyTimeoutEnv) {
		t.Errorf("bad %s: %v", gosmtpd.ReadyTimeoutEnv, err)
	}
}

func TestControllerStartTwice(t *testing.T) {
	ctl := control(t, &gosmtpd.Controller{Server: &gosmtpd.Server{}})
	if err := ctl.Start(); err == nil {
		t.Fatal("second Start succeeded")
	}
}

// With room for one session, the readiness check's own connection must
// be gone when Start returns: the first client gets 220, not 421.
func TestControllerReadyLeavesTheSlotsFree(t *testing.T) {
	for range 5 {
		ctl := control(t, &gosmtpd.Controller{Server: &gosmtpd.Server{MaxConnections: 1}})
		w := testkit.Dial(t, "tcp", ctl.Addr().String())
		w.Expect("220 ")
		ctl.Stop(context.Background())
	}
}

type proxyCounter struct{ local, other atomic.Int32 }

func (p *proxyCounter) HandlePROXY(_ context.Context, _ *hooks.Session, info *hooks.ProxyInfo) error {
	if info.Local {
		p.local.Add(1)
	} else {
		p.other.Add(1)
	}
	return nil
}

// Behind a load balancer, the readiness check speaks PROXY v2 LOCAL (a
// health check) instead of waiting out the header timeout.
func TestControllerReadyBehindProxy(t *testing.T) {
	counter := &proxyCounter{}
	control(t, &gosmtpd.Controller{ReadyTimeout: 2 * time.Second, Server: &gosmtpd.Server{Handler: counter,
		Proxy: &transport.ProxyOptions{Timeout: 10 * time.Second}}})
	if counter.local.Load() != 1 || counter.other.Load() != 0 {
		t.Fatalf("PROXY hook saw %d LOCAL and %d other headers", counter.local.Load(), counter.other.Load())
	}
}

// GOSMTPD_CONTROLLER_TIMEOUT overrides the ReadyTimeout given in code, as
// AIOSMTPD_CONTROLLER_TIMEOUT overrides aiosmtpd's ready_timeout: here a
// timeout too short to ever be ready is lengthened by the environment.
func TestControllerEnvironmentOverridesReadyTimeout(t *testing.T) {
	t.Setenv(gosmtpd.ReadyTimeoutEnv, "10")
	control(t, &gosmtpd.Controller{Server: &gosmtpd.Server{}, ReadyTimeout: time.Nanosecond})
}
