package tls

import (
	stdtls "crypto/tls"
	"sync/atomic"
)

// KeyPair is a certificate chain and key read from PEM files that can be
// read again while connections are served, when the certificate is
// renewed: the configuration from Config takes the pair current at each
// handshake, so sessions already encrypted go on undisturbed and the next
// handshake presents the new certificate.
type KeyPair struct {
	certFile, keyFile string
	cur               atomic.Pointer[stdtls.Certificate]
}

// LoadKeyPair reads the certificate chain and key of the PEM files.
func LoadKeyPair(certFile, keyFile string) (*KeyPair, error) {
	k := &KeyPair{certFile: certFile, keyFile: keyFile}
	if err := k.Reload(); err != nil {
		return nil, err
	}
	return k, nil
}

// Reload reads the files again. On an error (a file missing, a key that
// does not match) the pair in use is kept.
func (k *KeyPair) Reload() error {
	cert, err := stdtls.LoadX509KeyPair(k.certFile, k.keyFile)
	if err != nil {
		return err
	}
	k.cur.Store(&cert)
	return nil
}

// Files names the certificate and key files.
func (k *KeyPair) Files() (certFile, keyFile string) { return k.certFile, k.keyFile }

// Config returns a server configuration that presents the current pair:
// TLS 1.2 at least (RFC 8314 §4.1), as LoadConfig's.
func (k *KeyPair) Config() *stdtls.Config {
	return &stdtls.Config{MinVersion: stdtls.VersionTLS12,
		GetCertificate: func(*stdtls.ClientHelloInfo) (*stdtls.Certificate, error) { return k.cur.Load(), nil }}
}
