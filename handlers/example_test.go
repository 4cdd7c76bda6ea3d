package handlers_test

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/handlers"
)

// A Message handler gets each message parsed, with the envelope in
// aiosmtpd's X- headers, once the message has arrived whole.
func ExampleMessage() {
	h := &handlers.Message{Func: func(_ context.Context, m *mail.Message) error {
		fmt.Println(m.Header.Get("Subject"), "from", m.Header.Get("X-MailFrom"), "to", m.Header.Get("X-RcptTo"))
		return nil
	}}
	// A server calls the hook; here it is called directly.
	h.HandleDATA(context.Background(), session(), envelope(), strings.NewReader("Subject: hello\r\n\r\nHi.\r\n"))
	// Output: hello from alice@example.com to bob@example.com, carol@example.com
}

// Proxy relays to another server; the client gets that server's verdict
// for each recipient.
func ExampleProxy() {
	srv := &gosmtpd.Server{Addr: "localhost:2525", Handler: &handlers.Proxy{Addr: "mx.example.net:25"}}
	_ = srv // go srv.ListenAndServe()
}

// Mailbox delivers to a Maildir, created when missing.
func ExampleMailbox() {
	srv := &gosmtpd.Server{Addr: "localhost:2525", Handler: &handlers.Mailbox{Dir: "/var/mail/catchall"}}
	_ = srv // go srv.ListenAndServe()
}
