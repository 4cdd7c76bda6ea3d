package gosmtpd_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/smtp"
	"net/textproto"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// sender prints who submitted each message.
type sender struct{}

func (sender) HandleDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	if _, err := io.Copy(io.Discard, msg); err != nil {
		return err
	}
	fmt.Printf("%s sent as %s (%s)\n", e.MailFrom, s.AuthID, s.AuthMechanism)
	return nil
}

// A submission server: every message must come from an authenticated
// user. AUTH is offered only under TLS unless AuthCleartext says
// otherwise; this example allows it on loopback to stay short (set
// TLSConfig and drop AuthCleartext for real use). CRAM-MD5 is offered
// beside PLAIN and LOGIN: Passwords can check it.
func ExampleServer_auth() {
	srv := &gosmtpd.Server{
		Handler:        sender{},
		Hostname:       "submit.example",
		Authenticator:  hooks.Passwords{"alice": "correct horse"},
		AuthMechanisms: append(hooks.DefaultMechanisms(), hooks.CRAMMD5{Hostname: "submit.example"}),
		AuthRequired:   true,
		AuthCleartext:  true,
		Logger:         slog.New(slog.DiscardHandler),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(l)
	defer srv.Close()

	msg := []byte("Subject: hi\r\n\r\nhello\r\n")
	to := []string{"bob@example.net"}
	err = smtp.SendMail(l.Addr().String(), nil, "alice@example.com", to, msg)
	var refused *textproto.Error
	if errors.As(err, &refused) {
		fmt.Println("without AUTH:", refused.Code, refused.Msg)
	}
	auth := smtp.CRAMMD5Auth("alice", "correct horse")
	err = smtp.SendMail(l.Addr().String(), auth, "alice@example.com", to, msg)
	fmt.Println("with CRAM-MD5:", err)
	// Output:
	// without AUTH: 530 5.7.0 Authentication required
	// alice@example.com sent as alice (CRAM-MD5)
	// with CRAM-MD5: <nil>
}
