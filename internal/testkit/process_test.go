package testkit

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// Start returns once the program prints where it listens, with the
// address alone; WaitLog finds a later line; Stop returns the exit code.
func TestStartWaitsForTheAddress(t *testing.T) {
	script := `trap 'exit 3' TERM
echo "starting" >&2
echo "srv listening on 127.0.0.1:2525 (plain)" >&2
echo "level=WARN msg=hello" >&2
echo "to stdout"
while :; do sleep 0.05; done`
	p := Start(t, exec.Command(Program(t, "sh"), "-c", script))
	if p.Addr != "127.0.0.1:2525" {
		t.Errorf("Addr %q, want 127.0.0.1:2525", p.Addr)
	}
	if line := p.WaitLog(t, "WARN", "hello"); line != "level=WARN msg=hello\n" {
		t.Errorf("WaitLog gave %q", line)
	}
	if code := p.Stop(syscall.SIGTERM); code != 3 {
		t.Errorf("exit code %d after SIGTERM, want 3", code)
	}
	if out := p.Stdout.String(); out != "to stdout\n" {
		t.Errorf("standard output %q", out)
	}
}

// A program that ends before it prints an address fails the test, with
// what it printed.
func TestStartFailsWhenTheProgramExits(t *testing.T) {
	sh := Program(t, "sh")
	f := run(func(tb *fakeTB) { Start(tb, exec.Command(sh, "-c", "echo oops >&2; exit 1")) })
	f.cleanup()
	if !f.failed || !strings.Contains(f.msg, "exited") || !strings.Contains(f.msg, "oops") {
		t.Fatalf("failed %v, message %q", f.failed, f.msg)
	}
}
