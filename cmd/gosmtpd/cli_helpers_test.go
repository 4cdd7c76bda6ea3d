package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// binary is the gosmtpd command, built once for all the tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gosmtpd-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "gosmtpd")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// proc is a running gosmtpd.
type proc struct {
	cmd    *exec.Cmd
	addr   string // the first address it printed
	stdout testkit.Buffer
	stderr testkit.Buffer
	done   chan struct{}
	err    error
}

// startCLI runs gosmtpd with args and waits for the address it prints.
func startCLI(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binary, args...), done: make(chan struct{})}
	p.cmd.Stdout = &p.stdout
	errPipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	go p.readStderr(errPipe, addrc)
	t.Cleanup(func() { p.stop(syscall.SIGKILL) })
	select {
	case p.addr = <-addrc:
	case <-p.done:
		t.Fatalf("gosmtpd %q exited: %v\n%s", args, p.err, p.stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("gosmtpd %q printed no address:\n%s", args, p.stderr.String())
	}
	return p
}

// readStderr copies stderr, passing on the first address printed, and
// reaps the process at its end.
func (p *proc) readStderr(r io.Reader, addrc chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		p.stderr.Write([]byte(line + "\n"))
		if _, addr, ok := strings.Cut(line, " listening on "); ok && addrc != nil {
			addrc <- strings.Fields(addr)[0]
			addrc = nil
		}
	}
	p.err = p.cmd.Wait()
	close(p.done)
}

// stop signals the process and waits for it; its exit code.
func (p *proc) stop(sig os.Signal) int {
	select {
	case <-p.done:
	default:
		p.cmd.Process.Signal(sig)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	}
	return p.cmd.ProcessState.ExitCode()
}

// stopOK stops the process with sig and expects a clean exit.
func (p *proc) stopOK(t *testing.T, sig os.Signal) {
	t.Helper()
	if code := p.stop(sig); code != 0 {
		t.Fatalf("exit code %d after %v\n%s", code, sig, p.stderr.String())
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
func execCLI(args []string, stdout, stderr io.Writer) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return cmd
}

func itoa(n int) string { return fmt.Sprint(n) }
