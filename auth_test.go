package gosmtpd_test

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// alicePW is the one known password of these tests: the log test looks for
// it in everything the server prints.
const alicePW = "Wonder land 5ecret!"

func authB64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// authMsg is a message with the session and envelope it arrived in.
type authMsg struct {
	sess hooks.Session
	env  hooks.Envelope
	data string
}

// authBox is a DATA hook that hands each message to the test.
type authBox struct{ got chan authMsg }

func (b *authBox) HandleDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	data, err := io.ReadAll(msg)
	if err != nil {
		return err
	}
	b.got <- authMsg{sess: *s, env: *e, data: string(data)}
	return nil
}

// next returns the next message and checks who sent it.
func (b *authBox) next(t testing.TB, id, mechanism string) authMsg {
	t.Helper()
	select {
	case m := <-b.got:
		if m.sess.AuthID != id || m.sess.AuthMechanism != mechanism || m.sess.TLS == nil && id != "" {
			t.Fatalf("delivered as %q by %q (TLS %v), want %q by %q", m.sess.AuthID, m.sess.AuthMechanism,
				m.sess.TLS != nil, id, mechanism)
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message delivered")
		return authMsg{}
	}
}

// authServer is a server with alice's password, TLS, and the changes of
// tweak, served under a Controller (SMTPS when smtps).
type authServer struct {
	ctl       *gosmtpd.Controller
	box       *authBox
	clientTLS *tls.Config
	smtps     bool
}

func startAuth(t *testing.T, smtps bool, tweak func(*gosmtpd.Server)) *authServer {
	t.Helper()
	serverTLS, clientTLS := selfSigned(t)
	box := &authBox{got: make(chan authMsg, 16)}
	srv := &gosmtpd.Server{Handler: box, TLSConfig: serverTLS,
		Authenticator: hooks.Passwords{"alice": alicePW}}
	if tweak != nil {
		tweak(srv)
	}
	ctl := control(t, &gosmtpd.Controller{SMTPS: smtps, Server: srv})
	return &authServer{ctl: ctl, box: box, clientTLS: clientTLS, smtps: smtps}
}

func (a *authServer) addr() string { return a.ctl.Addr().String() }

// dial connects, under TLS for SMTPS, and reads the greeting.
func (a *authServer) dial(t *testing.T) *wire {
	t.Helper()
	if !a.smtps {
		w := dialWire(t, "tcp", a.addr())
		w.expect("220 ")
		return w
	}
	nc, err := tls.Dial("tcp", a.addr(), a.clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	w := newWire(t, nc)
	w.expect("220 ")
	return w
}

// encrypted greets and makes sure the session is under TLS: STARTTLS unless
// it is SMTPS already. It returns the capabilities under TLS.
func (a *authServer) encrypted(t *testing.T, w *wire) (*wire, string) {
	t.Helper()
	w.send("EHLO client.example")
	caps := w.expect("250 ")
	if a.smtps {
		return w, caps
	}
	w.send("STARTTLS")
	w.expect("220 ")
	tc := tls.Client(w.nc, a.clientTLS)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	w = newWire(t, tc)
	w.send("EHLO client.example")
	return w, w.expect("250 ")
}

func TestAuthOnlyAfterSTARTTLS(t *testing.T) {
	a := startAuth(t, false, nil)
	w := a.dial(t)
	w.send("EHLO client.example")
	if caps := w.expect("250 "); strings.Contains(caps, "AUTH") || !strings.Contains(caps, "STARTTLS") {
		t.Fatalf("plaintext capabilities %q: want STARTTLS and no AUTH", caps)
	}
	w.send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
	w.expect("538 5.7.11 ")
	w.send("AUTH LOGIN")
	w.expect("538 5.7.11 ")
	w.send("STARTTLS")
	w.expect("220 ")
	tc := tls.Client(w.nc, a.clientTLS)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	w = newWire(t, tc)
	w.send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
	w.expect("503 ") // TLS forgets the EHLO (RFC 3207 §4.2)
	w.send("EHLO client.example")
	if caps := w.expect("250 "); !strings.Contains(caps, "AUTH PLAIN LOGIN") || strings.Contains(caps, "STARTTLS") {
		t.Fatalf("capabilities under TLS %q", caps)
	}
	w.send("AUTH PLAIN " + authB64("\x00alice\x00wrong"))
	w.expect("535 5.7.8 ")
	w.send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
	w.expect("235 2.7.0 ")
	w.send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
	w.expect("503 ")
	w.send("MAIL FROM:<alice@example.com> AUTH=e+3Dmc2@example.com", "RCPT TO:<bob@example.net>", "AUTH LOGIN", "DATA")
	w.expect("250 ")
	w.expect("250 ")
	w.expect("503 ") // not during a transaction
	w.expect("354 ")
	w.send("Subject: hi\r\n\r\nbody\r\n.")
	w.expect("250 ")
	m := a.box.next(t, "alice", "PLAIN")
	if m.sess.AuthUser != "alice" || m.env.MailAuth != "e=mc2@example.com" || m.env.MailFrom != "alice@example.com" {
		t.Fatalf("session %+v, envelope %+v", m.sess, m.env)
	}
}

func TestAuthUnderSMTPS(t *testing.T) {
	a := startAuth(t, true, nil)
	w := a.dial(t)
	w.send("EHLO client.example")
	if caps := w.expect("250 "); !strings.Contains(caps, "AUTH PLAIN LOGIN") {
		t.Fatalf("SMTPS capabilities %q: want AUTH at once", caps)
	}
	w.send("AUTH LOGIN")
	w.expect("334 VXNlcm5hbWU6")
	w.send(authB64("alice"))
	w.expect("334 UGFzc3dvcmQ6")
	w.send(authB64(alicePW))
	w.expect("235 2.7.0 ")
	w.send("MAIL FROM:<alice@example.com> AUTH=<>", "RCPT TO:<bob@example.net>", "DATA")
	w.expect("250 ")
	w.expect("250 ")
	w.expect("354 ")
	w.send("x\r\n.")
	w.expect("250 ")
	if m := a.box.next(t, "alice", "LOGIN"); m.env.MailAuth != "<>" {
		t.Fatalf("MailAuth %q", m.env.MailAuth)
	}

	// LOGIN with the user name as initial response; PLAIN after a challenge.
	for _, mech := range []string{"AUTH LOGIN " + authB64("alice"), "AUTH PLAIN"} {
		w := a.dial(t)
		w.send("EHLO client.example")
		w.expect("250 ")
		w.send(mech)
		w.expect("334 ")
		if strings.HasPrefix(mech, "AUTH LOGIN") {
			w.send(authB64(alicePW))
		} else {
			w.send(authB64("alice\x00alice\x00" + alicePW)) // authzid = user
		}
		w.expect("235 2.7.0 ")
	}
}

func TestAuthRequired(t *testing.T) {
	for _, smtps := range []bool{false, true} {
		a := startAuth(t, smtps, func(s *gosmtpd.Server) { s.AuthRequired = true })
		w, _ := a.encrypted(t, a.dial(t))
		for _, cmd := range []string{"MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.net>", "DATA",
			"VRFY alice", "EXPN staff", "HELP", "HELP MAIL"} {
			w.send(cmd)
			w.expect("530 5.7.0 ")
		}
		w.send("NOOP", "RSET")
		w.expect("250 ")
		w.expect("250 ")
		w.send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
		w.expect("235 ")
		w.deliver("alice@example.com", "bob@example.net", "x\r\n")
		a.box.next(t, "alice", "PLAIN")
	}
	// Before STARTTLS the client is told to authenticate, and that it
	// must encrypt first.
	a := startAuth(t, false, func(s *gosmtpd.Server) { s.AuthRequired = true })
	w := a.dial(t)
	w.send("EHLO client.example", "MAIL FROM:<a@example.com>", "AUTH PLAIN "+authB64("\x00alice\x00"+alicePW))
	w.expect("250 ")
	w.expect("530 5.7.0 ")
	w.expect("538 5.7.11 ")
}

func TestAuthReplies(t *testing.T) {
	a := startAuth(t, true, nil)
	w, _ := a.encrypted(t, a.dial(t))
	w.send("AUTH PLAIN !!!")
	w.expect("501 ")
	w.send("AUTH PLAIN")
	w.expect("334 ")
	w.send("*")
	w.expect("501 ") // cancelled
	w.send("AUTH LOGIN")
	w.expect("334 ")
	w.send("not base64")
	w.expect("501 ")
	w.send("AUTH CRAM-MD5")
	w.expect("504 5.5.4 ")
	w.send("AUTH")
	w.expect("501 ")
	w.send("AUTH PLAIN " + authB64("no NUL at all"))
	w.expect("501 ")
	w.send("MAIL FROM:<alice@example.com> AUTH=bad+0D+0AInjected")
	w.expect("501 ")
	w.send("auth plain " + authB64("\x00alice\x00"+alicePW)) // mechanism names ignore case
	w.expect("235 2.7.0 ")
}

func TestAuthFailureLimit(t *testing.T) {
	a := startAuth(t, true, func(s *gosmtpd.Server) { s.MaxAuthFailures = 2 })
	w, _ := a.encrypted(t, a.dial(t))
	w.send("AUTH PLAIN " + authB64("\x00alice\x00guess1"))
	w.expect("535 5.7.8 ")
	w.send("AUTH LOGIN " + authB64("alice"))
	w.expect("334 ")
	w.send(authB64("guess2"))
	w.expect("535 5.7.8 ")
	w.expect("421 4.7.0 ")
	w.expectClosed()

	// The default is 3.
	a = startAuth(t, true, nil)
	w, _ = a.encrypted(t, a.dial(t))
	for range 3 {
		w.send("AUTH PLAIN " + authB64("\x00alice\x00guess"))
		w.expect("535 ")
	}
	w.expect("421 4.7.0 ")
	w.expectClosed()
}

func TestAuthExcludedMechanisms(t *testing.T) {
	a := startAuth(t, true, func(s *gosmtpd.Server) {
		s.AuthMechanisms = []hooks.Mechanism{hooks.Plain, hooks.Login, hooks.CRAMMD5{Hostname: "mx.test"}}
		s.AuthExclude = []string{"login"}
	})
	w, caps := a.encrypted(t, a.dial(t))
	if !strings.Contains(caps, "AUTH PLAIN CRAM-MD5\n") {
		t.Fatalf("capabilities %q", caps)
	}
	w.send("AUTH LOGIN")
	w.expect("504 5.5.4 ")

	a = startAuth(t, true, func(s *gosmtpd.Server) { s.AuthExclude = []string{"PLAIN", "LOGIN"} })
	w, caps = a.encrypted(t, a.dial(t))
	if strings.Contains(caps, "AUTH") {
		t.Fatalf("everything excluded, still %q", caps)
	}
	w.send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
	w.expect("502 ")
}

func TestAuthCRAMMD5(t *testing.T) {
	a := startAuth(t, false, func(s *gosmtpd.Server) {
		s.AuthMechanisms = append(hooks.DefaultMechanisms(), hooks.CRAMMD5{Hostname: "mx.test"})
	})
	w, _ := a.encrypted(t, a.dial(t))
	w.send("AUTH CRAM-MD5 " + authB64("alice"))
	w.expect("501 ") // server-first: no initial response
	for _, pw := range []string{"wrong", alicePW} {
		w.send("AUTH CRAM-MD5")
		line := w.expect("334 ")
		challenge, err := base64.StdEncoding.DecodeString(line[4:])
		if err != nil || !strings.HasSuffix(string(challenge), "@mx.test>") {
			t.Fatalf("challenge %q: %v", line, err)
		}
		mac := hmac.New(md5.New, []byte(pw))
		mac.Write(challenge)
		w.send(authB64("alice " + hex.EncodeToString(mac.Sum(nil))))
		if pw == alicePW {
			w.expect("235 2.7.0 ")
		} else {
			w.expect("535 5.7.8 ")
		}
	}
	w.deliver("alice@example.com", "bob@example.net", "x\r\n")
	a.box.next(t, "alice", "CRAM-MD5")
}

// TestAuthenticatorFailures: an Authenticator that fails, hangs or panics
// still leaves the client with a reply, and the server serves on.
func TestAuthenticatorFailures(t *testing.T) {
	release := make(chan struct{})
	a := startAuth(t, true, func(s *gosmtpd.Server) {
		s.HandlerTimeout = 200 * time.Millisecond
		s.Authenticator = hooks.AuthenticatorFunc(func(ctx context.Context, s *hooks.Session, e *hooks.Envelope, c *hooks.Credentials) error {
			switch c.Username {
			case "fails":
				return errors.New("directory unreachable")
			case "hangs":
				<-release // deaf to its context
				return nil
			case "panics":
				panic("authenticator bug")
			}
			return hooks.Passwords{"alice": alicePW}.Authenticate(ctx, s, e, c)
		})
	})
	t.Cleanup(func() { close(release) }) // runs before the server stops
	w, _ := a.encrypted(t, a.dial(t))
	w.send("AUTH PLAIN " + authB64("\x00fails\x00x"))
	w.expect("454 4.7.0 ")
	start := time.Now()
	w.send("AUTH PLAIN " + authB64("\x00hangs\x00x"))
	w.expect("454 4.7.0 ")
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("answered a hanging authenticator after %v, before its timeout", d)
	}
	w.send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW)) // 454 is no failure: no limit reached
	w.expect("235 ")
	w.deliver("alice@example.com", "bob@example.net", "x\r\n")
	a.box.next(t, "alice", "PLAIN")

	w, _ = a.encrypted(t, a.dial(t))
	w.send("AUTH LOGIN " + authB64("panics"))
	w.expect("334 ")
	w.send(authB64("x"))
	w.expect("421 4.3.0 ")
	w.expectClosed()

	w, _ = a.encrypted(t, a.dial(t))
	w.send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
	w.expect("235 ")
}
