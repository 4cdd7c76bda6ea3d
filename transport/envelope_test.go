package transport_test

import (
	"context"
	"io"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/observe"
	"github.com/gosmtpd/gosmtpd/transport"
)

// envelopes is a DATA hook that keeps a deep copy of each Envelope it is
// given.
type envelopes struct{ got []hooks.Envelope }

func (h *envelopes) HandleDATA(_ context.Context, _ *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	c := *e
	c.MailOptions = slices.Clone(e.MailOptions)
	c.RcptTos = slices.Clone(e.RcptTos)
	c.RcptOptions = slices.Clone(e.RcptOptions)
	c.RcptParams = slices.Clone(e.RcptParams)
	h.got = append(h.got, c)
	_, err := io.Copy(io.Discard, msg)
	return err
}

type withMAIL struct{ *envelopes }

func (withMAIL) HandleMAIL(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	return nil
}

type withRCPT struct{ *envelopes }

func (withRCPT) HandleRCPT(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	return nil
}

type withBoth struct{ *envelopes }

func (withBoth) HandleMAIL(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	return nil
}

func (withBoth) HandleRCPT(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	return nil
}

// envelopeSession plays transactions with typed parameters, XFORWARD,
// recipients the core refuses and RSETs, pipelined, and returns the
// Envelopes the DATA hook got; observed adds an Observer, which the core's
// reports go to as well.
func envelopeSession(t *testing.T, h hooks.Handler, rec *envelopes, observed bool) []hooks.Envelope {
	o := options(h)
	if observed {
		o.Observer = observe.Func(func(*observe.Event) {})
	}
	o.Core.Enable, o.Core.SMTPUTF8 = fsm.ExtDSN, true
	o.Core.MaxRecipients = 2
	o.XForwardNetworks = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan error, 1)
	go func() {
		srv, err := l.Accept()
		if err != nil {
			done <- err
			return
		}
		done <- transport.ServeConn(context.Background(), srv, o)
	}()
	c := testkit.Dial(t, "tcp", l.Addr().String())
	c.Expect("220 ")
	c.Send("EHLO c")
	c.Expect("250 ")
	c.Send("XFORWARD NAME=spike.example ADDR=192.0.2.7")
	c.Expect("250 ")
	c.Send("MAIL FROM:<a@x.test> SIZE=100 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=e1",
		"RCPT TO:<b@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@y.test",
		"RCPT TO:<c@y.test> FOO=bar",
		"RCPT TO:<d@y.test>",
		"RCPT TO:<e@y.test>",
		"DATA")
	c.ExpectAll("250 ", "250 ", "555 ", "250 ", "452 ", "354 ")
	c.Send("one", ".")
	c.Expect("250 ")
	c.Send("MAIL FROM:<> FOO=bar", "MAIL FROM:<>", "RCPT TO:<f@y.test>", "DATA", "two", ".")
	c.ExpectAll("555 ", "250 ", "250 ", "354 ", "250 ")
	c.Send("MAIL FROM:<g@x.test>", "RCPT TO:<h@y.test> NOTIFY=NEVER", "RSET",
		"MAIL FROM:<i@x.test>", "RCPT TO:<j@y.test>", "DATA", "three", ".", "QUIT")
	c.ExpectAll("250 ", "250 ", "250 ", "250 ", "250 ", "354 ", "250 ", "221 ")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(rec.got) != 3 {
		t.Fatalf("%d messages, want 3", len(rec.got))
	}
	return rec.got
}

// A DATA hook gets the same Envelope whether the MAIL and RCPT hooks are
// asked or the core answers those commands itself and reports what it
// accepted: the sender, the recipients the core accepted and no other,
// their parameters as sent and typed, XFORWARD's attributes.
func TestEnvelopeWithoutMAILOrRCPTHooks(t *testing.T) {
	both := &envelopes{}
	want := envelopeSession(t, withBoth{both}, both, false)
	if got := want[0].RcptTos; !slices.Equal(got, []string{"b@y.test", "d@y.test"}) {
		t.Fatalf("recipients %q", got)
	}
	if want[0].XForward["NAME"] != "spike.example" || want[0].MailParams.Size != 100 || want[0].RcptParamsOf(0).ORcpt == "" {
		t.Fatalf("first envelope %+v", want[0])
	}
	for name, mk := range map[string]func(*envelopes) hooks.Handler{
		"DATA only":          func(e *envelopes) hooks.Handler { return e },
		"DATA only observed": func(e *envelopes) hooks.Handler { return e },
		"MAIL hook":          func(e *envelopes) hooks.Handler { return withMAIL{e} },
		"RCPT hook":          func(e *envelopes) hooks.Handler { return withRCPT{e} },
	} {
		rec := &envelopes{}
		got := envelopeSession(t, mk(rec), rec, name == "DATA only observed")
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s: message %d:\n got %+v\nwant %+v", name, i, got[i], want[i])
			}
		}
	}
}
