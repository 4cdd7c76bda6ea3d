package smtptest_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"net/smtp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gosmtpd/gosmtpd/smtptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// send delivers one message with net/smtp over nc and returns the
// client's address as the server sees it.
func send(t *testing.T, nc net.Conn, tlsConfig *tls.Config, from string, to []string, body string) string {
	t.Helper()
	c, err := smtp.NewClient(nc, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.example"); err != nil {
		t.Fatal(err)
	}
	if tlsConfig != nil {
		if err := c.StartTLS(tlsConfig); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Mail(from); err != nil {
		t.Fatal(err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			t.Fatal(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(w, body)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	return nc.LocalAddr().String()
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return nc
}

func TestRecordsEnvelopeSessionAndBytes(t *testing.T) {
	srv := smtptest.NewServer(t)
	body := "Subject: hi\r\n\r\n.leading dot\r\nbye\r\n"
	peer := send(t, dial(t, srv.Addr), nil, "from@example.com", []string{"a@example.net", "b@example.net"}, body)
	m := srv.WaitMessages(1)[0]
	if m.MailFrom != "from@example.com" || !slices.Equal(m.RcptTos, []string{"a@example.net", "b@example.net"}) {
		t.Errorf("envelope %q -> %q", m.MailFrom, m.RcptTos)
	}
	if !slices.Contains(m.MailOptions, "BODY=8BITMIME") || len(m.RcptOptions) != 2 {
		t.Errorf("options %q, %q", m.MailOptions, m.RcptOptions)
	}
	if string(m.Data) != body {
		t.Errorf("data %q, want %q", m.Data, body)
	}
	if m.Session.Peer != peer || m.Session.HeloName != "client.example" || !m.Session.Extended || m.Session.TLS != nil {
		t.Errorf("session %+v, want peer %s", m.Session, peer)
	}
}

func TestStartTLS(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.StartTLS)
	send(t, dial(t, srv.Addr), srv.TLSClientConfig(), "a@example.com", []string{"b@example.net"}, "x\r\n")
	m := srv.WaitMessages(1)[0]
	if m.Session.TLS == nil || !m.Session.TLS.HandshakeComplete {
		t.Fatalf("session TLS %v after STARTTLS", m.Session.TLS)
	}
}

func TestSMTPS(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.SMTPS)
	nc, err := tls.Dial("tcp", srv.Addr, srv.TLSClientConfig())
	if err != nil {
		t.Fatal(err)
	}
	send(t, nc, nil, "a@example.com", []string{"b@example.net"}, "x\r\n")
	if m := srv.WaitMessages(1)[0]; m.Session.TLS == nil {
		t.Fatal("the session does not know it is encrypted")
	}
}

func TestLMTP(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.LMTP)
	nc := dial(t, srv.Addr)
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprint(nc, "LHLO client.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\n"+
		"RCPT TO:<c@example.net>\r\nDATA\r\n")
	r := bufio.NewReader(nc)
	expect := func(code string) {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil || !strings.HasPrefix(line, code) {
				t.Fatalf("got %q, %v; want %s", line, err, code)
			}
			if line[3] == ' ' {
				return
			}
		}
	}
	for _, code := range []string{"220", "250", "250", "250", "250", "354"} {
		expect(code)
	}
	fmt.Fprint(nc, "Subject: lmtp\r\n\r\nbody\r\n.\r\n")
	expect("250") // one reply per recipient
	expect("250")
	if m := srv.WaitMessages(1)[0]; len(m.RcptTos) != 2 || string(m.Data) != "Subject: lmtp\r\n\r\nbody\r\n" {
		t.Fatalf("recorded %q for %q", m.Data, m.RcptTos)
	}
}

func TestWaitMessagesInArrivalOrder(t *testing.T) {
	srv := smtptest.NewServer(t, func(s *smtptest.Server) { s.Config.MaxConnections = 2 })
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			if err := smtp.SendMail(srv.Addr, nil, fmt.Sprintf("s%d@example.com", i), []string{"r@example.net"}, []byte("x\r\n")); err != nil {
				// two at a time: a third one is told to come back
				if !strings.Contains(err.Error(), "421") {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got := srv.Messages()
	if len(got) == 0 || len(srv.WaitMessages(len(got))) != len(got) {
		t.Fatalf("%d messages recorded", len(got))
	}
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m.MailFrom] {
			t.Fatalf("%s recorded twice", m.MailFrom)
		}
		seen[m.MailFrom] = true
	}
}

// fakeTB records a failure instead of failing the test.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	failed string
}

func (f *fakeTB) Helper()        {}
func (f *fakeTB) Cleanup(func()) {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.failed = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func TestWaitMessagesFailsTheTestInTime(t *testing.T) {
	fake := &fakeTB{TB: t}
	srv := smtptest.NewServer(fake)
	defer srv.Close()
	srv.Wait = 50 * time.Millisecond
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		srv.WaitMessages(1)
	}()
	<-done
	if fake.failed == "" || !strings.Contains(fake.failed, "0 of 1") {
		t.Fatalf("WaitMessages with no message: failure %q", fake.failed)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("WaitMessages overran its wait")
	}
}

func TestHandlerOptionIsRefused(t *testing.T) {
	fake := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		smtptest.NewServer(fake, func(s *smtptest.Server) { s.Config.Handler = struct{}{} })
	}()
	<-done
	if !strings.Contains(fake.failed, "Handler") {
		t.Fatalf("failure %q", fake.failed)
	}
}

func TestCloseFreesThePort(t *testing.T) {
	srv := smtptest.NewServer(nil)
	srv.Close()
	srv.Close() // again: nothing
	l, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		t.Fatalf("port still taken after Close: %v", err)
	}
	l.Close()
}
