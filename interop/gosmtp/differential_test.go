package gosmtp

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/fsm"
)

// acceptAll is a go-smtp backend whose sessions accept everything.
type acceptAll struct{}

func (acceptAll) NewSession(*smtp.Conn) (smtp.Session, error) { return session{}, nil }

type session struct{}

func (session) Mail(string, *smtp.MailOptions) error { return nil }
func (session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (session) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
func (session) Reset()                               {}
func (session) Logout() error                        { return nil }

// step is one MAIL or RCPT command; an RCPT follows a plain MAIL.
type step struct {
	name, line string
}

var steps = []step{
	{"size ok", "MAIL FROM:<a@example.com> SIZE=1000"},
	{"size malformed", "MAIL FROM:<a@example.com> SIZE=ten"},
	{"body 8bitmime", "MAIL FROM:<a@example.com> BODY=8BITMIME"},
	{"body unknown", "MAIL FROM:<a@example.com> BODY=9BIT"},
	{"smtputf8", "MAIL FROM:<a@example.com> SMTPUTF8"},
	{"unknown mail parameter", "MAIL FROM:<a@example.com> X-FOO=1"},
	{"ret full", "MAIL FROM:<a@example.com> RET=FULL"},
	{"ret hdrs lower case", "MAIL FROM:<a@example.com> ret=hdrs"},
	{"ret unknown", "MAIL FROM:<a@example.com> RET=BODY"},
	{"ret without value", "MAIL FROM:<a@example.com> RET"},
	{"envid", "MAIL FROM:<a@example.com> ENVID=QQ314159+2Bx"},
	{"envid control byte", "MAIL FROM:<a@example.com> ENVID=a+0Db"},
	{"envid bad hexchar", "MAIL FROM:<a@example.com> ENVID=a+2"},
	{"envid 101 characters", "MAIL FROM:<a@example.com> ENVID=" + strings.Repeat("e", 101)},
	{"ret twice", "MAIL FROM:<a@example.com> RET=FULL RET=HDRS"},
	{"by return", "MAIL FROM:<a@example.com> BY=120;R"},
	{"by notify negative", "MAIL FROM:<a@example.com> BY=-10;N"},
	{"by trace", "MAIL FROM:<a@example.com> BY=60;RT"},
	{"by return zero", "MAIL FROM:<a@example.com> BY=0;R"},
	{"by no mode", "MAIL FROM:<a@example.com> BY=60"},
	{"by ten digits", "MAIL FROM:<a@example.com> BY=1234567890;N"},
	{"mt-priority", "MAIL FROM:<a@example.com> MT-PRIORITY=3"},
	{"mt-priority negative", "MAIL FROM:<a@example.com> MT-PRIORITY=-9"},
	{"mt-priority out of range", "MAIL FROM:<a@example.com> MT-PRIORITY=10"},
	{"mt-priority two digits", "MAIL FROM:<a@example.com> MT-PRIORITY=09"},
	{"mt-priority word", "MAIL FROM:<a@example.com> MT-PRIORITY=high"},
	{"notify never", "RCPT TO:<b@example.com> NOTIFY=NEVER"},
	{"notify list", "RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE,DELAY"},
	{"notify never and success", "RCPT TO:<b@example.com> NOTIFY=NEVER,SUCCESS"},
	{"notify unknown", "RCPT TO:<b@example.com> NOTIFY=SOMETIMES"},
	{"notify empty item", "RCPT TO:<b@example.com> NOTIFY=SUCCESS,,DELAY"},
	{"orcpt rfc822", "RCPT TO:<b@example.com> ORCPT=rfc822;b@example.com"},
	{"orcpt xtext", "RCPT TO:<b@example.com> ORCPT=rfc822;b+2Bx@example.com"},
	{"orcpt no type", "RCPT TO:<b@example.com> ORCPT=b@example.com"},
	{"orcpt bad xtext", "RCPT TO:<b@example.com> ORCPT=rfc822;b+zz@example.com"},
	{"orcpt utf-8 escape", "RCPT TO:<b@example.com> ORCPT=utf-8;b\\x{E9}@example.com"},
	{"orcpt 501 characters", "RCPT TO:<b@example.com> ORCPT=rfc822;" + strings.Repeat("o", 494)},
	{"rrvs", "RCPT TO:<b@example.com> RRVS=2014-04-03T23:01:00Z"},
	{"rrvs reject action", "RCPT TO:<b@example.com> RRVS=2014-04-03T23:01:00Z;R"},
	{"rrvs unknown action", "RCPT TO:<b@example.com> RRVS=2014-04-03T23:01:00Z;X"},
	{"rrvs no zone", "RCPT TO:<b@example.com> RRVS=2014-04-03T23:01:00"},
	{"unknown rcpt parameter", "RCPT TO:<b@example.com> X-FOO=1"},
}

// differences are the steps whose reply classes differ, and why gosmtpd's
// is the one the RFC asks for.
var differences = map[string]string{
	"envid 101 characters":   "RFC 3461 4.4: ENVID is at most 100 characters (gosmtpd 501; go-smtp takes it)",
	"ret twice":              "RFC 5321 4.1.1.11 does not say which of two values counts: gosmtpd refuses a parameter given twice (501); go-smtp keeps the last",
	"mt-priority two digits": "RFC 6710 6: priority-value is one digit with an optional sign (gosmtpd 501; go-smtp's Atoi takes 09)",
	"orcpt 501 characters":   "RFC 3461 4.2: ORCPT is at most 500 characters (gosmtpd 501; go-smtp takes it)",
	"rrvs unknown action":    "RFC 7293 3.1: the action after the date-time is C or R (gosmtpd 501; go-smtp ignores it)",
}

func startGoSMTP(t *testing.T) string {
	s := smtp.NewServer(acceptAll{})
	s.Domain = "go-smtp.test"
	s.AllowInsecureAuth = true
	s.EnableSMTPUTF8, s.EnableDSN, s.EnableRRVS, s.EnableDELIVERBY, s.EnableMTPRIORITY = true, true, true, true, true
	s.MaxMessageBytes = 32 << 20
	s.ErrorLog = nil
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return l.Addr().String()
}

func startGosmtpd(t *testing.T) string {
	srv := &gosmtpd.Server{Hostname: "gosmtpd.test", SMTPUTF8: true, Logger: slog.New(slog.DiscardHandler),
		Enable: fsm.ExtDSN | fsm.ExtRRVS | fsm.ExtDeliverBy | fsm.ExtMTPriority}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		if err := <-done; !errors.Is(err, gosmtpd.ErrServerClosed) {
			t.Error(err)
		}
	})
	return l.Addr().String()
}

// reply plays one step on a fresh session: EHLO, a plain MAIL before an
// RCPT step, then the step; its reply code.
func reply(t *testing.T, addr string, s step) int {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	tc := textproto.NewConn(c)
	lines := []string{"", "EHLO client.test"}
	if strings.HasPrefix(s.line, "RCPT") {
		lines = append(lines, "MAIL FROM:<a@example.com>")
	}
	lines = append(lines, s.line)
	code := 0
	for _, l := range lines {
		if l != "" {
			tc.PrintfLine("%s", l)
		}
		if code, _, err = tc.ReadResponse(0); err != nil && code == 0 {
			t.Fatalf("%s: %q: %v", s.name, l, err)
		}
	}
	tc.PrintfLine("QUIT")
	return code
}

// TestDifferentialGoSMTP plays every step against both servers: the reply
// classes agree but where differences lists why they must not.
func TestDifferentialGoSMTP(t *testing.T) {
	gs, gd := startGoSMTP(t), startGosmtpd(t)
	seen := map[string]bool{}
	for _, s := range steps {
		a, b := reply(t, gs, s), reply(t, gd, s)
		reason, listed := differences[s.name]
		seen[s.name] = true
		switch {
		case a/100 != b/100 && !listed:
			t.Errorf("%s: go-smtp %d, gosmtpd %d: fix it, or list it with its RFC", s.name, a, b)
		case a/100 == b/100 && listed:
			t.Errorf("%s: both %dxx now; drop %q", s.name, a/100, reason)
		default:
			t.Logf("%-26s go-smtp %d  gosmtpd %d", s.name, a, b)
		}
	}
	for name := range differences {
		if !seen[name] {
			t.Errorf("differences names %q, which is no step", name)
		}
	}
}
