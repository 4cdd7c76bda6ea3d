package tls_test

import (
	"log"
	"os"
	"os/signal"
	"syscall"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

// A server whose certificate is renewed in place (by certbot, say) reads
// it again on SIGHUP: the next STARTTLS presents the new one, and sessions
// already encrypted go on.
func ExampleKeyPair() {
	pair, err := smtptls.LoadKeyPair("/etc/ssl/mx.example.pem", "/etc/ssl/mx.example.key")
	if err != nil {
		log.Fatal(err)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			if err := pair.Reload(); err != nil {
				log.Printf("certificate not reloaded, the old one is kept: %v", err)
			}
		}
	}()
	srv := &gosmtpd.Server{Addr: ":25", TLSConfig: pair.Config()}
	log.Fatal(srv.ListenAndServe())
}
