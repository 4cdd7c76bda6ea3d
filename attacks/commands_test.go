package attacks_test

import (
	"strings"
	"testing"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// T-25: non-ASCII and invalid UTF-8 in the envelope: 553 5.6.7 without
// SMTPUTF8, 553 5.6.7 for invalid UTF-8 with it; an EHLO name in invalid
// UTF-8 is accepted and logged escaped; nothing panics.
func TestNonASCIIEnvelope(t *testing.T) {
	logs := &testkit.Buffer{}
	plainAddr := start(t, &gosmtpd.Server{Handler: newRecorder()})
	c := connect(t, plainAddr)
	c.Send("EHLO client.test")
	c.Expect("250 ")
	c.Write("MAIL FROM:<\xff\xfe@x.test>\r\n")
	c.Expect("553 5.6.7")
	c.Send("MAIL FROM:<jösé@x.test>")
	c.Expect("553 5.6.7")

	c = connect(t, start(t, &gosmtpd.Server{Handler: &failingEHLO{newRecorder()}, SMTPUTF8: true, Logger: testkit.DebugLogger(logs)}))
	c.Send("EHLO client.test")
	c.Expect("250 ")
	c.Write("MAIL FROM:<\xff\xfe@x.test> SMTPUTF8\r\n")
	c.Expect("553 5.6.7")
	c.Send("MAIL FROM:<jösé@x.test> SMTPUTF8")
	c.Expect("250 2.1.0")
	c.Write("EHLO \xc3\x28\r\n")
	c.Expect("451 4.3.0") // failingEHLO logs the name it was given
	if out := logs.String(); strings.Contains(out, "\xc3\x28") || !strings.Contains(out, `\xc3(`) {
		t.Fatalf("the invalid UTF-8 EHLO name is not escaped in the log:\n%s", out)
	}
}

// T-26: a NUL in a command gets 500 5.5.2; a NUL in a message body is
// delivered byte for byte, never truncated.
func TestNULBytes(t *testing.T) {
	rec := newRecorder()
	c := connect(t, start(t, &gosmtpd.Server{Handler: rec}))
	c.Send("EHLO client.test")
	c.Expect("250 ")
	c.Write("MAIL FROM:<a\x00b@c.test>\r\n")
	c.Expect("500 5.5.2")
	c.Send("MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA")
	c.ExpectAll("250 2.1.0", "250 2.1.5", "354 ")
	body := "Subject: nul\r\n\r\nbefore\x00after\r\n\x00\r\n"
	c.Write(body + ".\r\n")
	c.Expect("250 2.0.0")
	if m := rec.Next(t); m.Body != body {
		t.Fatalf("delivered %q, want %q", m.Body, body)
	}
}

// T-33: commands out of sequence get 503 5.5.1 and change nothing.
func TestOutOfSequenceCommands(t *testing.T) {
	rec := newRecorder()
	c := connect(t, start(t, &gosmtpd.Server{Handler: rec}))
	c.Send("MAIL FROM:<a@x.test>") // before EHLO
	c.Expect("503 5.5.1")
	c.Send("EHLO client.test", "RCPT TO:<b@y.test>", "DATA", "MAIL FROM:<a@x.test>", "MAIL FROM:<c@x.test>", "DATA")
	c.ExpectAll("250 ", "503 5.5.1", "503 5.5.1", "250 2.1.0", "503 5.5.1", "503 5.5.1")
	c.Send("RCPT TO:<b@y.test>", "DATA")
	c.ExpectAll("250 2.1.5", "354 ")
	c.Send("x", ".")
	c.Expect("250 2.0.0")
	if m := rec.Next(t); m.From != "a@x.test" || len(m.Rcpts) != 1 {
		t.Fatalf("delivered from %q to %v: the refused commands changed the transaction", m.From, m.Rcpts)
	}
}
