package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// TestCLIDebugLevels: by default the log has warnings, errors and a line
// per message; -d adds the sessions that end unusually (here, at the
// unknown-command limit) and the transactions a client abandons (here, gone
// mid-DATA); -dd adds every command and reply, with message text left out;
// -ddd each record's source line.
func TestCLIDebugLevels(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flags                   []string
		ended, commands, source bool
	}{
		{flags: nil},
		{flags: []string{"-d"}, ended: true},
		{flags: []string{"-dd"}, ended: true, commands: true},
		{flags: []string{"-d", "--debug"}, ended: true, commands: true},
		{flags: []string{"-ddd"}, ended: true, commands: true, source: true},
	} {
		p := startCLI(t, append([]string{"-n", "-c", "sink", "-l", "127.0.0.1:0"}, tc.flags...)...)
		swaks(t, "--server", p.Addr, "--from", "a@example.com", "--to", "b@example.com",
			"--header", "Subject: not logged")
		c := testkit.Dial(t, "tcp", p.Addr)
		c.Expect("220 ")
		c.Send("XYZZY", "XYZZY", "XYZZY", "XYZZY", "XYZZY")
		c.ExpectAll("500 ", "500 ", "500 ", "500 ", "421 ")
		c.ExpectClosed()
		gone := testkit.Dial(t, "tcp", p.Addr)
		gone.Expect("220 ")
		gone.Send("EHLO c", "MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>", "DATA")
		gone.ExpectAll("250 ", "250 ", "250 ", "354 ")
		gone.Send("Subject: cut short")
		gone.Conn.Close()
		time.Sleep(100 * time.Millisecond) // the session's end is logged
		stopOK(t, p, syscall.SIGINT)
		log := p.Stderr.String()
		checks := []struct {
			what string
			want bool
			in   bool
		}{
			{`msg="message accepted"`, true, strings.Contains(log, `msg="message accepted" session=`)},
			{`msg="session ended"`, tc.ended, strings.Contains(log, `msg="session ended"`)},
			{`line="MAIL FROM:<a@example.com>"`, tc.commands, strings.Contains(log, `line="MAIL FROM:<a@example.com>"`)},
			{`msg=reply`, tc.commands, strings.Contains(log, `msg=reply`)},
			{`msg="transaction abandoned"`, tc.ended, strings.Contains(log, `msg="transaction abandoned"`) && strings.Contains(log, "state=Data")},
			{`source=`, tc.source, strings.Contains(log, "source=")},
		}
		for _, ck := range checks {
			if ck.in != ck.want {
				t.Errorf("gosmtpd %v: log holds %s: %v, want %v\n%s", tc.flags, ck.what, ck.in, ck.want, log)
			}
		}
		if strings.Contains(log, "not logged") {
			t.Errorf("gosmtpd %v: the message's text was logged:\n%s", tc.flags, log)
		}
	}
}

// TestCLIStrictLineEndsAndEnvelopes: by default a bare LF ends a command and
// a bare mailbox is taken, as aiosmtpd and Postfix take them; --bare-lf and
// --strict-envelopes choose Postfix's stricter settings.
func TestCLIStrictLineEndsAndEnvelopes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flags            []string
		lf, bare, closes string
	}{
		{nil, "250 ", "250 ", ""},
		{[]string{"--bare-lf", "refuse", "--strict-envelopes"}, "500 5.5.2", "501 ", ""},
		{[]string{"--bare-lf", "close"}, "521 5.5.2", "", "closed"},
	} {
		p := startCLI(t, append([]string{"-n", "-c", "sink", "-l", "127.0.0.1:0"}, tc.flags...)...)
		c := testkit.Dial(t, "tcp", p.Addr)
		c.Expect("220 ")
		c.Write("EHLO typed.by.hand\n")
		c.Expect(tc.lf)
		if tc.closes != "" {
			c.ExpectClosed()
		} else {
			c.Send("EHLO c", "MAIL FROM:anne@example.org")
			c.ExpectAll("250 ", tc.bare)
			c.Conn.Close() // a transaction in flight would be waited for
		}
		stopOK(t, p, syscall.SIGINT)
	}
}
