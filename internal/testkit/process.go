package testkit

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Process is a server program a test started, which says where it listens
// on its standard error as the gosmtpd command does ("... listening on
// ADDR"). Its output is kept for the test to read while it runs.
type Process struct {
	Cmd    *exec.Cmd
	Addr   string // the first address it printed
	Stdout Buffer // its standard output, unless Cmd.Stdout was set
	Stderr Buffer
	Done   chan struct{} // closed once it exited; Err is then what Wait returned
	Err    error
}

// startTimeout bounds the wait for a program's address.
const startTimeout = 20 * time.Second

// Start starts cmd and waits until it prints the address it listens on.
// The process is killed, if still running, when the test ends.
func Start(t testing.TB, cmd *exec.Cmd) *Process {
	t.Helper()
	p := &Process{Cmd: cmd, Done: make(chan struct{})}
	if cmd.Stdout == nil {
		cmd.Stdout = &p.Stdout
	}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	go p.readStderr(pipe, addrc)
	t.Cleanup(func() { p.Stop(syscall.SIGKILL) })
	select {
	case p.Addr = <-addrc:
	case <-p.Done:
		t.Fatalf("%q exited: %v\n%s", cmd.Args, p.Err, p.Stderr.String())
	case <-time.After(startTimeout):
		t.Fatalf("%q printed no address in %v:\n%s", cmd.Args, startTimeout, p.Stderr.String())
	}
	return p
}

// readStderr keeps the standard error, passes on the first address
// printed, and reaps the process at its end.
func (p *Process) readStderr(r io.Reader, addrc chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		p.Stderr.Write([]byte(line + "\n"))
		if _, addr, ok := strings.Cut(line, " listening on "); ok && addrc != nil {
			if f := strings.Fields(addr); len(f) > 0 {
				addrc <- f[0]
				addrc = nil
			}
		}
	}
	p.Err = p.Cmd.Wait()
	close(p.Done)
}

// Stop sends sig unless the process has exited, waits for it (killing it
// after 10 seconds) and returns its exit code.
func (p *Process) Stop(sig os.Signal) int {
	select {
	case <-p.Done:
	default:
		p.Cmd.Process.Signal(sig)
		select {
		case <-p.Done:
		case <-time.After(10 * time.Second):
			p.Cmd.Process.Kill()
			<-p.Done
		}
	}
	return p.Cmd.ProcessState.ExitCode()
}

// WaitLog waits up to 5 seconds for a line of the standard error that
// holds every one of parts, and returns it.
func (p *Process) WaitLog(t testing.TB, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for line := range strings.Lines(p.Stderr.String()) {
			if containsAll(line, parts) {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q:\n%s", parts, p.Stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
