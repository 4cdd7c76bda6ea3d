package tls_test

import (
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

// writePair writes a new self-signed certificate for name and its key.
func writePair(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	cfg, err := smtptls.SelfSigned(name)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM := testkit.WritePEM(t, cfg)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for from, to := range map[string]string{certPEM: certFile, keyPEM: keyFile} {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certFile, keyFile
}

// served returns the name in the certificate a handshake with cfg presents.
func served(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go tls.Server(b, cfg).Handshake()
	c := tls.Client(a, &tls.Config{InsecureSkipVerify: true})
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	return c.ConnectionState().PeerCertificates[0].DNSNames[0]
}

// A KeyPair read again presents the renewed certificate at the next
// handshake; a failed reload keeps the one in use.
func TestKeyPairReload(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := writePair(t, dir, "old.test")
	k, err := smtptls.LoadKeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg := k.Config()
	if got := served(t, cfg); got != "old.test" {
		t.Fatalf("served %q", got)
	}
	writePair(t, dir, "new.test")
	if err := k.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := served(t, cfg); got != "new.test" {
		t.Fatalf("after the reload, served %q", got)
	}
	os.WriteFile(keyFile, []byte("not a key"), 0o600)
	if err := k.Reload(); err == nil {
		t.Fatal("a broken key was taken")
	}
	if got := served(t, cfg); got != "new.test" {
		t.Fatalf("after a failed reload, served %q", got)
	}
}
