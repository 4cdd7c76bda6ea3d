// Package tls serves SMTP over implicit TLS (SMTPS, RFC 8314, usually port
// 465) and builds the TLS configuration for it and for STARTTLS.
//
// Connections from NewListener are TLS from their first byte: the driver
// (package transport) runs the handshake under its timeout, after a PROXY
// header when one is expected, and the session knows it is encrypted from
// the start, so AUTH is offered at once (aiosmtpd offers it only after a
// STARTTLS). STARTTLS itself runs inside the driver, on the same socket,
// with transport.Options.TLSConfig, which LoadConfig can make.
package tls

import (
	stdtls "crypto/tls"
	"net"

	"github.com/gosmtpd/gosmtpd/transport"
	"github.com/gosmtpd/gosmtpd/transport/tcp"
)

// NewListener returns a listener whose connections are SMTPS: each is a
// *transport.ImplicitTLS over a connection inner accepted, served with cfg
// (nil: transport.Options.TLSConfig). The handshake is not run here, so
// that a slow client cannot hold up Accept.
func NewListener(inner net.Listener, cfg *stdtls.Config) net.Listener {
	return &listener{Listener: inner, cfg: cfg}
}

// Listen listens on addr as tcp.Listen does and serves SMTPS on it.
func Listen(addr string, cfg *stdtls.Config) (net.Listener, error) {
	l, err := tcp.Listen(addr)
	if err != nil {
		return nil, err
	}
	return NewListener(l, cfg), nil
}

type listener struct {
	net.Listener
	cfg *stdtls.Config
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &transport.ImplicitTLS{Conn: c, Config: l.cfg}, nil
}

// LoadConfig returns a server configuration with the certificate chain and
// key of the PEM files: TLS 1.2 at least (RFC 8314 §4.1).
func LoadConfig(certFile, keyFile string) (*stdtls.Config, error) {
	cert, err := stdtls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return &stdtls.Config{Certificates: []stdtls.Certificate{cert}, MinVersion: stdtls.VersionTLS12}, nil
}
