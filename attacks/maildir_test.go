package attacks_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/handlers"
)

// maildirFiles returns the contents of the files in dir/sub; a file removed
// while it is being listed (the handler cleaning tmp/) is left out.
func maildirFiles(t *testing.T, dir, sub string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, sub))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, sub, e.Name()))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// waitEmpty waits for dir/sub to hold no file: the handler removes its
// temporary file just after the session learns the message is lost.
func waitEmpty(t *testing.T, dir, sub string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		files := maildirFiles(t, dir, sub)
		if len(files) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/ still holds %d files", sub, len(files))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// T-35: a message that stops arriving mid-write (the client resets the
// connection) never reaches new/, and its partial file in tmp/ is removed.
func TestMaildirPartialMessage(t *testing.T) {
	dir := t.TempDir()
	srv := &gosmtpd.Server{Handler: &handlers.Mailbox{Dir: dir}}
	c := connect(t, start(t, srv))
	c.transaction()
	c.stream(bodyBlock(), 2<<20)
	for len(maildirFiles(t, dir, "tmp")) == 0 { // the handler is writing
		time.Sleep(5 * time.Millisecond)
	}
	c.Conn.(*net.TCPConn).SetLinger(0)
	c.Conn.Close()
	waitEmpty(t, dir, "tmp")
	if files := maildirFiles(t, dir, "new"); len(files) != 0 {
		t.Fatalf("a partial message reached new/ (%d bytes)", len(files[0]))
	}
}

// T-35: a Maildir that cannot be written gets 451 4.3.0, never 250.
func TestMaildirWriteFailure(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tmp"), nil, 0o600); err != nil { // tmp/ is a file
		t.Fatal(err)
	}
	c := connect(t, start(t, &gosmtpd.Server{Handler: &handlers.Mailbox{Dir: dir}}))
	c.transaction()
	c.Send("Subject: lost", "", "hello", ".")
	c.Expect("451 4.3.0")
	if files := maildirFiles(t, dir, "new"); len(files) != 0 {
		t.Fatalf("%d files in new/", len(files))
	}
}

// T-35, T-26: concurrent deliveries get unique names, and each file is the
// message byte for byte, NUL and bare LF included.
func TestMaildirConcurrentDeliveries(t *testing.T) {
	const n = 20
	dir := t.TempDir()
	addr := start(t, &gosmtpd.Server{Handler: &handlers.Mailbox{Dir: dir}})
	var want []string
	var clients []*client
	var wg sync.WaitGroup
	for i := range n {
		body := fmt.Sprintf("Subject: %d\r\n\r\nNUL \x00 here\r\nbare\nLF\r\n", i)
		want = append(want, body)
		c := connect(t, addr)
		clients = append(clients, c)
		session := "EHLO client.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" + body + ".\r\nQUIT\r\n"
		wg.Go(func() { c.Conn.Write([]byte(session)) }) // all at once
	}
	wg.Wait()
	for _, c := range clients {
		c.ExpectAll("250 ", "250 2.1.0", "250 2.1.5", "354 ", "250 2.0.0", "221 ")
	}
	got := maildirFiles(t, dir, "new")
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("new/ holds %q,\nwant %q", got, want)
	}
	if tmp := maildirFiles(t, dir, "tmp"); len(tmp) != 0 {
		t.Fatalf("%d files left in tmp/", len(tmp))
	}
}
