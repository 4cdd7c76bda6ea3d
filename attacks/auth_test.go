package attacks_test

import (
	"encoding/base64"
	"strings"
	"testing"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// plain is the AUTH PLAIN initial response for user and password.
func plain(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + password))
}

const password = "s3cret-Pa55"

// T-23: AUTH before TLS, where TLS is required for it, gets 538 5.7.11.
func TestAuthNeedsEncryption(t *testing.T) {
	serverTLS, _ := testkit.TLSConfigs(t, hostname)
	c := connect(t, start(t, &gosmtpd.Server{Handler: newRecorder(), TLSConfig: serverTLS,
		Authenticator: hooks.Passwords{"user": password}}))
	c.Send("EHLO client.test")
	if caps := c.Expect("250 "); strings.Contains(caps, "AUTH") {
		t.Fatalf("AUTH offered in plaintext: %q", caps)
	}
	c.Send("AUTH PLAIN " + plain("user", password))
	c.Expect("538 5.7.11")
}

// T-23: an over-long response line, a cancelled exchange and invalid
// base64 each get their error and leave the session usable; nothing of
// the long line is executed.
func TestAuthMalformedExchanges(t *testing.T) {
	c := connect(t, start(t, &gosmtpd.Server{Handler: newRecorder(), AuthCleartext: true,
		Authenticator: hooks.Passwords{"user": password}}))
	c.Send("EHLO client.test", "AUTH PLAIN")
	c.ExpectAll("250 ", "334")
	c.Send(strings.Repeat("QUFB", 3100)+" QUIT", "NOOP") // 12,405 octets, past the 12,288 limit
	c.Expect("500 5.5.6")
	c.Expect("250 2.0.0") // the NOOP: the line was discarded to its end, its QUIT never ran

	c = connect(t, startAuth(t))
	c.Send("EHLO client.test", "AUTH LOGIN", "*")
	c.ExpectAll("250 ", "334", "501 5.0.0")
	c.Send("AUTH PLAIN !!!not-base64")
	c.Expect("501 5.5.2")
	c.Send("AUTH PLAIN", "not base64 either")
	c.ExpectAll("334", "501 5.5.2")
	c.Send("AUTH PLAIN " + plain("user", password))
	c.Expect("235 2.7.0")
}

func startAuth(t *testing.T) string {
	return start(t, &gosmtpd.Server{Handler: newRecorder(), AuthCleartext: true,
		Authenticator: hooks.Passwords{"user": password}})
}

// T-23: wrong passwords get 535 5.7.8 each, then 421 4.7.0 and close at
// the third (MaxAuthFailures); the credentials never reach the log.
func TestAuthBruteForce(t *testing.T) {
	logs := &testkit.Buffer{}
	c := connect(t, start(t, &gosmtpd.Server{Handler: newRecorder(), AuthCleartext: true,
		Authenticator: hooks.Passwords{"user": password}, Logger: testkit.DebugLogger(logs)}))
	c.Send("EHLO client.test")
	c.Expect("250 ")
	for i := range 10 {
		c.Write("AUTH PLAIN " + plain("user", password[:i]+"wrong") + "\r\n")
		if i == 3 {
			c.Expect("421 4.7.0")
			break
		}
		c.Expect("535 5.7.8")
	}
	c.ExpectClosed()
	out := logs.String()
	for _, secret := range []string{password, "wrong", plain("user", "wrong")} {
		if strings.Contains(out, secret) {
			t.Fatalf("the log holds %q:\n%s", secret, out)
		}
	}
}

// T-24: with AuthRequired, MAIL, RCPT and DATA before AUTH each get
// 530 5.7.0, and nothing is delivered.
func TestAuthRequired(t *testing.T) {
	rec := newRecorder()
	c := connect(t, start(t, &gosmtpd.Server{Handler: rec, AuthCleartext: true, AuthRequired: true,
		Authenticator: hooks.Passwords{"user": password}}))
	c.Send("EHLO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA", "hello", ".")
	c.ExpectAll("250 ", "530 5.7.0", "530 5.7.0", "530 5.7.0")
	c.ExpectAll("500 5.5.1", "500 5.5.1") // no DATA: the body lines are unknown commands
	c.Send("AUTH PLAIN "+plain("user", password), "MAIL FROM:<a@x.test>")
	c.ExpectAll("235 2.7.0", "250 2.1.0")
	if n := len(rec.Delivered()); n != 0 || rec.Mails() != 1 {
		t.Fatalf("%d messages delivered, %d MAIL executed before AUTH", n, rec.Mails()-1)
	}
}
