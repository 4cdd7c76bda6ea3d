package attacks_test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// openPTY opens a pseudo-terminal: the side the program under test writes
// to (its terminal), and the side the test reads what reached it from.
func openPTY(t testing.TB) (term, reader *os.File) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		testkit.Missing(t, "no pseudo-terminals: %v", err)
	}
	var unlock int32
	var n uint32
	if err := ioctl(ptmx, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatal(err)
	}
	if err := ioctl(ptmx, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatal(err)
	}
	pts, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pts.Close(); ptmx.Close() })
	return pts, ptmx
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

// T-48: the default debugging handler printing to a terminal writes a
// message's control characters as escapes (the attack: a Subject with
// terminal escape sequences reached the terminal raw, clearing the screen
// and retitling the window); to a pipe or file it keeps aiosmtpd's exact
// bytes (the interop suite compares them).
func TestDebuggingEscapesOnATerminal(t *testing.T) {
	term, screen := openPTY(t)
	p := startCommandWithStdout(t, term)
	seen := make(chan string, 1)
	go func() {
		var got []byte
		buf := make([]byte, 4096)
		for !strings.Contains(string(got), "END MESSAGE") {
			screen.SetReadDeadline(time.Now().Add(testkit.Timeout))
			n, err := screen.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		seen <- string(got)
	}()
	c := connect(t, p.Addr)
	c.transaction()
	c.Send("Subject: \x1b[2J\x1b]0;pwned\x07 hello", "", "body \x1b[31mred", ".")
	c.Expect("250 ")
	got := <-seen
	servedWithin(t, "127.0.0.2", p.Addr, time.Second)
	if strings.ContainsAny(got, "\x1b\x07") {
		t.Fatalf("control characters reached the terminal: %q", got)
	}
	if !strings.Contains(got, `Subject: \x1b[2J\x1b]0;pwned\a hello`) || !strings.Contains(got, `body \x1b[31mred`) {
		t.Fatalf("the terminal showed %q, want the escapes written out", got)
	}
}
