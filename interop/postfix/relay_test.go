package postfix

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/textproto"
	"slices"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// arrival is what the hooks saw of one message.
type arrival struct {
	mail     hooks.MailParams
	rcpts    []string
	params   []hooks.RcptParams
	xforward map[string]string
	body     string
}

type witness chan arrival

func (w witness) HandleDATA(_ context.Context, _ *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	b, err := io.ReadAll(msg)
	if err != nil {
		return err
	}
	w <- arrival{mail: e.MailParams, rcpts: slices.Clone(e.RcptTos), params: []hooks.RcptParams{e.RcptParamsOf(0)}, xforward: e.XForward, body: string(b)}
	return nil
}

// TestPostfixRelaysDSNAndXFORWARD: Postfix relays a message submitted with
// "sendmail -N success,failure -V ENVID" to gosmtpd offering DSN, and,
// trusted with XFORWARD, says where the message came from: the hooks see
// RET-less MAIL with ENVID, the recipient's NOTIFY and ORCPT, and the
// XFORWARD attributes of the transaction.
func TestPostfixRelaysDSNAndXFORWARD(t *testing.T) {
	got, host, port := startWitness(t)

	pf := startPostfix(t, host, port, "")
	pf.sendmail("Subject: dsn through postfix\n\nhello\n", "-N", "success,failure", "-V", "envid-314159",
		"-f", "alice@example.com", "bob@example.net")
	a := got.wait(t, pf)
	if a.mail.EnvID != "envid-314159" || len(a.rcpts) != 1 || a.rcpts[0] != "bob@example.net" {
		t.Errorf("MAIL: %+v, recipients %q", a.mail, a.rcpts)
	}
	p := a.params[0]
	if p.Notify != codec.NotifySuccess|codec.NotifyFailure || p.ORcptType != "rfc822" || p.ORcpt != "bob@example.net" {
		t.Errorf("RCPT: %+v", p)
	}
	if a.xforward["SOURCE"] != "LOCAL" {
		t.Errorf("XFORWARD: %v", a.xforward)
	}
	t.Logf("XFORWARD: %v", a.xforward)
}

// TestPostfixForwardsClientOverXFORWARD: mail that reaches Postfix over SMTP
// with DSN parameters goes on to gosmtpd with them, and XFORWARD tells the
// hooks who the original client was (its address, HELO name, protocol).
func TestPostfixForwardsClientOverXFORWARD(t *testing.T) {
	got, host, port := startWitness(t)
	listen := testkit.FreeAddr(t)
	pf := startPostfix(t, host, port, listen)

	c := dialPostfix(t, listen, pf)
	for _, step := range []struct {
		line string
		code int
	}{
		{"EHLO client.example", 250},
		{"MAIL FROM:<alice@example.com> RET=HDRS ENVID=QQ314159", 250},
		{"RCPT TO:<bob@example.net> NOTIFY=DELAY ORCPT=rfc822;bob+2Bold@example.net", 250},
		{"DATA", 354}, {"Subject: over smtp\r\n\r\nhello\r\n.", 250}, {"QUIT", 221},
	} {
		c.PrintfLine("%s", step.line)
		if code, msg, _ := c.ReadResponse(0); code != step.code {
			t.Fatalf("%s: %d %s, want %d\n%s", step.line, code, msg, step.code, pf.log())
		}
	}
	a := got.wait(t, pf)
	if a.mail.Ret != "HDRS" || a.mail.EnvID != "QQ314159" {
		t.Errorf("MAIL: %+v", a.mail)
	}
	if p := a.params[0]; p.Notify != codec.NotifyDelay || p.ORcpt != "bob+old@example.net" {
		t.Errorf("RCPT: %+v", p)
	}
	x := a.xforward
	// a loopback client is LOCAL to Postfix; IDENT is its queue ID
	if x["ADDR"] != "127.0.0.1" || x["HELO"] != "client.example" || x["PROTO"] != "ESMTP" || x["SOURCE"] != "LOCAL" || x["IDENT"] == "" {
		t.Errorf("XFORWARD: %v", x)
	}
}

// startWitness serves gosmtpd on loopback, offering DSN and trusting
// loopback with XFORWARD, and returns what it receives and where it listens.
func startWitness(t *testing.T) (got witness, host, port string) {
	t.Helper()
	got = make(witness, 1)
	srv := &gosmtpd.Server{Handler: got, Hostname: "gosmtpd.test", Logger: slog.New(slog.DiscardHandler),
		Enable: fsm.ExtDSN, XForwardNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	host, port, _ = net.SplitHostPort(l.Addr().String())
	return got, host, port
}

// wait returns the next message that arrives, failing with Postfix's log
// when none does within a minute.
func (w witness) wait(t *testing.T, pf *instance) arrival {
	t.Helper()
	select {
	case a := <-w:
		return a
	case <-time.After(60 * time.Second):
	}
	t.Fatalf("nothing arrived\n%s", pf.log())
	return arrival{}
}

// dialPostfix connects to the instance's SMTP listener once it answers.
func dialPostfix(t *testing.T, addr string, pf *instance) *textproto.Conn {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := textproto.Dial("tcp", addr)
		if err == nil {
			t.Cleanup(func() { c.Close() })
			if _, _, err := c.ReadResponse(220); err != nil {
				t.Fatalf("greeting: %v\n%s", err, pf.log())
			}
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("postfix smtpd at %s: %v\n%s", addr, err, pf.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
