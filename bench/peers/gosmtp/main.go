// Command gosmtp-sink is the reference server of the benchmark: an SMTP (or
// LMTP) sink built from github.com/emersion/go-smtp that reads every message
// to the end and throws it away.
//
// It lives in its own module so that the gosmtpd library never depends on
// go-smtp. Its limits are raised so that it never refuses the benchmark's
// load: the comparison is about speed, not about policy.
package main

import (
	"crypto/tls"
	"flag"
	"io"
	"log"
	"net"

	"github.com/emersion/go-smtp"
)

func main() {
	addr := flag.String("l", "127.0.0.1:2525", "address to listen on")
	certFile := flag.String("tlscert", "", "certificate file (PEM) that enables STARTTLS")
	keyFile := flag.String("tlskey", "", "private key file (PEM) of -tlscert")
	lmtp := flag.Bool("lmtp", false, "speak LMTP instead of SMTP")
	flag.Parse()

	srv := smtp.NewServer(smtp.BackendFunc(newSinkSession))
	srv.Domain = "gosmtp-sink"
	srv.LMTP = *lmtp
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 64 << 20
	srv.MaxRecipients = 1000
	srv.MaxLineLength = 4096
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			log.Fatalf("gosmtp-sink: %v", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("gosmtp-sink: %v", err)
	}
	log.Fatal(srv.Serve(ln))
}

// sinkSession accepts every sender and recipient and discards the body.
type sinkSession struct{}

func newSinkSession(*smtp.Conn) (smtp.Session, error) { return sinkSession{}, nil }

func (sinkSession) Reset()                               {}
func (sinkSession) Logout() error                        { return nil }
func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (sinkSession) Data(r io.Reader) (err error) {
	_, err = io.Copy(io.Discard, r)
	return err
}
