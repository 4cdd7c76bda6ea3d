package attacks_test

import (
	"strings"
	"testing"

	gosmtpd "github.com/gosmtpd/gosmtpd"
)

// T-31: BDAT before MAIL gets 503 5.5.1 and its 9 octets are consumed,
// not read as a command.
func TestBDATBeforeMAIL(t *testing.T) {
	rec := newRecorder()
	c := connect(t, start(t, &gosmtpd.Server{Handler: rec}))
	c.Send("EHLO client.test")
	c.Expect("250 ")
	c.Write("BDAT 9 LAST\r\nMAIL FROM" + "NOOP\r\n")
	c.Expect("503 5.5.1")
	c.Expect("250 2.0.0") // the NOOP, not a reply to "MAIL FROM"
	if rec.Mails() != 0 {
		t.Fatal("the chunk was executed as MAIL")
	}
}

// T-31: chunks coalesced in one write are framed by their sizes.
func TestBDATCoalescedChunks(t *testing.T) {
	rec := newRecorder()
	c := connect(t, start(t, &gosmtpd.Server{Handler: rec}))
	c.Send("EHLO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>")
	c.ExpectAll("250 ", "250 2.1.0", "250 2.1.5")
	c.Write("BDAT 3\r\nabcBDAT 2 LAST\r\nde")
	c.ExpectAll("250 2.0.0", "250 2.0.0")
	if m := rec.Next(t); m.Body != "abcde" {
		t.Fatalf("delivered %q, want \"abcde\"", m.Body)
	}
}

// T-31: a chunk past the size limit gets 552 5.3.4, and exactly the
// announced bytes are discarded: the command after them is parsed.
func TestBDATPastTheLimit(t *testing.T) {
	rec := newRecorder()
	c := connect(t, start(t, &gosmtpd.Server{Handler: rec, MaxMessageSize: 50}))
	c.Send("EHLO client.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>")
	c.ExpectAll("250 ", "250 2.1.0", "250 2.1.5")
	c.Write("BDAT 60\r\n" + strings.Repeat("NOOP\r\n", 10)) // 60 octets that look like commands
	c.Write("BDAT 5 LAST\r\nhelloNOOP\r\n")
	c.ExpectAll("552 5.3.4", "552 5.3.4", "250 2.0.0")
	if n := len(rec.Delivered()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}
