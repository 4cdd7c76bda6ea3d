package jetstream

import (
	"bufio"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// gosmtpdBinary is the command (cmd/gosmtpd, joined by go.work).
func gosmtpdBinary(t testing.TB) string {
	t.Helper()
	return testkit.Build(t, "github.com/gosmtpd/gosmtpd/cmd/gosmtpd")
}

// gosmtpdProc is a running gosmtpd.
type gosmtpdProc struct {
	cmd    *exec.Cmd
	addr   string
	stderr testkit.Buffer
	done   chan struct{}
}

// startGosmtpd runs the command with args and waits until it prints the
// address it listens on; it is killed when the test ends.
func startGosmtpd(t testing.TB, args ...string) *gosmtpdProc {
	t.Helper()
	p := &gosmtpdProc{cmd: exec.Command(gosmtpdBinary(t), args...), done: make(chan struct{})}
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	go p.readStderr(pipe, addrc)
	t.Cleanup(p.kill)
	select {
	case p.addr = <-addrc:
	case <-p.done:
		t.Fatalf("gosmtpd %q exited:\n%s", args, p.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("gosmtpd %q printed no address:\n%s", args, p.stderr.String())
	}
	return p
}

func (p *gosmtpdProc) readStderr(r io.Reader, addrc chan<- string) {
	defer close(p.done)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		p.stderr.Write([]byte(line + "\n"))
		if _, addr, ok := strings.Cut(line, " listening on "); ok {
			select {
			case addrc <- addr:
			default:
			}
		}
	}
	p.cmd.Wait()
}

func (p *gosmtpdProc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// runGosmtpd runs the command to its end: its exit status and stderr.
func runGosmtpd(t testing.TB, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(gosmtpdBinary(t), args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}
