package interop

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

const (
	// gosmtpdPkg is the CLI package, relative to the module root.
	gosmtpdPkg = "./cmd/gosmtpd"
	// gosmtpdEnv names a prebuilt gosmtpd binary to use instead of building one.
	gosmtpdEnv = "INTEROP_GOSMTPD"
	// serverStartTimeout bounds how long a server may take to accept connections.
	serverStartTimeout = 10 * time.Second
)

// buildGosmtpd returns the path of a gosmtpd binary: $INTEROP_GOSMTPD, or one
// built from ./cmd/gosmtpd. When the CLI is missing or does not build it
// skips locally and fails under CI.
func buildGosmtpd(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv(gosmtpdEnv); bin != "" {
		return bin
	}
	if _, err := os.Stat(filepath.Join("..", gosmtpdPkg)); errors.Is(err, os.ErrNotExist) {
		testkit.Missing(t, "gosmtpd CLI not present")
	}
	bin := filepath.Join(t.TempDir(), "gosmtpd")
	cmd := exec.Command("go", "build", "-o", bin, gosmtpdPkg)
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		testkit.Missing(t, "gosmtpd CLI does not build (%v):\n%s", err, out)
	}
	return bin
}

// gosmtpdServer is one running gosmtpd CLI.
type gosmtpdServer struct {
	cmd    *exec.Cmd
	addr   string
	stdout testkit.Buffer // the Debugging handler's messages
	stderr testkit.Buffer
	exited chan struct{}
	err    error // Wait's result, set before exited closes
}

// startGosmtpd starts bin with the flags that select c, listening on a free
// loopback port, and waits until it accepts connections. This is the one
// place that knows how to point the harness at gosmtpd.
func startGosmtpd(t testing.TB, bin string, c Config) *gosmtpdServer {
	t.Helper()
	addr := testkit.FreeAddr(t)
	// The handler and its argument come first, as aiosmtpd's users write
	// them: the command, like aiosmtpd's argparse, takes flags after them.
	args := append([]string{"-n", "-c", "debugging", "stdout", "-l", addr}, c.CLIArgs()...)
	s := &gosmtpdServer{cmd: exec.Command(bin, args...), addr: addr, exited: make(chan struct{})}
	s.cmd.Stdout, s.cmd.Stderr = &s.stdout, &s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() { s.stop() })
	if err := s.waitListening(); err != nil {
		t.Fatalf("gosmtpd %v: %v\nstderr:\n%s", args, err, tail(s.stderr.String(), 4000))
	}
	return s
}

// waitListening polls the address until the server accepts a connection.
func (s *gosmtpdServer) waitListening() error {
	deadline := time.Now().Add(serverStartTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("exited: %v", s.err)
		default:
		}
		if conn, err := net.DialTimeout("tcp", s.addr, 200*time.Millisecond); err == nil {
			conn.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("not listening on %s after %v", s.addr, serverStartTimeout)
}

// stop interrupts the server (as Ctrl-C would) and waits, killing it if it
// does not end in time. Its stdout is complete afterwards.
func (s *gosmtpdServer) stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// gosmtpdFleet is one gosmtpd process per config the sessions need.
type gosmtpdFleet map[string]*gosmtpdServer

// startGosmtpdFleet starts a server for each config.
func startGosmtpdFleet(t testing.TB, bin string, configs []Config) gosmtpdFleet {
	t.Helper()
	f := gosmtpdFleet{}
	for _, c := range configs {
		f[c.Key()] = startGosmtpd(t, bin, c)
	}
	return f
}

func (f gosmtpdFleet) addr(c Config) string {
	c.Serial = false
	return f[c.Key()].addr
}

// delivered stops the servers, so that their output is complete, and cuts
// it into Debugging renderings.
func (f gosmtpdFleet) delivered(t testing.TB) []Delivery {
	var got []Delivery
	for _, key := range sortedKeys(f) {
		s := f[key]
		s.stop()
		got = append(got, RenderedDeliveries(key, s.stdout.String())...)
	}
	return got
}
