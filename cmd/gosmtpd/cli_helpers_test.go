package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"testing"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// TestMain removes the command built for the tests once they have run.
func TestMain(m *testing.M) { testkit.Main(m) }

// gosmtpdBinary is the command under test, built once for all the tests.
func gosmtpdBinary(t testing.TB) string {
	t.Helper()
	return testkit.Build(t, "github.com/gosmtpd/gosmtpd/cmd/gosmtpd")
}

// proc is a running gosmtpd.
type proc = testkit.Process

// startCLI runs gosmtpd with args and waits for the address it prints.
func startCLI(t *testing.T, args ...string) *proc {
	t.Helper()
	return testkit.Start(t, exec.Command(gosmtpdBinary(t), args...))
}

// stopOK stops p with sig and expects a clean exit.
func stopOK(t *testing.T, p *proc, sig os.Signal) {
	t.Helper()
	if code := p.Stop(sig); code != 0 {
		t.Fatalf("exit code %d after %v\n%s", code, sig, p.Stderr.String())
	}
}

func hostPort(t *testing.T, addr string) (string, string) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}

// python runs a script with Debian's python3 (the one with smtplib and
// ssl as the tests expect), arguments in sys.argv[1:]; its output.
func python(t *testing.T, script string, args ...string) string {
	t.Helper()
	py := testkit.Program(t, testkit.SystemPython)
	out, err := exec.Command(py, append([]string{"-c", script}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	return string(out)
}

// swaks runs swaks quietly except for the dialogue; its output.
func swaks(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(testkit.Program(t, "swaks"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("swaks %q: %v\n%s", args, err, out)
	}
	return string(out)
}

// writeCert writes a self-signed certificate for localhost and 127.0.0.1
// and its key as PEM files.
func writeCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	server, _ := testkit.TLSConfigs(t, "localhost", "127.0.0.1")
	return testkit.WritePEM(t, server)
}

// execCLI is the command for args, not started.
func execCLI(t testing.TB, args []string, stdout, stderr io.Writer) *exec.Cmd {
	cmd := exec.Command(gosmtpdBinary(t), args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return cmd
}

func itoa(n int) string { return fmt.Sprint(n) }
