package testkit

import (
	"crypto/tls"
	"crypto/x509"
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
