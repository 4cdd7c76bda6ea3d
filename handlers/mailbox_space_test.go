package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
)

func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * int64(st.Bsize)
}

// MAIL is refused 452 4.3.1 when the message the client declares would
// leave less than MinFree, one and a half times over; a message that
// brings the free space below MinFree as it is written is abandoned with
// 452 4.3.1, and nothing is left of it.
func TestMailboxKeepsFreeSpace(t *testing.T) {
	dir := t.TempDir()
	free := freeBytes(t, dir)
	m := &handlers.Mailbox{Dir: dir}
	ctx, s := context.Background(), &hooks.Session{}
	if err := m.HandleMAIL(ctx, s, &hooks.Envelope{}, "a@x", []string{"SIZE=1000"}); err != nil {
		t.Fatalf("a small message was refused: %v", err)
	}
	var rep hooks.Reply
	if err := m.HandleMAIL(ctx, s, &hooks.Envelope{}, "a@x", []string{fmt.Sprintf("SIZE=%d", free)}); !errors.As(err, &rep) || rep.Code != 452 || rep.Enhanced != "4.3.1" {
		t.Fatalf("MAIL SIZE=%d with %d bytes free: %v, want 452 4.3.1", free, free, err)
	}

	m.MinFree = free - 2<<20 // 2 MiB more and the disk is "full"
	body := io.LimitReader(strings.NewReader(strings.Repeat("x", 1<<20)+"\r\n"), 1<<30)
	long := io.MultiReader(repeat(body, 16)...)
	err := m.HandleDATA(ctx, s, &hooks.Envelope{}, long)
	if !errors.As(err, &rep) || rep.Code != 452 {
		t.Fatalf("a 16 MiB message into 2 MiB of room: %v, want 452 4.3.1", err)
	}
	for _, sub := range []string{"new", "tmp"} {
		if files := maildirFiles(t, dir, sub); len(files) != 0 {
			t.Fatalf("%d files left in %s/", len(files), sub)
		}
	}
}

func repeat(r io.Reader, n int) []io.Reader {
	b, _ := io.ReadAll(r)
	out := make([]io.Reader, n)
	for i := range out {
		out[i] = strings.NewReader(string(b))
	}
	return out
}
