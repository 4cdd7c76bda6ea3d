package attacks_test

import (
	"strings"
	"testing"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// smuggled is what an attacker appends after a fake end of data: a second
// transaction that must never be executed.
const smuggled = "MAIL FROM:<spoof@x.test>\r\nRCPT TO:<v@y.test>\r\nDATA\r\nsmuggled\r\n.\r\n"

// fakeEnds are the end-of-data look-alikes of SMTP smuggling, each with
// the bytes the message must hold in their place when they are kept as
// data (a dot leading a CRLF-ended line is unstuffed).
var fakeEnds = []struct{ name, wire, kept string }{
	{"LF.LF", "\n.\n", "\n.\n"},
	{"LF.CRLF", "\n.\r\n", "\n.\r\n"},
	{"CRLF.LF", "\r\n.\n", "\r\n\n"},
	{"CR.CRLF", "\r.\r\n", "\r.\r\n"},
	{"CRLF.CR", "\r\n.\r", "\r\n\r"},
}

// T-01, normalize mode (the default): no variant ends DATA; the session
// gets exactly one message holding the smuggled text, and only one MAIL.
func TestSmugglingFakeEndOfDataIsData(t *testing.T) {
	for _, end := range fakeEnds {
		t.Run(end.name, func(t *testing.T) {
			rec := newRecorder()
			c := connect(t, start(t, &gosmtpd.Server{Handler: rec}))
			c.transaction()
			c.Write("body" + end.wire + smuggled)
			c.Expect("250 2.0.0")
			c.Send("NOOP") // the next reply is the NOOP's: nothing else is pending
			c.Expect("250 2.0.0")
			want := "body" + end.kept + strings.TrimSuffix(smuggled, ".\r\n")
			if m := rec.Next(t); m.Err != nil || m.Body != want {
				t.Fatalf("delivered %q (%v), want %q", m.Body, m.Err, want)
			}
			if n := rec.Mails(); n != 1 {
				t.Fatalf("%d MAIL commands executed, want 1", n)
			}
		})
	}
}

// T-01, strict mode (fsm.BareReject): the message is refused with
// 550 5.5.2, nothing is delivered and no second transaction starts.
func TestSmugglingStrictModeRefusesTheMessage(t *testing.T) {
	for _, end := range fakeEnds {
		t.Run(end.name, func(t *testing.T) {
			rec := newRecorder()
			srv := &gosmtpd.Server{Handler: rec, Core: &fsm.Config{BareEOL: fsm.BareReject}}
			c := connect(t, start(t, srv))
			c.transaction()
			c.Write("body" + end.wire + smuggled)
			c.Expect("550 5.5.2")
			c.Send("NOOP")
			c.Expect("250 2.0.0")
			c.Send("QUIT")
			c.Expect("221")
			if n := len(rec.Delivered()); n != 0 {
				t.Fatalf("%d messages delivered, want none", n)
			}
			if n := rec.Mails(); n != 1 {
				t.Fatalf("%d MAIL commands executed, want 1", n)
			}
		})
	}
}

// T-02: a bare LF ends a command line (Postfix 3.9's normalize), so the
// text after it is a command of its own, judged on its own: "X-Injected: 1"
// is an unknown command, never part of the EHLO. A bare CR inside a line is
// not a separator: the line gets one 500 5.5.2 and its halves are never
// executed. The logs hold each line as one record.
func TestBareCRLFInCommandLine(t *testing.T) {
	rec := newRecorder()
	logs := &testkit.Buffer{}
	c := connect(t, start(t, &gosmtpd.Server{Handler: rec, Logger: testkit.DebugLogger(logs)}))
	c.Write("EHLO a\nX-Injected: 1\r\n")
	c.Expect("250 ")
	c.Expect("500 5.5.1")
	c.Write("MAIL FROM:<a@b.test>\rRCPT TO:<c@d.test>\r\n")
	c.Expect("500 5.5.2")
	c.Send("RCPT TO:<c@d.test>") // no MAIL was executed
	c.Expect("503 5.5.1")
	c.Send("QUIT")
	c.Expect("221")
	if rec.Mails() != 0 {
		t.Fatal("the MAIL half of the line was executed")
	}
	if strings.Contains(logs.String(), "\nX-Injected") {
		t.Fatalf("the injected line reached the log unescaped:\n%s", logs)
	}
}

// T-02, strict: fsm.LineRefuse answers a line ended by a bare LF with 500
// 5.5.2 and acts on nothing in it; fsm.LineClose answers 521 and closes.
func TestBareLFInCommandLineStrict(t *testing.T) {
	t.Run("refuse", func(t *testing.T) {
		rec := newRecorder()
		c := connect(t, start(t, &gosmtpd.Server{Handler: rec, Core: &fsm.Config{BareLF: fsm.LineRefuse}}))
		c.Send("EHLO client.test")
		c.Expect("250 ")
		c.Write("MAIL FROM:<a@b.test>\nRCPT TO:<c@d.test>\r\n")
		c.Expect("500 5.5.2")
		c.Expect("503 5.5.1") // the RCPT: no MAIL was executed
		c.Send("QUIT")
		c.Expect("221")
		if rec.Mails() != 0 {
			t.Fatal("a MAIL ended by a bare LF was executed")
		}
	})
	t.Run("close", func(t *testing.T) {
		c := connect(t, start(t, &gosmtpd.Server{Handler: newRecorder(), Core: &fsm.Config{BareLF: fsm.LineClose}}))
		c.Write("EHLO client.test\nQUIT\r\n")
		c.Expect("521 5.5.2")
		c.ExpectClosed()
	})
}

// T-15: after the size limit is passed, a fake end of data and the
// commands behind it are still message bytes: one 552, no HELP executed.
func TestSmugglingAfterSizeOverflow(t *testing.T) {
	rec := newRecorder()
	c := connect(t, start(t, &gosmtpd.Server{Handler: rec, MaxMessageSize: 100}))
	c.transaction()
	c.Write(strings.Repeat("0123456789", 20) + "\r\n.\nHELP\r\nHELP\r\n.\r\n")
	c.Expect("552 5.3.4")
	c.Send("NOOP")
	c.Expect("250 2.0.0") // not a 214 from a smuggled HELP
	if n := len(rec.Delivered()); n != 0 {
		t.Fatalf("%d messages delivered, want none", n)
	}
}
