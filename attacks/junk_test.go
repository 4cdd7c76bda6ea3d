package attacks_test

import (
	"strings"
	"testing"
	"time"
)

// T-44: the command with its default flags ends a session that sends only
// junk (the attack: 1,000,000 NOOPs, every one answered; 100,000 RCPTs,
// 99,000 answered 452 and never disconnected). Past 100 junk commands
// each counts as an error, as past 1,000 recipients refused over the
// limit each refused one does (Postfix's smtpd_junk_command_limit and
// smtpd_recipient_overshoot_limit), and the 20th error ends the session
// with 421 4.7.0. A fresh client is served meanwhile.
func TestJunkCommands(t *testing.T) {
	p := startCommand(t, 0, "-c", "sink")
	t.Run("NOOP", func(t *testing.T) {
		c := connect(t, p.Addr)
		c.Write(strings.Repeat("NOOP\r\n", 120))
		c.expectRun(119, "250 2.0.0")
		c.Expect("421 4.7.0")
		c.ExpectClosed()
	})
	t.Run("RSET and HELP", func(t *testing.T) {
		c := connect(t, p.Addr)
		c.Write(strings.Repeat("RSET\r\nHELP\r\n", 60))
		for range 59 {
			c.ExpectAll("250 2.0.0", "214 2.0.0")
		}
		c.Expect("250 2.0.0")
		c.Expect("421 4.7.0")
		c.ExpectClosed()
	})
	t.Run("RCPT", func(t *testing.T) {
		c := connect(t, p.Addr)
		c.Send("EHLO client.test", "MAIL FROM:<a@x.test>")
		c.ExpectAll("250 ", "250 2.1.0")
		errc := c.pipeline(rcptBatch(0, 2020))
		c.expectRun(1000, "250 2.1.5")
		c.expectRun(1020, "452 4.5.3")
		c.Expect("421 4.7.0")
		c.ExpectClosed()
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	})
	d := servedWithin(t, "127.0.0.2", p.Addr, time.Second)
	t.Logf("a fresh client from 127.0.0.2 served in %v", d)
}
