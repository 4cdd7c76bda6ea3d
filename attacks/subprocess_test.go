package attacks_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// loadServerBinary is ./internal/loadserver, built as testkit.Build builds:
// without the race detector even when the tests run with it, which
// multiplies a goroutine's memory, so that VmHWM measures gosmtpd.
func loadServerBinary(t testing.TB) string {
	t.Helper()
	return testkit.Build(t, "./internal/loadserver")
}

// serverProcess is a running loadserver.
type serverProcess struct{ *testkit.Process }

// startServerProcess runs loadserver with args and waits for its address.
// It is stopped at the end of the test; its standard input is a pipe that
// closes when this process ends, however it ends, and loadserver with it.
func startServerProcess(t testing.TB, args ...string) *serverProcess {
	t.Helper()
	cmd := exec.Command(loadServerBinary(t), args...)
	if _, err := cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	return &serverProcess{testkit.Start(t, cmd)}
}

// status returns a field of /proc/<pid>/status in KiB ("VmHWM", "VmRSS").
func (p *serverProcess) status(t testing.TB, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc status", field)
	return 0
}

// cpuTicks returns the process's user plus system time in clock ticks.
func (p *serverProcess) cpuTicks(t testing.TB) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name, which is in parentheses: state is
	// field 3, utime 14 and stime 15.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}

// raiseNoFile raises this process's RLIMIT_NOFILE to at least n, for tests
// that hold thousands of connections, and restores it afterwards.
func raiseNoFile(t testing.TB, n uint64) {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	if old.Cur >= n {
		return
	}
	lim := syscall.Rlimit{Cur: n, Max: max(old.Max, n)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		lim.Max = old.Max
		lim.Cur = old.Max
		if old.Max < n || syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
			t.Fatalf("cannot raise RLIMIT_NOFILE to %d (hard limit %d): %v", n, old.Max, err)
		}
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
}
