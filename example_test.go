package gosmtpd_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

// printer is a handler with one hook: it prints every message.
type printer struct{}

func (printer) HandleDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	body, err := hooks.ReadMessage(msg, 1<<20) // whole, up to 1 MiB
	if err != nil {
		return err
	}
	fmt.Printf("from %s to %v, TLS %v:\n", e.MailFrom, e.RcptTos, s.TLS != nil)
	fmt.Print(strings.ReplaceAll(string(body), "\r\n", "\n"))
	return nil
}

// A server embedded in a program: Serve on a listener of its own, Shutdown
// to stop.
func Example() {
	srv := &gosmtpd.Server{Handler: printer{}, Hostname: "mx.example", Logger: slog.New(slog.DiscardHandler)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	err = smtp.SendMail(l.Addr().String(), nil, "alice@example.com", []string{"bob@example.net"},
		[]byte("Subject: hello\r\n\r\nHi Bob.\r\n"))
	fmt.Println("sent:", err == nil)
	// Output:
	// from alice@example.com to [bob@example.net], TLS false:
	// Subject: hello
	//
	// Hi Bob.
	// sent: true
}

// STARTTLS is offered when the server has a TLS configuration; the handler
// sees the TLS state in the session. (SelfSigned suits tests; a real server
// loads its certificate with tls.LoadConfig.)
func ExampleServer_startTLS() {
	cfg, err := smtptls.SelfSigned("mx.example")
	if err != nil {
		log.Fatal(err)
	}
	ctl := &gosmtpd.Controller{Address: "127.0.0.1:0", Server: &gosmtpd.Server{Handler: printer{},
		TLSConfig: cfg, Logger: slog.New(slog.DiscardHandler)}}
	if err := ctl.Start(); err != nil {
		log.Fatal(err)
	}
	defer ctl.Stop(context.Background())

	// a client that trusts the certificate (smtp.SendMail upgrades too,
	// but trusts only the system's roots)
	roots := x509.NewCertPool()
	roots.AddCert(cfg.Certificates[0].Leaf)
	c, err := smtp.Dial(ctl.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.StartTLS(&tls.Config{RootCAs: roots, ServerName: "mx.example"}); err != nil {
		log.Fatal(err)
	}
	c.Mail("alice@example.com")
	c.Rcpt("bob@example.net")
	w, _ := c.Data()
	io.WriteString(w, "Subject: secret\r\n\r\nencrypted\r\n")
	fmt.Println("sent:", w.Close() == nil)
	c.Quit()
	// Output:
	// from alice@example.com to [bob@example.net], TLS true:
	// Subject: secret
	//
	// encrypted
	// sent: true
}

// mailboxes is an LMTP handler: it answers for each recipient.
type mailboxes map[string]bool

func (m mailboxes) HandleLMTPDATA(_ context.Context, _ *hooks.Session, e *hooks.Envelope, msg io.Reader) []error {
	io.Copy(io.Discard, msg) // a real one would store it in each mailbox
	errs := make([]error, len(e.RcptTos))
	for i, rcpt := range e.RcptTos {
		if !m[rcpt] {
			errs[i] = hooks.Reply{Code: 550, Enhanced: "5.1.1", Text: rcpt + " has no mailbox here"}
		}
	}
	return errs
}

// An LMTP server on a Unix socket, as a mail transfer agent delivers to:
// after the message, one reply per recipient (RFC 2033).
func ExampleController_lmtp() {
	dir, err := os.MkdirTemp("", "lmtp")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	socket := filepath.Join(dir, "lmtp.sock")
	ctl := &gosmtpd.Controller{Network: "unix", Address: socket, SocketMode: 0o660,
		Server: &gosmtpd.Server{Handler: mailboxes{"bob@example.net": true}, LMTP: true,
			Hostname: "mx.example", Logger: slog.New(slog.DiscardHandler)}}
	if err := ctl.Start(); err != nil {
		log.Fatal(err)
	}
	defer ctl.Stop(context.Background())

	nc, err := net.Dial("unix", socket)
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	r := bufio.NewReader(nc)
	reply := func() string { // the last line of a reply
		for {
			line, _ := r.ReadString('\n')
			if len(line) < 4 || line[3] != '-' {
				return strings.TrimRight(line, "\r\n")
			}
		}
	}
	fmt.Println(reply()) // greeting
	fmt.Fprint(nc, "LHLO mta.example\r\n")
	fmt.Println(reply()[:3])
	fmt.Fprint(nc, "MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.net>\r\nRCPT TO:<carol@example.net>\r\nDATA\r\n")
	for range 4 {
		fmt.Println(reply())
	}
	fmt.Fprint(nc, "Subject: hi\r\n\r\nHello.\r\n.\r\n")
	fmt.Println(reply()) // bob
	fmt.Println(reply()) // carol
	// Output:
	// 220 mx.example gosmtpd
	// 250
	// 250 2.1.0 OK
	// 250 2.1.5 OK
	// 250 2.1.5 OK
	// 354 End data with <CR><LF>.<CR><LF>
	// 250 2.0.0 OK
	// 550 5.1.1 carol@example.net has no mailbox here
}
