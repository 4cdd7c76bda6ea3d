package testkit

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"strings"
	"testing"
)

// serveTLS answers "220 go" to one line, then runs a TLS server with cfg
// on its side of the pipe and greets under TLS; extra is written right
// after the 220.
func serveTLS(cfg *tls.Config, srv net.Conn, extra string) {
	buf := make([]byte, 64)
	srv.Read(buf)
	io.WriteString(srv, "220 go\r\n"+extra)
	tc := tls.Server(srv, cfg)
	if tc.Handshake() == nil {
		io.WriteString(tc, "250 secret\r\n")
	}
	tc.Close()
}

func TestStartTLSWithTrustedConfigs(t *testing.T) {
	server, client := TLSConfigs(t, "mx.test", "127.0.0.1")
	srv, cli := net.Pipe()
	go serveTLS(server, srv, "")
	c := NewClient(t, cli)
	c.Send("STARTTLS")
	c.Expect("220")
	c.StartTLS(client)
	if got := c.Expect("250"); got != "250 secret" {
		t.Fatalf("under TLS: %q", got)
	}
	if state := c.Conn.(*tls.Conn).ConnectionState(); state.ServerName != "mx.test" {
		t.Fatalf("server name %q", state.ServerName)
	}
}

func TestStartTLSRefusesPlaintextBehindThe220(t *testing.T) {
	server, client := TLSConfigs(t, "mx.test")
	srv, cli := net.Pipe()
	defer srv.Close()
	go serveTLS(server, srv, "250 injected\r\n")
	c := NewClient(t, cli)
	c.Send("STARTTLS")
	c.Expect("220")
	f := run(func(tb *fakeTB) { c.T = tb; c.StartTLS(client) })
	if !f.failed || !strings.Contains(f.msg, "250 injected") {
		t.Fatalf("failed %v, message %q", f.failed, f.msg)
	}
}

func TestDialTLS(t *testing.T) {
	server, client := TLSConfigs(t, "mx.test")
	l, err := tls.Listen("tcp", "127.0.0.1:0", server)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		nc, err := l.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		io.WriteString(nc, "220 mx.test under TLS\r\n")
		io.Copy(io.Discard, nc)
	}()
	c := DialTLS(t, l.Addr().String(), client)
	c.Expect("220 mx.test under TLS")
	if !c.Conn.(*tls.Conn).ConnectionState().HandshakeComplete {
		t.Fatal("no handshake")
	}
}

func TestWritePEMLoadsBack(t *testing.T) {
	server, client := TLSConfigs(t, "localhost", "127.0.0.1")
	certFile, keyFile := WritePEM(t, server)
	loaded, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(loaded.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: client.RootCAs, DNSName: "localhost"}); err != nil {
		t.Fatalf("the written certificate does not verify: %v", err)
	}
}
