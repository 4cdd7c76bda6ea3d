package attacks_test

import (
	"io"
	"math/rand/v2"
	"regexp"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// T-03: commands pipelined after STARTTLS in the same write are thrown
// away: no reply to them appears, in plaintext or inside TLS, and they do
// not count as the new session's EHLO or MAIL.
func TestSTARTTLSPlaintextInjection(t *testing.T) {
	serverTLS, clientTLS := testkit.TLSConfigs(t, hostname)
	rec := newRecorder()
	c := connect(t, start(t, &gosmtpd.Server{Handler: rec, TLSConfig: serverTLS}))
	c.Send("EHLO client.test")
	c.Expect("250 ")
	c.Write("STARTTLS\r\nRSET\r\nMAIL FROM:<x@y.test>\r\n")
	c.Expect("220 2.0.0")
	c.StartTLS(clientTLS) // fails if a plaintext reply follows the 220
	c.Send("MAIL FROM:<a@b.test>")
	c.Expect("503 5.5.1") // EHLO again first
	c.Send("EHLO client.test", "MAIL FROM:<a@b.test>")
	c.ExpectAll("250 ", "250 2.1.0") // not "nested MAIL": the injected one never ran
	if n := rec.Mails(); n != 1 {
		t.Fatalf("%d MAIL commands reached the handler, want 1", n)
	}
}

// T-04: STARTTLS forgets the greeting, the authentication and the
// transaction (RFC 3207 §4.2).
func TestSTARTTLSResetsTheSession(t *testing.T) {
	serverTLS, clientTLS := testkit.TLSConfigs(t, hostname)
	srv := &gosmtpd.Server{Handler: newRecorder(), TLSConfig: serverTLS, AuthCleartext: true,
		Authenticator: hooks.Passwords{"user": "pass"}}
	c := connect(t, start(t, srv))
	c.Send("EHLO client.test", "AUTH PLAIN AHVzZXIAcGFzcw==", "MAIL FROM:<a@b.test>", "STARTTLS")
	c.ExpectAll("250 ", "235 2.7.0", "250 2.1.0", "220 2.0.0")
	c.StartTLS(clientTLS)
	c.Send("RCPT TO:<c@d.test>")
	c.Expect("503 5.5.1") // the envelope is gone, and the EHLO with it
	c.Send("EHLO client.test", "AUTH PLAIN AHVzZXIAcGFzcw==")
	c.Expect("250 ")
	c.Expect("235 2.7.0") // not 503 "already authenticated": it was forgotten
	c.Send("MAIL FROM:<a@b.test>", "RCPT TO:<c@d.test>")
	c.ExpectAll("250 2.1.0", "250 2.1.5") // not "nested MAIL"
}

// smtpReply matches the start of an SMTP reply line.
var smtpReply = regexp.MustCompile(`(^|\n)[2-5][0-9][0-9][ -]`)

// expectNoPlaintextReply reads until the server closes the connection and
// checks that no SMTP reply came (a TLS alert may).
func (c *client) expectNoPlaintextReply() {
	c.T.Helper()
	b, err := io.ReadAll(c.Reader)
	if testkit.IsTimeout(err) {
		c.T.Fatal("the connection is still open")
	}
	if smtpReply.Match(b) {
		c.T.Fatalf("a plaintext reply after the TLS handshake failed: %q", b)
	}
}

// T-05: a failed handshake, after STARTTLS or on the SMTPS port, closes
// the connection without a plaintext reply; a stalled one is closed at the
// handshake timeout; the server goes on serving.
func TestTLSHandshakeGarbage(t *testing.T) {
	garbage := make([]byte, 4096)
	rng := rand.NewChaCha8([32]byte{5})
	rng.Read(garbage)
	serverTLS, _ := testkit.TLSConfigs(t, hostname)
	srv := &gosmtpd.Server{Handler: newRecorder(), TLSConfig: serverTLS, TLSHandshakeTimeout: 300 * time.Millisecond}
	addr := start(t, srv)
	for _, tc := range []struct{ name, send string }{
		{"random bytes", string(garbage)},
		{"HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"stalled ClientHello", "\x16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connect(t, addr)
			c.Send("EHLO client.test", "STARTTLS")
			c.ExpectAll("250 ", "220 2.0.0")
			began := time.Now()
			c.Write(tc.send)
			c.expectNoPlaintextReply()
			if d := time.Since(began); tc.send == "\x16" && d < 250*time.Millisecond {
				t.Fatalf("a stalled handshake was closed after %v, before the 300ms timeout", d)
			}
		})
	}
	c := connect(t, addr) // still serving
	c.Send("EHLO client.test")
	c.Expect("250 ")
}

// T-05: plaintext on the SMTPS port gets no plaintext reply.
func TestSMTPSPortPlaintext(t *testing.T) {
	serverTLS, clientTLS := testkit.TLSConfigs(t, hostname)
	srv := &gosmtpd.Server{Handler: newRecorder(), TLSConfig: serverTLS, TLSHandshakeTimeout: time.Second}
	addr := serveWith(t, srv, listen(t, "tcp", "127.0.0.1:0"), srv.ServeTLS)
	c := dial(t, "tcp", addr)
	c.Send("EHLO x")
	c.expectNoPlaintextReply()
	c = dial(t, "tcp", addr) // still serving, over TLS
	c.StartTLS(clientTLS)
	c.Expect("220 ")
	c.Send("EHLO client.test")
	c.Expect("250 ")
}
