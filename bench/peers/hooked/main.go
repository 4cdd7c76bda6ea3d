// Command hooked is gosmtpd embedded as a program embeds it, with a DATA
// hook that reads each message to its end and throws it away: the work
// go-smtp's sink does, where gosmtpd's own Sink lets the core drop each
// message with no hook call. The benchmark shows both;
// with -sink the same program serves the Sink, so that the two differ only
// by the hook.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"io"
	"log"
	"net"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
)

func main() {
	addr := flag.String("l", "127.0.0.1:2525", "address to listen on")
	certFile := flag.String("tlscert", "", "certificate file (PEM) that enables STARTTLS")
	keyFile := flag.String("tlskey", "", "private key file (PEM) of -tlscert")
	sink := flag.Bool("sink", false, "serve handlers.Sink instead of the DATA hook: the same program, discarding in the core")
	flag.Parse()

	// Every load session comes from one address: no per-client cap.
	srv := &gosmtpd.Server{Handler: reader{}, Hostname: "hooked", MaxConnectionsPerClient: -1}
	if *sink {
		srv.Handler = handlers.Sink{}
	}
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			log.Fatalf("hooked: %v", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("hooked: %v", err)
	}
	log.Fatal(srv.Serve(ln))
}

// reader reads every message whole and accepts it.
type reader struct{}

func (reader) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	_, err := io.Copy(io.Discard, msg)
	return err
}
