package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/smtp"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// maildirFiles returns the contents of the files in dir/sub, by name.
func maildirFiles(t *testing.T, dir, sub string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, sub))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, sub, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// TestMailboxDeliversExactBytes sends through a server: the file in new/
// is the message as the client meant it (dot-unstuffed, CRLF kept, bare CR
// kept), and the tree is created.
func TestMailboxDeliversExactBytes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "deep", "Maildir")
	addr := serve(t, &handlers.Mailbox{Dir: dir})
	body := "Subject: exact\r\n\r\n.leading dot\r\nbare\rcr\r\nnul\x00byte\r\n\r\n..\r\nend"
	if err := smtp.SendMail(addr, nil, "a@example.com", []string{"b@example.com"}, []byte(body)); err != nil {
		t.Fatal(err)
	}
	got := maildirFiles(t, dir, "new")
	if len(got) != 1 {
		t.Fatalf("new/ holds %d files", len(got))
	}
	for name, content := range got {
		if want := body + "\r\n"; content != want {
			t.Errorf("%s:\n got %q\nwant %q", name, content, want)
		}
	}
	if n := len(maildirFiles(t, dir, "tmp")); n != 0 {
		t.Errorf("tmp/ holds %d files", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "cur")); err != nil {
		t.Error(err)
	}
}

// Concurrent first deliveries into a Maildir that does not exist yet: the
// tree is created for all, every message lands in new/ under its own name.
// Repeated, since the race of creating the tree is narrow.
func TestMailboxUniqueNamesUnderConcurrency(t *testing.T) {
	for range 20 {
		concurrentDeliveries(t, filepath.Join(t.TempDir(), "Maildir"))
	}
}

// A Maildir with tmp/ but no new/ (half-made by another program, or by a
// concurrent first delivery) is completed, not refused.
func TestMailboxCompletesAHalfMadeTree(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	concurrentDeliveries(t, dir)
}

func concurrentDeliveries(t *testing.T, dir string) {
	m := &handlers.Mailbox{Dir: dir}
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- m.HandleDATA(context.Background(), session(), envelope(), strings.NewReader(fmt.Sprintf("N: %d\r\n", i)))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := maildirFiles(t, dir, "new")
	seen := map[string]bool{}
	for _, c := range got {
		seen[c] = true
	}
	if len(got) != n || len(seen) != n {
		t.Fatalf("%d files, %d distinct messages, want %d", len(got), len(seen), n)
	}
}

func TestMailboxCutMessageLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	m := &handlers.Mailbox{Dir: dir}
	err := m.HandleDATA(context.Background(), session(), envelope(), cutShort("Subject: half\r\n\r\nbody"))
	if replyCode(err) != 451 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err %v (code %d), want a failure answered 451", err, replyCode(err))
	}
	if n := len(maildirFiles(t, dir, "new")) + len(maildirFiles(t, dir, "tmp")); n != 0 {
		t.Fatalf("%d files left behind", n)
	}
}

// TestMailboxWriteFailureIs451 points the Maildir at a regular file: the
// client gets 451 4.3.0, not 250.
func TestMailboxWriteFailureIs451(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	os.WriteFile(file, nil, 0o600)
	addr := serve(t, &handlers.Mailbox{Dir: file})
	err := smtp.SendMail(addr, nil, "a@example.com", []string{"b@example.com"}, []byte("Subject: x\r\n\r\ny\r\n"))
	var tpe *textproto.Error
	if !errors.As(err, &tpe) || tpe.Code != 451 || !strings.HasPrefix(tpe.Msg, "4.3.0") {
		t.Fatalf("got %v, want 451 4.3.0", err)
	}
}

// notifying tells when its DATA hook has returned.
type notifying struct {
	*handlers.Mailbox
	done chan error
}

func (n notifying) HandleDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	err := n.Mailbox.HandleDATA(ctx, s, e, msg)
	n.done <- err
	return err
}

// TestMailboxVanishedClient hangs up in the middle of DATA: new/ stays
// empty.
func TestMailboxVanishedClient(t *testing.T) {
	dir := t.TempDir()
	h := notifying{&handlers.Mailbox{Dir: dir}, make(chan error, 1)}
	hangUpInDATA(t, serve(t, h), "HELO c")
	if err := <-h.done; !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("hook returned %v", err)
	}
	if n := len(maildirFiles(t, dir, "new")) + len(maildirFiles(t, dir, "tmp")); n != 0 {
		t.Fatalf("%d files left behind", n)
	}
}

// EnvelopeHeaders adds aiosmtpd's X-Peer, X-MailFrom and X-RcptTo at the end
// of the header section, so that a Bcc recipient is not lost.
func TestMailboxEnvelopeHeaders(t *testing.T) {
	dir := t.TempDir()
	addr := serve(t, &handlers.Mailbox{Dir: dir, EnvelopeHeaders: true})
	body := "Subject: with envelope\r\nTo: b@example.com\r\n\r\nhello\r\n"
	if err := smtp.SendMail(addr, nil, "a@example.com", []string{"b@example.com", "bcc@example.org"}, []byte(body)); err != nil {
		t.Fatal(err)
	}
	for _, content := range maildirFiles(t, dir, "new") {
		head, rest, _ := strings.Cut(content, "\r\n\r\n")
		if !strings.HasPrefix(head, "Subject: with envelope\r\nTo: b@example.com\r\nX-Peer: ('127.0.0.1', ") ||
			!strings.HasSuffix(head, ")\r\nX-MailFrom: a@example.com\r\nX-RcptTo: b@example.com, bcc@example.org") ||
			rest != "hello\r\n" {
			t.Fatalf("message %q", content)
		}
	}
}

// Check makes the tree and proves a file can be written, so that a server
// finds out at start; it fails where the Maildir cannot be.
func TestMailboxCheck(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Maildir")
	if err := (&handlers.Mailbox{Dir: dir}).Check(); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"new", "cur", "tmp"} {
		if entries, err := os.ReadDir(filepath.Join(dir, sub)); err != nil || len(entries) != 0 {
			t.Fatalf("%s: %v, %d entries", sub, err, len(entries))
		}
	}
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o600)
	if err := (&handlers.Mailbox{Dir: filepath.Join(file, "Maildir")}).Check(); err == nil {
		t.Fatal("a Maildir under a file was checked fine")
	}
}
