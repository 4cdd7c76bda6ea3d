package attacks_test

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

// renewCertificate writes a new self-signed certificate for name, and its
// key, over certFile and keyFile.
func renewCertificate(t testing.TB, name, certFile, keyFile string) {
	t.Helper()
	cfg, err := smtptls.SelfSigned(name)
	if err != nil {
		t.Fatal(err)
	}
	c, k := testkit.WritePEM(t, cfg)
	for from, to := range map[string]string{c: certFile, k: keyFile} {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// startTLS runs STARTTLS on a fresh session and returns the client with
// the name in the certificate the server presented.
func startTLS(t testing.TB, addr string) (*client, string) {
	t.Helper()
	c := connect(t, addr)
	c.Send("EHLO client.test", "STARTTLS")
	c.ExpectAll("250 ", "220 ")
	c.StartTLS(&tls.Config{InsecureSkipVerify: true})
	c.Send("EHLO client.test")
	c.Expect("250 ")
	return c, c.Conn.(*tls.Conn).ConnectionState().PeerCertificates[0].DNSNames[0]
}

// T-49: a renewed certificate is taken on SIGHUP, with no restart (the
// attack's finding: a renewal needed one, dropping every session): the
// next handshake presents it, and a session encrypted under the old one,
// in the middle of a transaction, goes on to deliver its message.
func TestCertificateReloadOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	renewCertificate(t, "old.mx.test", certFile, keyFile)
	p := startCommand(t, 0, "-c", "sink", "--tlscert", certFile, "--tlskey", keyFile)
	old, name := startTLS(t, p.Addr)
	if name != "old.mx.test" {
		t.Fatalf("presented %q", name)
	}
	old.Send("MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>")
	old.ExpectAll("250 ", "250 ")

	renewCertificate(t, "new.mx.test", certFile, keyFile)
	if err := p.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	p.WaitLog(t, "level=WARN", "certificate reloaded")
	if _, name := startTLS(t, p.Addr); name != "new.mx.test" {
		t.Fatalf("after SIGHUP, presented %q, want the renewed certificate", name)
	}
	servedWithin(t, "127.0.0.2", p.Addr, time.Second)
	old.Send("DATA")
	old.Expect("354 ")
	old.Send("Subject: across a reload", "", "x", ".")
	old.Expect("250 ")
}
