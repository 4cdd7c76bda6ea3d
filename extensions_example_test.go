package gosmtpd_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/textproto"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// dsnPrinter prints what a message's envelope asks of delivery status
// notifications and of the embedder's own RCPT parameter.
type dsnPrinter struct{}

func (dsnPrinter) HandleDATA(_ context.Context, _ *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	if _, err := io.Copy(io.Discard, msg); err != nil {
		return err
	}
	fmt.Printf("RET=%s ENVID=%s\n", e.MailParams.Ret, e.MailParams.EnvID)
	for i, rcpt := range e.RcptTos {
		p := e.RcptParamsOf(i)
		fmt.Printf("%s: notify on failure %v, original %s:%s, options %v\n", rcpt,
			p.Notify&codec.NotifyFailure != 0, p.ORcptType, p.ORcpt, e.RcptOptions[i])
	}
	return nil
}

// An MTA's extensions: DSN, built in and off by default, and an
// extension of the embedder's own (Dovecot's XRCPTFORWARD, a RCPT
// parameter in base64), declared as data: its EHLO keyword and its
// parameter with a syntax check. The core refuses a malformed parameter
// itself; hooks see the parameters as sent and typed.
func ExampleServer_extensions() {
	xrcptForward := fsm.ESMTPExtension{EHLO: "XRCPTFORWARD", Rcpt: []fsm.ESMTPParam{{
		Keyword: "XRCPTFORWARD", MaxLen: 1024,
		Check: func(v []byte) bool { _, err := base64.StdEncoding.DecodeString(string(v)); return err == nil },
	}}}
	srv := &gosmtpd.Server{Handler: dsnPrinter{}, Hostname: "mx.example", Logger: slog.New(slog.DiscardHandler),
		Enable: fsm.ExtDSN, Extensions: []fsm.ESMTPExtension{xrcptForward}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	c, err := textproto.Dial("tcp", l.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	c.ReadResponse(220)
	for _, cmd := range []string{
		"EHLO client.example",
		"MAIL FROM:<alice@example.com> RET=HDRS ENVID=QQ314159",
		"RCPT TO:<bob@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob+2Bold@example.net",
		"RCPT TO:<carol@example.net> XRCPTFORWARD=Zm9v",
		"RCPT TO:<dave@example.net> XRCPTFORWARD=not!base64",
		"RCPT TO:<erin@example.net> NOTIFY=NEVER,SUCCESS",
		"DATA",
		"Subject: hi\r\n\r\nHello.\r\n.",
		"QUIT",
	} {
		c.PrintfLine("%s", cmd)
		code, msg, _ := c.ReadResponse(0)
		if code == 250 && cmd[0] == 'E' {
			msg = "(capabilities)"
		}
		fmt.Println(code, msg)
	}
	// Output:
	// 250 (capabilities)
	// 250 2.1.0 OK
	// 250 2.1.5 OK
	// 250 2.1.5 OK
	// 501 5.5.4 Error: malformed XRCPTFORWARD parameter
	// 501 5.5.4 Error: malformed NOTIFY parameter
	// 354 End data with <CR><LF>.<CR><LF>
	// RET=HDRS ENVID=QQ314159
	// bob@example.net: notify on failure true, original rfc822:bob+old@example.net, options [NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob+2Bold@example.net]
	// carol@example.net: notify on failure false, original :, options [XRCPTFORWARD=Zm9v]
	// 250 2.0.0 OK
	// 221 2.0.0 Bye
}
