package smtptest_test

import (
	"fmt"
	"net/smtp"

	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/smtptest"
)

// sendWelcome is the code under test: it mails a new user.
func sendWelcome(smtpAddr, user string) error {
	msg := "Subject: Welcome\r\n\r\nHello " + user + ".\r\n"
	return smtp.SendMail(smtpAddr, nil, "noreply@example.com", []string{user}, []byte(msg))
}

// In a test, NewServer(t) fails the test when something goes wrong and
// closes the server when the test ends:
//
//	func TestSendWelcome(t *testing.T) {
//		srv := smtptest.NewServer(t)
//		if err := sendWelcome(srv.Addr, "bob@example.net"); err != nil {
//			t.Fatal(err)
//		}
//		msg := srv.WaitMessages(1)[0]
//		...
//	}
//
// Outside a test, as here, pass nil and close it yourself.
func ExampleNewServer() {
	srv := smtptest.NewServer(nil)
	defer srv.Close()

	if err := sendWelcome(srv.Addr, "bob@example.net"); err != nil {
		fmt.Println(err)
		return
	}
	msg := srv.WaitMessages(1)[0]
	fmt.Println(msg.MailFrom, msg.RcptTos)
	fmt.Printf("%q\n", msg.Data)
	// Output:
	// noreply@example.com [bob@example.net]
	// "Subject: Welcome\r\n\r\nHello bob@example.net.\r\n"
}

// With StartTLS the server offers STARTTLS with a certificate that
// TLSClientConfig trusts; the message records that it came encrypted.
func ExampleStartTLS() {
	srv := smtptest.NewServer(nil, smtptest.StartTLS)
	defer srv.Close()

	c, err := smtp.Dial(srv.Addr)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	if err := c.StartTLS(srv.TLSClientConfig()); err != nil {
		fmt.Println(err)
		return
	}
	c.Mail("a@example.com")
	c.Rcpt("b@example.net")
	w, _ := c.Data()
	fmt.Fprint(w, "Subject: over TLS\r\n\r\n")
	w.Close()
	c.Quit()

	msg := srv.WaitMessages(1)[0]
	fmt.Println("encrypted:", msg.Session.TLS != nil)
	// Output: encrypted: true
}

// OnRecipient makes the server refuse one recipient, so that a test can
// check how the code under test reports it; the server still records the
// messages it accepts.
func ExampleOnRecipient() {
	srv := smtptest.NewServer(nil, smtptest.OnRecipient("gone@example.net",
		smtptest.Fault{Reply: hooks.Reply{Code: 550, Enhanced: "5.1.1", Text: "no such user"}}))
	defer srv.Close()

	err := sendWelcome(srv.Addr, "gone@example.net")
	fmt.Println(err)
	fmt.Println(len(srv.Messages()), "messages")
	// Output:
	// 550 "5.1.1 no such user"
	// 0 messages
}
