package handlers_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// upstreamServer refuses one recipient and messages whose subject says
// so, and keeps the rest.
type upstreamServer struct {
	mu       sync.Mutex
	messages []string
	options  [][]string
}

func (u *upstreamServer) HandleMAIL(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, _ string, options []string) error {
	u.mu.Lock()
	u.options = append(u.options, options)
	u.mu.Unlock()
	return nil
}

func (u *upstreamServer) HandleRCPT(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, address string, _ []string) error {
	if strings.HasPrefix(address, "nobody@") {
		return hooks.Reply{Code: 550, Enhanced: "5.1.1", Text: "no such user here"}
	}
	return nil
}

func (u *upstreamServer) HandleDATA(_ context.Context, _ *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	b, err := io.ReadAll(msg)
	if err != nil {
		return err
	}
	if strings.Contains(string(b), "Subject: reject") {
		return hooks.Reply{Code: 554, Enhanced: "5.7.1", Text: "rejected by content filter"}
	}
	u.mu.Lock()
	u.messages = append(u.messages, strings.Join(e.RcptTos, ",")+"|"+string(b))
	u.mu.Unlock()
	return nil
}

// delivered returns the messages relayed, without the Received: field the
// Proxy adds at the top (each must have one; TestProxyReceivedField checks
// what it says).
func (u *upstreamServer) delivered() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]string, len(u.messages))
	for i, m := range u.messages {
		rcpts, msg, _ := strings.Cut(m, "|")
		out[i] = rcpts + "|" + withoutReceived(msg)
	}
	return out
}

// withoutReceived removes the first header field when it is a Received:
// field (with its continuation lines); else it marks the message.
func withoutReceived(msg string) string {
	if !strings.HasPrefix(msg, "Received: ") {
		return "(no Received: field) " + msg
	}
	for {
		_, rest, ok := strings.Cut(msg, "\r\n")
		if !ok || !strings.HasPrefix(rest, "\t") {
			return rest
		}
		msg = rest
	}
}

func proxyPair(t *testing.T) (*upstreamServer, string) {
	up := &upstreamServer{}
	return up, serve(t, &handlers.Proxy{Addr: serve(t, up), Hostname: "proxy.test"})
}

func dialSMTP(t *testing.T, addr string) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func smtpCode(err error) int {
	var tpe *textproto.Error
	if errors.As(err, &tpe) {
		return tpe.Code
	}
	if err == nil {
		return 250
	}
	return -1
}

// TestProxyRelaysVerdictsPerRecipient: the recipient the upstream refuses
// is refused to the client at RCPT, with the upstream's reply, and the
// message goes to the others with X-Peer added after the headers.
func TestProxyRelaysVerdictsPerRecipient(t *testing.T) {
	up, addr := proxyPair(t)
	c := dialSMTP(t, addr)
	if err := c.Mail("alice@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("bob@example.com"); err != nil {
		t.Fatal(err)
	}
	err := c.Rcpt("nobody@example.com")
	var tpe *textproto.Error
	if !errors.As(err, &tpe) || tpe.Code != 550 || tpe.Msg != "5.1.1 no such user here" {
		t.Fatalf("refused recipient: %v", err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "Subject: relayed\r\nFrom: a\r\n\r\n.dot\r\nbody\r\n")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c.Quit()
	got := up.delivered()
	want := "bob@example.com|Subject: relayed\r\nFrom: a\r\nX-Peer: 127.0.0.1\r\n\r\n.dot\r\nbody\r\n"
	if len(got) != 1 || got[0] != want {
		t.Fatalf("upstream got %q\nwant %q", got, want)
	}
}

// TestProxyRelaysRefusedMessage: the upstream's 554 to the message is the
// client's, and the next transaction on the same session still works.
func TestProxyRelaysRefusedMessage(t *testing.T) {
	up, addr := proxyPair(t)
	c := dialSMTP(t, addr)
	for i, subject := range []string{"reject", "accept"} {
		c.Mail("alice@example.com")
		c.Rcpt("bob@example.com")
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, "Subject: "+subject+"\r\n\r\nx\r\n")
		err = w.Close()
		if want := []int{554, 250}[i]; smtpCode(err) != want {
			t.Fatalf("%s: %v, want %d", subject, err, want)
		}
	}
	if got := up.delivered(); len(got) != 1 || !strings.Contains(got[0], "Subject: accept") {
		t.Fatalf("upstream got %q", got)
	}
}

func TestProxyRelaysParametersAndHeaderlessMessages(t *testing.T) {
	up, addr := proxyPair(t)
	c := dialSMTP(t, addr)
	c.Hello("client.test")
	if err := c.Mail("alice@example.com"); err != nil { // net/smtp sends BODY=8BITMIME
		t.Fatal(err)
	}
	c.Rcpt("bob@example.com")
	w, _ := c.Data()
	io.WriteString(w, "Subject: no body")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := up.delivered()
	if len(got) != 1 || got[0] != "bob@example.com|Subject: no body\r\nX-Peer: 127.0.0.1\r\n" {
		t.Fatalf("upstream got %q", got)
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	if len(up.options) != 1 || strings.Join(up.options[0], " ") != "BODY=8BITMIME" {
		t.Fatalf("upstream MAIL options %q", up.options)
	}
}

func TestProxyUpstreamDownIs451(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	logs := &testkit.Buffer{}
	c := dialSMTP(t, serve(t, &handlers.Proxy{Addr: dead, Logger: testkit.DebugLogger(logs)}))
	if err := c.Mail("alice@example.com"); smtpCode(err) != 451 {
		t.Fatalf("MAIL: %v, want 451", err)
	}
	// The operator learns why, and where: the client only got 451 4.4.1.
	if got := logs.String(); !strings.Contains(got, "level=ERROR") || !strings.Contains(got, "upstream="+dead) ||
		!strings.Contains(got, "connection refused") {
		t.Fatalf("the failed dial was not logged at Error with the address:\n%s", got)
	}
}

// TestProxyVanishedClient: a client that hangs up mid-DATA delivers
// nothing upstream.
func TestProxyVanishedClient(t *testing.T) {
	up := &upstreamServer{}
	h := &vanishWatch{Proxy: &handlers.Proxy{Addr: serve(t, up)}, done: make(chan error, 1)}
	hangUpInDATA(t, serve(t, h), "EHLO c")
	if err := <-h.done; !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("hook returned %v", err)
	}
	if got := up.delivered(); len(got) != 0 {
		t.Fatalf("upstream got %q", got)
	}
}

type vanishWatch struct {
	*handlers.Proxy
	done chan error
}

func (v *vanishWatch) HandleDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	err := v.Proxy.HandleDATA(ctx, s, e, msg)
	v.done <- err
	return err
}
