package fsm

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gosmtpd/gosmtpd/codec"
)

// reportSession plays input through a core whose hooks refuse the
// recipient "bad@x" (550) and accept AUTH PLAIN's "good" response (235),
// and returns what the core reported, one line per event.
func reportSession(t *testing.T, cfg *Config, input string) []string {
	t.Helper()
	var got []string
	cfg.Report = func(e *Event) {
		line := fmt.Sprintf("%s %d", e.Kind, e.Reply.Code)
		switch e.Kind {
		case EventMail, EventRcpt:
			line += " <" + string(e.Path.Mailbox) + ">"
		case EventMessage:
			line += fmt.Sprintf(" size=%d rcpts=%d rcpt=%d", e.Size, e.Recipients, e.Rcpt)
			if e.Abandoned != nil {
				line += " abandoned"
			}
		case EventAuth:
			line += " " + e.Mechanism
		}
		got = append(got, line)
	}
	newDecidingDriver(cfg, func(a Ask) Decision {
		switch {
		case a.Hook == HookRCPT && string(a.Path.Mailbox) == "bad@x":
			return Decision{Reply: codec.Reply{Code: 550, Enhanced: "5.1.1", Text: "no"}}
		case a.Hook == HookAUTH && string(a.Data) == "good":
			return Decision{Reply: codec.Reply{Code: 235, Enhanced: "2.7.0", Text: "ok"}}
		}
		return Decision{}
	}).feed([]byte(input))
	return got
}

func TestReportTellsOutcomes(t *testing.T) {
	input := strings.Join([]string{
		"EHLO c",
		"AUTH PLAIN " + string(codec.AppendBase64(nil, []byte("wrong"))),
		"AUTH plain " + string(codec.AppendBase64(nil, []byte("good"))),
		"MAIL FROM:<a@x> SIZE=999999999",
		"MAIL FROM:<a@x>",
		"RCPT TO:<b@x>",
		"RCPT TO:<bad@x>",
		"RCPT TO:<c@x>",
		"RCPT TO:<d@x>",
		"DATA", "hello", ".",
		"MAIL FROM:<>", "RCPT TO:<b@x>", "DATA", strings.Repeat("y", 200), ".",
		"QUIT", ""}, "\r\n")
	cfg := &Config{AuthMechanisms: []string{"PLAIN"}, AuthCleartext: true, MaxRecipients: 3, MaxMessageSize: 100}
	got := reportSession(t, cfg, input)
	want := []string{
		"Auth 535 PLAIN", "Auth 235 PLAIN",
		"Mail 552 <a@x>", "Mail 250 <a@x>",
		"Rcpt 250 <b@x>", "Rcpt 550 <bad@x>", "Rcpt 250 <c@x>", "Rcpt 452 <d@x>",
		"Message 250 size=7 rcpts=2 rcpt=0",
		"Mail 250 <>", "Rcpt 250 <b@x>", "Message 552 size=202 rcpts=1 rcpt=0 abandoned",
	}
	if !slices.Equal(got, want) {
		t.Errorf("reported\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestReportLMTPOnePerRecipient(t *testing.T) {
	input := "LHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\nDATA\r\nhi\r\n.\r\n" +
		"MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\nBDAT 200 LAST\r\n" + strings.Repeat("z", 200)
	got := reportSession(t, &Config{LMTP: true, MaxMessageSize: 100}, input)
	want := []string{"Mail 250 <a@x>", "Rcpt 250 <b@x>", "Rcpt 250 <c@x>",
		"Message 250 size=4 rcpts=2 rcpt=0", "Message 250 size=4 rcpts=2 rcpt=1",
		"Mail 250 <a@x>", "Rcpt 250 <b@x>", "Rcpt 250 <c@x>",
		"Message 552 size=200 rcpts=2 rcpt=0 abandoned", "Message 552 size=200 rcpts=2 rcpt=1 abandoned"}
	if !slices.Equal(got, want) {
		t.Errorf("reported\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The report is a read: a core with Report set replies byte for byte as
// one without.
func TestReportChangesNoReply(t *testing.T) {
	input := "EHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n"
	plain := newTestDriver(&Config{}, true)
	plain.feed([]byte(input))
	n := 0
	reported := newTestDriver(&Config{Report: func(*Event) { n++ }}, true)
	reported.feed([]byte(input))
	if string(plain.out) != string(reported.out) || n != 3 {
		t.Errorf("with Report (%d events):\n%s\nwithout:\n%s", n, reported.out, plain.out)
	}
}
