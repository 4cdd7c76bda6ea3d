package gosmtpd_test

import (
	"context"
	"crypto/tls"
	"io"
	"strings"
	"testing"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

// requireTLSWitness records whether each message asked for REQUIRETLS.
type requireTLSWitness chan bool

func (w requireTLSWitness) HandleDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	io.Copy(io.Discard, msg)
	w <- e.MailParams.RequireTLS && s.TLS != nil
	return nil
}

// TestREQUIRETLSOverSTARTTLS: REQUIRETLS is not offered before STARTTLS,
// and its parameter is then unknown (555); after it, it is offered and the
// hooks see the message's demand with the session's TLS (RFC 8689 4).
func TestREQUIRETLSOverSTARTTLS(t *testing.T) {
	cfg, err := smtptls.SelfSigned("mx.test")
	if err != nil {
		t.Fatal(err)
	}
	w := make(requireTLSWitness, 1)
	srv := &gosmtpd.Server{Handler: w, TLSConfig: cfg, Enable: fsm.ExtRequireTLS}
	ctl := control(t, &gosmtpd.Controller{Server: srv})

	c := testkit.Dial(t, "tcp", ctl.Addr().String())
	c.Expect("220")
	c.Send("EHLO client.test")
	if ehlo := c.Expect("250"); strings.Contains(ehlo, "REQUIRETLS") {
		t.Fatalf("REQUIRETLS offered before TLS:\n%s", ehlo)
	}
	c.Send("MAIL FROM:<a@example.com> REQUIRETLS")
	c.Expect("555")
	c.Send("STARTTLS")
	c.Expect("220")
	c.StartTLS(&tls.Config{InsecureSkipVerify: true})
	c.Send("EHLO client.test")
	if ehlo := c.Expect("250"); !strings.Contains(ehlo, "REQUIRETLS") {
		t.Fatalf("REQUIRETLS not offered under TLS:\n%s", ehlo)
	}
	c.Send("MAIL FROM:<a@example.com> REQUIRETLS", "RCPT TO:<b@example.com>", "DATA")
	c.ExpectAll("250", "250", "354")
	c.Send("Subject: tls only\r\n\r\nx\r\n.")
	c.Expect("250")
	if !<-w {
		t.Fatal("the hook did not see REQUIRETLS under TLS")
	}
}
