// Package smtptest runs an SMTP server in the test process, in the style
// of net/http/httptest, to catch the mail the code under test sends.
//
// NewServer starts a server on 127.0.0.1 at a free port; every message it
// receives is recorded whole with its envelope and session, and the test
// reads them back with Messages or waits for them with WaitMessages:
//
//	srv := smtptest.NewServer(t)
//	sendReport(srv.Addr) // the code under test
//	msg := srv.WaitMessages(1)[0]
//	if msg.MailFrom != "reports@example.com" { ... }
//
// Options change the server before it starts: StartTLS and SMTPS give it a
// self-signed certificate that TLSClientConfig trusts, LMTP makes it speak
// LMTP, and any func(*Server) may set the fields of Config. OnSender,
// OnRecipient and OnMessage make the server refuse or delay chosen senders,
// recipients or messages with the replies a test gives, to reach the error
// paths of the code under test; the server keeps recording what it accepts.
package smtptest
