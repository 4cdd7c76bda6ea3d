package unix_test

import (
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"go.uber.org/goleak"

	"github.com/gosmtpd/gosmtpd/transport/unix"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// socketPath returns a path for a socket in a fresh directory, short
// enough for sun_path (108 bytes).
func socketPath(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gosmtpd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "lmtp.sock")
}

// roundTrip checks that a client reaches the listener: what it writes
// arrives.
func roundTrip(t *testing.T, l net.Listener, path string) {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			done <- err.Error()
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		done <- string(b)
	}()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "LHLO client\r\n")
	c.Close()
	if got := <-done; got != "LHLO client\r\n" {
		t.Fatalf("server read %q", got)
	}
}

func TestListenServesAndCloseRemovesTheFile(t *testing.T) {
	path := socketPath(t)
	l, err := unix.Listen(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if l.Addr().String() != path {
		t.Fatalf("Addr %q, want %q", l.Addr(), path)
	}
	roundTrip(t, l, path)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("socket file after Close: %v", err)
	}
}

func TestListenSetsTheMode(t *testing.T) {
	for _, mode := range []fs.FileMode{0o600, 0o660, 0o666} {
		path := socketPath(t)
		l, err := unix.Listen(path, mode)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		l.Close()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != mode {
			t.Errorf("mode %v, want socket %v", fi.Mode(), mode)
		}
	}
}

// staleSocket leaves a socket file at path that nothing listens on, as a
// server that died does.
func staleSocket(t *testing.T, path string) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
}

func TestListenRemovesAStaleSocket(t *testing.T) {
	path := socketPath(t)
	staleSocket(t, path)
	if _, err := net.Dial("unix", path); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("the stale socket answers: %v", err)
	}
	l, err := unix.Listen(path, 0)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	defer l.Close()
	roundTrip(t, l, path)
}

func TestListenRefusesALiveSocket(t *testing.T) {
	path := socketPath(t)
	live, err := unix.Listen(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if l, err := unix.Listen(path, 0); !errors.Is(err, unix.ErrInUse) {
		if l != nil {
			l.Close()
		}
		t.Fatalf("second Listen: %v, want ErrInUse", err)
	}
	// the probe that found it live reached the server, and closed
	probe, err := live.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(probe); len(b) != 0 {
		t.Fatalf("the probe sent %q", b)
	}
	probe.Close()
	roundTrip(t, live, path) // the running server keeps its socket
}

func TestListenLeavesOtherFilesAlone(t *testing.T) {
	path := socketPath(t)
	if err := os.WriteFile(path, []byte("mail"), 0o600); err != nil {
		t.Fatal(err)
	}
	if l, err := unix.Listen(path, 0); err == nil {
		l.Close()
		t.Fatal("Listen replaced a regular file")
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "mail" {
		t.Fatalf("the file is now %q, %v", b, err)
	}
}

func TestListenAbstractSocket(t *testing.T) {
	name := "@gosmtpd-test-" + filepath.Base(t.TempDir())
	l, err := unix.Listen(name, 0o600)
	if err != nil {
		t.Skipf("no abstract sockets here: %v", err)
	}
	defer l.Close()
	roundTrip(t, l, name)
}
