package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"go.uber.org/goleak"
)

const secret = "Tr0ub4dor&3-secret"

func TestRedact(t *testing.T) {
	plain := errors.New("db refused " + secret + " for user")
	if got := redact(plain, secret); strings.Contains(got.Error(), secret) || !strings.Contains(got.Error(), redacted) {
		t.Fatalf("redact(error) = %v", got)
	}
	p := &hooks.PanicError{Hook: "AUTH", Value: fmt.Errorf("bad %s", secret), Stack: []byte("stack")}
	var got *hooks.PanicError
	if !errors.As(redact(p, secret), &got) || strings.Contains(got.Error(), secret) || string(got.Stack) != "stack" {
		t.Fatalf("redact(panic) = %#v", got)
	}
	other := errors.New("directory down")
	if redact(other, secret) != other || redact(plain, "") != plain || redact(nil, secret) != nil {
		t.Fatal("redact changed an error it had no reason to")
	}
}

func TestMailAuth(t *testing.T) {
	tests := []struct {
		opts   []string
		authed bool
		want   string
		ok     bool
	}{
		{nil, true, "", true},
		{[]string{"SIZE=10", "BODY=8BITMIME"}, true, "", true},
		{[]string{"AUTH=<>"}, true, "<>", true},
		{[]string{"auth=e+3Dmc2@example.com"}, true, "e=mc2@example.com", true},
		{[]string{"AUTH=joe@example.com"}, false, "<>", true}, // RFC 4954 §5: as if AUTH=<>
		{[]string{"AUTH=joe+2Bfilter@example.com"}, true, "joe+filter@example.com", true},
		{[]string{"AUTH=bad+2"}, true, "", false},
		{[]string{"AUTH=bad+2b"}, true, "", false}, // hex digits are upper case
		{[]string{"AUTH=joe+0D+0AX-Injected:+20yes"}, true, "", false},
		{[]string{"AUTH=joe+00"}, true, "", false},
		{[]string{"AUTH=joe+FF"}, true, "", false},
		{[]string{"AUTH="}, true, "", false},
		{[]string{"AUTH=bad+0D"}, false, "", false},
	}
	for _, tt := range tests {
		got, ok := mailAuth(tt.opts, tt.authed)
		if got != tt.want || ok != tt.ok {
			t.Errorf("mailAuth(%q, %v) = %q, %v; want %q, %v", tt.opts, tt.authed, got, ok, tt.want, tt.ok)
		}
	}
}

// authCaller is a Caller whose AUTH goes to a.
func authCaller(a hooks.Authenticator, h hooks.Handler, timeout time.Duration, mechs ...hooks.Mechanism) (*Caller, *[]error) {
	d := NewDispatcher(Config{Handler: h, Authenticator: a, Mechanisms: mechs})
	var failures []error
	c := d.NewCaller(NewSession(context.Background()), CallerConfig{Timeout: timeout,
		Failed: func(_ string, err error) { failures = append(failures, err) }})
	return c, &failures
}

func ask(c *Caller, hook fsm.Hook, arg, data string) fsm.Decision {
	a := fsm.Ask{Hook: hook, Arg: []byte(arg), Default: codec.Reply{Code: 535, Enhanced: "5.7.8"}}
	if hook != fsm.HookAUTH || data != "" {
		a.Data = []byte(data)
	}
	return decide(c, &a)
}

// decide asks c, then tells it the reply applied, as the driver does with
// what the core's Resolve returns.
func decide(c *Caller, a *fsm.Ask) fsm.Decision {
	d := c.Decide(a)
	applied := d.Reply
	if applied.IsZero() && d.Challenge == nil {
		applied = a.Default
	}
	c.Record(applied) // as the core's Resolve would report it
	return d
}

func TestCallerRecordsTheAuthentication(t *testing.T) {
	defer goleak.VerifyNone(t)
	a := hooks.AuthenticatorFunc(func(_ context.Context, s *hooks.Session, _ *hooks.Envelope, c *hooks.Credentials) error {
		if c.Password != secret || s.Authenticated() {
			return hooks.ErrBadCredentials
		}
		c.Result = "record of " + c.Username
		return nil
	})
	c, _ := authCaller(a, nil, time.Second)
	if d := ask(c, fsm.HookAUTH, "plain", "boss\x00user\x00wrong"); d.Reply.Code != 535 || c.Session().Authenticated() {
		t.Fatalf("wrong password: %+v, session %+v", d, c.Session())
	}
	if d := ask(c, fsm.HookAUTH, "login", ""); string(d.Challenge) != "Username:" {
		t.Fatalf("LOGIN: %+v", d)
	}
	if d := ask(c, fsm.HookAUTHNext, "", "user"); string(d.Challenge) != "Password:" {
		t.Fatalf("LOGIN user: %+v", d)
	}
	d := ask(c, fsm.HookAUTHNext, "", secret)
	s := c.Session()
	if d.Reply.Code != 235 || d.Reply.Enhanced != "2.7.0" {
		t.Fatalf("reply %v, want 235 2.7.0", d.Reply)
	}
	if s.AuthID != "user" || s.AuthUser != "user" || s.AuthMechanism != "LOGIN" || s.AuthData != "record of user" {
		t.Fatalf("session %q %q %q %v", s.AuthID, s.AuthUser, s.AuthMechanism, s.AuthData)
	}
	// The next MAIL's AUTH= is believed; a STARTTLS forgets it all.
	params, _ := codec.ParseParams([]byte("AUTH=e+3Dmc2@example.com"), false)
	decide(c, &fsm.Ask{Hook: fsm.HookMAIL, Path: codec.Path{Mailbox: []byte("a@b.c")}, Params: &params,
		Default: codec.Reply{Code: 250}})
	if e := c.Envelope(); e.MailAuth != "e=mc2@example.com" || e.MailFrom != "a@b.c" {
		t.Fatalf("envelope %+v", e)
	}
	if err := c.TLSEstablished(nil); err != nil || c.Session().Authenticated() || c.Session().AuthData != nil {
		t.Fatalf("after TLS: %v %+v", err, c.Session())
	}
}

func TestCallerAuthzid(t *testing.T) {
	c, _ := authCaller(hooks.AuthenticatorFunc(func(context.Context, *hooks.Session, *hooks.Envelope, *hooks.Credentials) error { return nil }), nil, 0)
	if d := ask(c, fsm.HookAUTH, "PLAIN", "boss\x00user\x00pw"); d.Reply.Code != 235 {
		t.Fatalf("%+v", d)
	}
	if s := c.Session(); s.AuthID != "boss" || s.AuthUser != "user" || s.AuthMechanism != "PLAIN" {
		t.Fatalf("session %+v", s)
	}
}

func TestCallerMailAuthBeforeAuthentication(t *testing.T) {
	c, _ := authCaller(hooks.Passwords{}, nil, 0)
	params, _ := codec.ParseParams([]byte("AUTH=joe@example.com"), false)
	mail := fsm.Ask{Hook: fsm.HookMAIL, Path: codec.Path{Mailbox: []byte("a@b.c")}, Params: &params, Default: codec.Reply{Code: 250}}
	decide(c, &mail)
	if e := c.Envelope(); e.MailAuth != "<>" {
		t.Fatalf("unauthenticated AUTH= kept as %q, want <>", e.MailAuth)
	}
	bad, _ := codec.ParseParams([]byte("AUTH=x+0D+0A"), false)
	mail.Params = &bad
	if d := decide(c, &mail); d.Reply.Code != 501 || c.Envelope().MailFrom != "" {
		t.Fatalf("malformed AUTH=: %+v", d)
	}
}

// refuser is a handler that chooses its own reply for failures.
type refuser struct{ seen []error }

func (r *refuser) HandleException(_ context.Context, _ *hooks.Session, err error) hooks.Reply {
	r.seen = append(r.seen, err)
	return hooks.Reply{}
}

func TestFailingAuthenticatorGetsAReplyWithoutThePassword(t *testing.T) {
	defer goleak.VerifyNone(t)
	release := make(chan struct{})
	defer close(release)
	a := hooks.AuthenticatorFunc(func(ctx context.Context, _ *hooks.Session, _ *hooks.Envelope, c *hooks.Credentials) error {
		switch c.Username {
		case "fails":
			return fmt.Errorf("lookup of %q with %q failed", c.Username, c.Password)
		case "panics":
			panic("cannot check " + c.Password)
		case "hangs":
			select { // runs past its time limit, then honours its context
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	h := &refuser{}
	c, failures := authCaller(a, h, 50*time.Millisecond)
	if d := ask(c, fsm.HookAUTH, "PLAIN", "\x00fails\x00"+secret); d.Reply.Code != 454 || d.Reply.Enhanced != "4.7.0" || d.Close {
		t.Fatalf("failing: %+v, want 454 4.7.0", d)
	}
	if d := ask(c, fsm.HookAUTH, "PLAIN", "\x00hangs\x00"+secret); d.Reply.Code != 454 || d.Close {
		t.Fatalf("hanging: %+v, want 454", d)
	}
	if d := ask(c, fsm.HookAUTH, "PLAIN", "\x00panics\x00"+secret); d.Reply.Code != 421 || !d.Close {
		t.Fatalf("panicking: %+v, want 421 and close", d)
	}
	if len(*failures) != 3 || !errors.Is((*failures)[1], hooks.ErrHandlerTimeout) {
		t.Fatalf("failures reported: %v", *failures)
	}
	var p *hooks.PanicError
	if !errors.As((*failures)[2], &p) {
		t.Fatalf("the panic is no longer a *PanicError: %T", (*failures)[2])
	}
	for i, err := range append(*failures, h.seen...) {
		if strings.Contains(err.Error(), secret) || i != 1 && i != 4 && !strings.Contains(err.Error(), redacted) {
			t.Errorf("failure %d: %q", i, err)
		}
	}
	if len(h.seen) != 3 {
		t.Fatalf("ExceptionHandler saw %v", h.seen)
	}
}

// exchangeFunc is a mechanism whose one step is f.
type exchangeFunc func([]byte) ([]byte, *hooks.Credentials, error)

func (f exchangeFunc) Name() string                                      { return "X-TEST" }
func (f exchangeFunc) Start() hooks.Exchange                             { return f }
func (f exchangeFunc) Next(r []byte) ([]byte, *hooks.Credentials, error) { return f(r) }

func TestExchangeFailures(t *testing.T) {
	accept := hooks.AuthenticatorFunc(func(context.Context, *hooks.Session, *hooks.Envelope, *hooks.Credentials) error { return nil })
	tests := []struct {
		name  string
		f     exchangeFunc
		code  int
		close bool
	}{
		{"reply", func([]byte) ([]byte, *hooks.Credentials, error) {
			return nil, nil, hooks.Reply{Code: 535, Enhanced: "5.7.8"}
		}, 535, false},
		{"error", func([]byte) ([]byte, *hooks.Credentials, error) { return nil, nil, errors.New("x") }, 454, false},
		{"positive reply", func([]byte) ([]byte, *hooks.Credentials, error) { return nil, nil, hooks.Reply{Code: 235} }, 454, false},
		{"panic", func([]byte) ([]byte, *hooks.Credentials, error) { panic("x") }, 421, true},
		{"credentials without mechanism", func([]byte) ([]byte, *hooks.Credentials, error) { return nil, &hooks.Credentials{Username: "u"}, nil }, 235, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := authCaller(accept, nil, 0, tt.f)
			d := ask(c, fsm.HookAUTH, "x-test", "")
			if d.Reply.Code != tt.code || d.Close != tt.close {
				t.Fatalf("%+v, want %d close=%v", d, tt.code, tt.close)
			}
			if tt.code == 235 && c.Session().AuthMechanism != "X-TEST" {
				t.Fatalf("mechanism %q", c.Session().AuthMechanism)
			}
			if d := ask(c, fsm.HookAUTHNext, "", "more"); d.Reply.Code != 501 {
				t.Fatalf("a response after the end: %+v, want 501", d)
			}
		})
	}
}

func TestUnknownMechanism(t *testing.T) {
	c, _ := authCaller(hooks.Passwords{}, nil, 0, hooks.Plain)
	if d := ask(c, fsm.HookAUTH, "LOGIN", ""); d.Reply.Code != 504 || d.Reply.Enhanced != "5.5.4" {
		t.Fatalf("%+v", d)
	}
}

func TestDispatcherMechanisms(t *testing.T) {
	d := NewDispatcher(Config{Authenticator: hooks.Passwords{}, Mechanisms: []hooks.Mechanism{hooks.Plain, hooks.CRAMMD5{}}})
	if got := strings.Join(d.Mechanisms(), " "); got != "PLAIN CRAM-MD5" {
		t.Fatalf("offered %q", got)
	}
	if d := NewDispatcher(Config{Authenticator: hooks.Passwords{}, Mechanisms: hooks.Without(hooks.DefaultMechanisms(), "plain", "login")}); len(d.Mechanisms()) != 0 || d.Hooks().Has(fsm.HookAUTH) {
		t.Fatalf("all excluded still offers %v", d.Mechanisms())
	}
	if d := NewDispatcher(Config{Handler: hooks.Passwords{"u": "p"}}); strings.Join(d.Mechanisms(), " ") != "PLAIN LOGIN" {
		t.Fatalf("a handler that authenticates gets %v", d.Mechanisms())
	}
}

func TestFindMechanismIgnoresCase(t *testing.T) {
	mechs := []hooks.Mechanism{hooks.Plain, hooks.CRAMMD5{}}
	if findMechanism(mechs, "cRaM-md5") == nil || findMechanism(mechs, "plain") != hooks.Plain || findMechanism(mechs, "LOGIN") != nil {
		t.Fatal("findMechanism")
	}
}
