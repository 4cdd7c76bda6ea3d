package testkit

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

// TLSConfigs returns a server configuration with a fresh self-signed
// certificate for the hosts, and a client configuration that trusts it
// and expects the first host as the server's name.
func TLSConfigs(t testing.TB, hosts ...string) (server, client *tls.Config) {
	t.Helper()
	server, err := smtptls.SelfSigned(hosts...)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(server.Certificates[0].Leaf)
	return server, &tls.Config{RootCAs: roots, ServerName: hosts[0]}
}

// WritePEM writes the first certificate of cfg and its private key as PEM
// files in a directory removed when the test ends, for the command's
// flags and for outside clients that verify the server.
func WritePEM(t testing.TB, cfg *tls.Config) (certFile, keyFile string) {
	t.Helper()
	cert := cfg.Certificates[0]
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, certFile, "CERTIFICATE", cert.Certificate[0])
	writePEM(t, keyFile, "PRIVATE KEY", key)
	return certFile, keyFile
}

func writePEM(t testing.TB, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
