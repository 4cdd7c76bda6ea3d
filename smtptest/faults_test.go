package smtptest_test

import (
	"errors"
	"net/smtp"
	"net/textproto"
	"slices"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/smtptest"
)

// replyCode is the SMTP code of a net/smtp error, 0 when it has none.
func replyCode(err error) int {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code
	}
	return 0
}

func TestOnRecipientRefusesOneRecipient(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.OnRecipient("Gone@Example.NET",
		smtptest.Fault{Reply: hooks.Reply{Code: 550, Enhanced: "5.1.1", Text: "no such user"}}))
	c, err := smtp.Dial(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("a@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("gone@example.net"); replyCode(err) != 550 {
		t.Fatalf("refused recipient: %v, want 550", err)
	}
	if err := c.Rcpt("here@example.net"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("Subject: x\r\n\r\nhi\r\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c.Quit()
	if got := srv.WaitMessages(1)[0].RcptTos; !slices.Equal(got, []string{"here@example.net"}) {
		t.Fatalf("recorded recipients %q", got)
	}
}

func TestOnSenderRefusesChosenSenders(t *testing.T) {
	srv := smtptest.NewServer(t,
		smtptest.OnSender("", smtptest.Fault{Reply: hooks.Reply{Code: 553, Text: "no bounces here"}}),
		smtptest.OnSender("*", smtptest.Fault{Reply: hooks.Reply{Code: 421, Enhanced: "4.3.2", Text: "going down"}}))
	c, err := smtp.Dial(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Mail("")
	if replyCode(err) != 553 {
		t.Fatalf("null sender: %v, want 553", err)
	}
	if want := "5.0.0 no bounces here"; err.(*textproto.Error).Msg != want {
		t.Errorf("reply %q, want %q: the class's enhanced code added", err.(*textproto.Error).Msg, want)
	}
	if err := c.Mail("a@example.com"); replyCode(err) != 421 {
		t.Fatalf("any other sender: %v, want 421", err)
	}
}

func TestOnMessageRefusesAndDelays(t *testing.T) {
	const delay = 300 * time.Millisecond
	srv := smtptest.NewServer(t,
		smtptest.OnMessage("Subject: fail", smtptest.Fault{Reply: hooks.Reply{Code: 451, Enhanced: "4.3.0", Text: "try later"}}),
		smtptest.OnMessage("", smtptest.Fault{Delay: delay}))
	err := smtp.SendMail(srv.Addr, nil, "a@example.com", []string{"b@example.net"}, []byte("Subject: fail\r\n\r\nx\r\n"))
	if replyCode(err) != 451 {
		t.Fatalf("refused message: %v, want 451", err)
	}
	start := time.Now()
	if err := smtp.SendMail(srv.Addr, nil, "a@example.com", []string{"b@example.net"}, []byte("Subject: ok\r\n\r\nx\r\n")); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < delay {
		t.Errorf("delayed message answered after %v, want at least %v", took, delay)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || string(msgs[0].Data) != "Subject: ok\r\n\r\nx\r\n" {
		t.Fatalf("recorded %d messages (%+v), want only the accepted one", len(msgs), msgs)
	}
}
