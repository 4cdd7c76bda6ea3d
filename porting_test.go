package gosmtpd_test

// The traps of a handler ported from aiosmtpd or written in a hurry: each
// compiles and passes go vet, and used to make every message get 250 and be
// thrown away, or be delivered twice.

import (
	"context"
	"io"
	"net"
	"net/smtp"
	"slices"
	"strings"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// byValue has its hook on the pointer but is passed by value.
type byValue struct{}

func (*byValue) HandleDATA(context.Context, *hooks.Session, *hooks.Envelope, io.Reader) error {
	return nil
}

// misspelt says HandleData for HandleDATA.
type misspelt struct{}

func (misspelt) HandleData(context.Context, *hooks.Session, *hooks.Envelope, io.Reader) error {
	return nil
}

func TestServeRefusesAHandlerThatImplementsNoHook(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler hooks.Handler
		want    string
	}{
		{"pointer methods passed by value", byValue{}, "HandleDATA has a pointer receiver"},
		{"misspelt hook", misspelt{}, "HandleData looks like HandleDATA"},
		{"no hook at all", struct{ Name string }{"x"}, "implements no hook"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := &gosmtpd.Server{Handler: tc.handler, Logger: quiet()}
			served := make(chan error, 1)
			go func() { served <- srv.Serve(l) }()
			select {
			case err := <-served:
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Serve: %v, want an error saying %q", err, tc.want)
				}
			case <-time.After(5 * time.Second):
				srv.Close()
				<-served
				t.Fatal("Serve served the handler, which would accept every message and throw it away")
			}
			if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
				t.Error("Serve left its listener open")
			}
			ctl := &gosmtpd.Controller{Server: &gosmtpd.Server{Handler: tc.handler}, Address: "127.0.0.1:0"}
			if err := ctl.Start(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Controller.Start: %v, want an error saying %q", err, tc.want)
				ctl.Stop(context.Background())
			}
		})
	}
}

// aiosmtpdStyle appends each recipient in HandleRCPT, as aiosmtpd's
// documentation tells a handle_RCPT to.
type aiosmtpdStyle struct{ *inbox }

func (aiosmtpdStyle) HandleRCPT(_ context.Context, _ *hooks.Session, e *hooks.Envelope, address string, options []string) error {
	if strings.HasPrefix(address, "refused") {
		e.RcptTos = append(e.RcptTos, address) // appended, then refused: must not stay
		return hooks.Reply{Code: 550, Enhanced: "5.1.1", Text: "no such user"}
	}
	e.RcptTos = append(e.RcptTos, address)
	e.RcptOptions = append(e.RcptOptions, options)
	return nil
}

func TestAppendingToRcptTosInHandleRCPTListsEachRecipientOnce(t *testing.T) {
	box := newInbox()
	ctl := control(t, &gosmtpd.Controller{Server: &gosmtpd.Server{Handler: aiosmtpdStyle{box}}})
	c, err := smtp.Dial(ctl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("a@example.com"); err != nil {
		t.Fatal(err)
	}
	for _, rcpt := range []string{"b@example.net", "refused@example.net", "c@example.net"} {
		if err := c.Rcpt(rcpt); err != nil && !strings.HasPrefix(rcpt, "refused") {
			t.Fatal(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("Subject: once\r\n\r\nx\r\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c.Quit()
	if got, want := box.next(t).rcpts, []string{"b@example.net", "c@example.net"}; !slices.Equal(got, want) {
		t.Fatalf("HandleDATA saw recipients %q, want %q", got, want)
	}
}
