package attacks_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// T-47: the Mailbox keeps free space on its disk (Postfix's 1.5 times the
// size limit; with -s 0, 48 MiB): with -s 0 -c mailbox, a client that
// declares a message as big as the disk's free space is refused 452 4.3.1
// at MAIL (the attack: a 2.1 GiB message was written and answered 250),
// while a small message is delivered. A message that fills the disk as it
// streams is abandoned with 452 4.3.1 (handlers' TestMailboxKeepsFreeSpace).
func TestMailboxRefusesWhatWouldFillTheDisk(t *testing.T) {
	dir := t.TempDir()
	p := startCommand(t, 0, "-s", "0", "-c", "mailbox", dir)
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	c := connect(t, p.Addr)
	c.Send("EHLO client.test", fmt.Sprintf("MAIL FROM:<a@x.test> SIZE=%d", free))
	c.Expect("250 ")
	if rep := c.Reply(); !strings.HasPrefix(rep, "452 4.3.1") {
		t.Fatalf("MAIL SIZE=%d with %d bytes free: %q, want 452 4.3.1", free, free, rep)
	}
	c.Send("MAIL FROM:<a@x.test> SIZE=1000", "RCPT TO:<b@y.test>", "DATA")
	c.ExpectAll("250 ", "250 ", "354 ")
	c.Send("Subject: small", "", "fits", ".")
	c.Expect("250 ")
	servedWithin(t, "127.0.0.2", p.Addr, time.Second)
}
