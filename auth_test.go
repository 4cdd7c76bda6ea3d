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
	"github.com/gosmtpd/gosmtpd/internal/testkit"
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
	serverTLS, clientTLS := testkit.TLSConfigs(t, "mx.test", "127.0.0.1", "localhost")
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
func (a *authServer) dial(t *testing.T) *testkit.Client {
	t.Helper()
	if !a.smtps {
		w := testkit.Dial(t, "tcp", a.addr())
		w.Expect("220 ")
		return w
	}
	w := testkit.DialTLS(t, a.addr(), a.clientTLS)
	w.Expect("220 ")
	return w
}

// encrypted greets and makes sure the session is under TLS: STARTTLS unless
// it is SMTPS already. It returns the capabilities under TLS.
func (a *authServer) encrypted(t *testing.T, w *testkit.Client) (*testkit.Client, string) {
	t.Helper()
	w.Send("EHLO client.example")
	caps := w.Expect("250 ")
	if a.smtps {
		return w, caps
	}
	w.Send("STARTTLS")
	w.Expect("220 ")
	w.StartTLS(a.clientTLS)
	w.Send("EHLO client.example")
	return w, w.Expect("250 ")
}

func TestAuthOnlyAfterSTARTTLS(t *testing.T) {
	a := startAuth(t, false, nil)
	w := a.dial(t)
	w.Send("EHLO client.example")
	if caps := w.Expect("250 "); strings.Contains(caps, "AUTH") || !strings.Contains(caps, "STARTTLS") {
		t.Fatalf("plaintext capabilities %q: want STARTTLS and no AUTH", caps)
	}
	w.Send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
	w.Expect("538 5.7.11 ")
	w.Send("AUTH LOGIN")
	w.Expect("538 5.7.11 ")
	w.Send("STARTTLS")
	w.Expect("220 ")
	w.StartTLS(a.clientTLS)
	w.Send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
	w.Expect("503 ") // TLS forgets the EHLO (RFC 3207 §4.2)
	w.Send("EHLO client.example")
	if caps := w.Expect("250 "); !strings.Contains(caps, "AUTH PLAIN LOGIN") || strings.Contains(caps, "STARTTLS") {
		t.Fatalf("capabilities under TLS %q", caps)
	}
	w.Send("AUTH PLAIN " + authB64("\x00alice\x00wrong"))
	w.Expect("535 5.7.8 ")
	w.Send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
	w.Expect("235 2.7.0 ")
	w.Send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
	w.Expect("503 ")
	w.Send("MAIL FROM:<alice@example.com> AUTH=e+3Dmc2@example.com", "RCPT TO:<bob@example.net>", "AUTH LOGIN", "DATA")
	w.Expect("250 ")
	w.Expect("250 ")
	w.Expect("503 ") // not during a transaction
	w.Expect("354 ")
	w.Send("Subject: hi\r\n\r\nbody\r\n.")
	w.Expect("250 ")
	m := a.box.next(t, "alice", "PLAIN")
	if m.sess.AuthUser != "alice" || m.env.MailAuth != "e=mc2@example.com" || m.env.MailFrom != "alice@example.com" {
		t.Fatalf("session %+v, envelope %+v", m.sess, m.env)
	}
}

func TestAuthUnderSMTPS(t *testing.T) {
	a := startAuth(t, true, nil)
	w := a.dial(t)
	w.Send("EHLO client.example")
	if caps := w.Expect("250 "); !strings.Contains(caps, "AUTH PLAIN LOGIN") {
		t.Fatalf("SMTPS capabilities %q: want AUTH at once", caps)
	}
	w.Send("AUTH LOGIN")
	w.Expect("334 VXNlcm5hbWU6")
	w.Send(authB64("alice"))
	w.Expect("334 UGFzc3dvcmQ6")
	w.Send(authB64(alicePW))
	w.Expect("235 2.7.0 ")
	w.Send("MAIL FROM:<alice@example.com> AUTH=<>", "RCPT TO:<bob@example.net>", "DATA")
	w.Expect("250 ")
	w.Expect("250 ")
	w.Expect("354 ")
	w.Send("x\r\n.")
	w.Expect("250 ")
	if m := a.box.next(t, "alice", "LOGIN"); m.env.MailAuth != "<>" {
		t.Fatalf("MailAuth %q", m.env.MailAuth)
	}

	// LOGIN with the user name as initial response; PLAIN after a challenge.
	for _, mech := range []string{"AUTH LOGIN " + authB64("alice"), "AUTH PLAIN"} {
		w := a.dial(t)
		w.Send("EHLO client.example")
		w.Expect("250 ")
		w.Send(mech)
		w.Expect("334 ")
		if strings.HasPrefix(mech, "AUTH LOGIN") {
			w.Send(authB64(alicePW))
		} else {
			w.Send(authB64("alice\x00alice\x00" + alicePW)) // authzid = user
		}
		w.Expect("235 2.7.0 ")
	}
}

func TestAuthRequired(t *testing.T) {
	for _, smtps := range []bool{false, true} {
		a := startAuth(t, smtps, func(s *gosmtpd.Server) { s.AuthRequired = true })
		w, _ := a.encrypted(t, a.dial(t))
		for _, cmd := range []string{"MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.net>", "DATA",
			"VRFY alice", "EXPN staff", "HELP", "HELP MAIL"} {
			w.Send(cmd)
			w.Expect("530 5.7.0 ")
		}
		w.Send("NOOP", "RSET")
		w.Expect("250 ")
		w.Expect("250 ")
		w.Send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
		w.Expect("235 ")
		w.Deliver("alice@example.com", "bob@example.net", "x\r\n")
		a.box.next(t, "alice", "PLAIN")
	}
	// Before STARTTLS the client is told to authenticate, and that it
	// must encrypt first.
	a := startAuth(t, false, func(s *gosmtpd.Server) { s.AuthRequired = true })
	w := a.dial(t)
	w.Send("EHLO client.example", "MAIL FROM:<a@example.com>", "AUTH PLAIN "+authB64("\x00alice\x00"+alicePW))
	w.Expect("250 ")
	w.Expect("530 5.7.0 ")
	w.Expect("538 5.7.11 ")
}

func TestAuthReplies(t *testing.T) {
	a := startAuth(t, true, nil)
	w, _ := a.encrypted(t, a.dial(t))
	w.Send("AUTH PLAIN !!!")
	w.Expect("501 ")
	w.Send("AUTH PLAIN")
	w.Expect("334 ")
	w.Send("*")
	w.Expect("501 ") // cancelled
	w.Send("AUTH LOGIN")
	w.Expect("334 ")
	w.Send("not base64")
	w.Expect("501 ")
	w.Send("AUTH CRAM-MD5")
	w.Expect("504 5.5.4 ")
	w.Send("AUTH")
	w.Expect("501 ")
	w.Send("AUTH PLAIN " + authB64("no NUL at all"))
	w.Expect("501 ")
	w.Send("MAIL FROM:<alice@example.com> AUTH=bad+0D+0AInjected")
	w.Expect("501 ")
	w.Send("auth plain " + authB64("\x00alice\x00"+alicePW)) // mechanism names ignore case
	w.Expect("235 2.7.0 ")
}

func TestAuthFailureLimit(t *testing.T) {
	a := startAuth(t, true, func(s *gosmtpd.Server) { s.MaxAuthFailures = 2 })
	w, _ := a.encrypted(t, a.dial(t))
	w.Send("AUTH PLAIN " + authB64("\x00alice\x00guess1"))
	w.Expect("535 5.7.8 ")
	w.Send("AUTH LOGIN " + authB64("alice"))
	w.Expect("334 ")
	w.Send(authB64("guess2"))
	w.Expect("535 5.7.8 ")
	w.Expect("421 4.7.0 ")
	w.ExpectClosed()

	// The default is 3.
	a = startAuth(t, true, nil)
	w, _ = a.encrypted(t, a.dial(t))
	for range 3 {
		w.Send("AUTH PLAIN " + authB64("\x00alice\x00guess"))
		w.Expect("535 ")
	}
	w.Expect("421 4.7.0 ")
	w.ExpectClosed()
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
	w.Send("AUTH LOGIN")
	w.Expect("504 5.5.4 ")

	a = startAuth(t, true, func(s *gosmtpd.Server) { s.AuthExclude = []string{"PLAIN", "LOGIN"} })
	w, caps = a.encrypted(t, a.dial(t))
	if strings.Contains(caps, "AUTH") {
		t.Fatalf("everything excluded, still %q", caps)
	}
	w.Send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
	w.Expect("502 ")
}

func TestAuthCRAMMD5(t *testing.T) {
	a := startAuth(t, false, func(s *gosmtpd.Server) {
		s.AuthMechanisms = append(hooks.DefaultMechanisms(), hooks.CRAMMD5{Hostname: "mx.test"})
	})
	w, _ := a.encrypted(t, a.dial(t))
	w.Send("AUTH CRAM-MD5 " + authB64("alice"))
	w.Expect("501 ") // server-first: no initial response
	for _, pw := range []string{"wrong", alicePW} {
		w.Send("AUTH CRAM-MD5")
		line := w.Expect("334 ")
		challenge, err := base64.StdEncoding.DecodeString(line[4:])
		if err != nil || !strings.HasSuffix(string(challenge), "@mx.test>") {
			t.Fatalf("challenge %q: %v", line, err)
		}
		mac := hmac.New(md5.New, []byte(pw))
		mac.Write(challenge)
		w.Send(authB64("alice " + hex.EncodeToString(mac.Sum(nil))))
		if pw == alicePW {
			w.Expect("235 2.7.0 ")
		} else {
			w.Expect("535 5.7.8 ")
		}
	}
	w.Deliver("alice@example.com", "bob@example.net", "x\r\n")
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
			case "hangs": // until its time is up: it honours its context
				select {
				case <-release:
				case <-ctx.Done():
					return ctx.Err()
				}
				return nil
			case "panics":
				panic("authenticator bug")
			}
			return hooks.Passwords{"alice": alicePW}.Authenticate(ctx, s, e, c)
		})
	})
	t.Cleanup(func() { close(release) }) // runs before the server stops
	w, _ := a.encrypted(t, a.dial(t))
	w.Send("AUTH PLAIN " + authB64("\x00fails\x00x"))
	w.Expect("454 4.7.0 ")
	start := time.Now()
	w.Send("AUTH PLAIN " + authB64("\x00hangs\x00x"))
	w.Expect("454 4.7.0 ")
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("answered a hanging authenticator after %v, before its timeout", d)
	}
	w.Send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW)) // 454 is no failure: no limit reached
	w.Expect("235 ")
	w.Deliver("alice@example.com", "bob@example.net", "x\r\n")
	a.box.next(t, "alice", "PLAIN")

	w, _ = a.encrypted(t, a.dial(t))
	w.Send("AUTH LOGIN " + authB64("panics"))
	w.Expect("334 ")
	w.Send(authB64("x"))
	w.Expect("421 4.3.0 ")
	w.ExpectClosed()

	w, _ = a.encrypted(t, a.dial(t))
	w.Send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW))
	w.Expect("235 ")
}
