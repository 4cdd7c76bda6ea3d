package attacks_test

import (
	"io"
	"math/rand/v2"
	"regexp"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// T-03: commands pipelined after STARTTLS in the same write are thrown
// away: no reply to them appears, in plaintext or inside TLS, and they do
// not count as the new session's EHLO or MAIL.
func TestSTARTTLSPlaintextInjection(t *testing.T) {
	serverTLS, clientTLS := tlsConfigs(t)
	rec := newRecorder()
	c := connect(t, start(t, &gosmtpd.Server{Handler: rec, TLSConfig: serverTLS}))
	c.send("EHLO client.test")
	c.expect("250 ")
	c.write("STARTTLS\r\nRSET\r\nMAIL FROM:<x@y.test>\r\n")
	c.expect("220 2.0.0")
	c.startTLS(clientTLS) // fails if a plaintext reply follows the 220
	c.send("MAIL FROM:<a@b.test>")
	c.expect("503 5.5.1") // EHLO again first
	c.send("EHLO client.test", "MAIL FROM:<a@b.test>")
	c.expectAll("250 ", "250 2.1.0") // not "nested MAIL": the injected one never ran
	if n := rec.mailCount(); n != 1 {
		t.Fatalf("%d MAIL commands reached the handler, want 1", n)
	}
}

// T-04: STARTTLS forgets the greeting, the authentication and the
// transaction (RFC 3207 §4.2).
func TestSTARTTLSResetsTheSession(t *testing.T) {
	serverTLS, clientTLS := tlsConfigs(t)
	srv := &gosmtpd.Server{Handler: newRecorder(), TLSConfig: serverTLS, AuthCleartext: true,
		Authenticator: hooks.Passwords{"user": "pass"}}
	c := connect(t, start(t, srv))
	c.send("EHLO client.test", "AUTH PLAIN AHVzZXIAcGFzcw==", "MAIL FROM:<a@b.test>", "STARTTLS")
	c.expectAll("250 ", "235 2.7.0", "250 2.1.0", "220 2.0.0")
	c.startTLS(clientTLS)
	c.send("RCPT TO:<c@d.test>")
	c.expect("503 5.5.1") // the envelope is gone, and the EHLO with it
	c.send("EHLO client.test", "AUTH PLAIN AHVzZXIAcGFzcw==")
	c.expect("250 ")
	c.expect("235 2.7.0") // not 503 "already authenticated": it was forgotten
	c.send("MAIL FROM:<a@b.test>", "RCPT TO:<c@d.test>")
	c.expectAll("250 2.1.0", "250 2.1.5") // not "nested MAIL"
}

// smtpReply matches the start of an SMTP reply line.
var smtpReply = regexp.MustCompile(`(^|\n)[2-5][0-9][0-9][ -]`)

// expectNoPlaintextReply reads until the server closes the connection and
// checks that no SMTP reply came (a TLS alert may).
func (c *client) expectNoPlaintextReply() {
	c.t.Helper()
	b, err := io.ReadAll(c.r)
	if isTimeout(err) {
		c.t.Fatal("the connection is still open")
	}
	if smtpReply.Match(b) {
		c.t.Fatalf("a plaintext reply after the TLS handshake failed: %q", b)
	}
}

// T-05: a failed handshake, after STARTTLS or on the SMTPS port, closes
// the connection without a plaintext reply; a stalled one is closed at the
// handshake timeout; the server goes on serving.
func TestTLSHandshakeGarbage(t *testing.T) {
	garbage := make([]byte, 4096)
	rng := rand.NewChaCha8([32]byte{5})
	rng.Read(garbage)
	serverTLS, _ := tlsConfigs(t)
	srv := &gosmtpd.Server{Handler: newRecorder(), TLSConfig: serverTLS, TLSHandshakeTimeout: 300 * time.Millisecond}
	addr := start(t, srv)
	for _, tc := range []struct{ name, send string }{
		{"random bytes", string(garbage)},
		{"HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"stalled ClientHello", "\x16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connect(t, addr)
			c.send("EHLO client.test", "STARTTLS")
			c.expectAll("250 ", "220 2.0.0")
			began := time.Now()
			c.write(tc.send)
			c.expectNoPlaintextReply()
			if d := time.Since(began); tc.send == "\x16" && d < 250*time.Millisecond {
				t.Fatalf("a stalled handshake was closed after %v, before the 300ms timeout", d)
			}
		})
	}
	c := connect(t, addr) // still serving
	c.send("EHLO client.test")
	c.expect("250 ")
}

// T-05: plaintext on the SMTPS port gets no plaintext reply.
func TestSMTPSPortPlaintext(t *testing.T) {
	serverTLS, clientTLS := tlsConfigs(t)
	srv := &gosmtpd.Server{Handler: newRecorder(), TLSConfig: serverTLS, TLSHandshakeTimeout: time.Second}
	addr := serveWith(t, srv, listen(t, "tcp", "127.0.0.1:0"), srv.ServeTLS)
	c := dial(t, "tcp", addr)
	c.send("EHLO x")
	c.expectNoPlaintextReply()
	c = dial(t, "tcp", addr) // still serving, over TLS
	c.startTLS(clientTLS)
	c.expect("220 ")
	c.send("EHLO client.test")
	c.expect("250 ")
}
