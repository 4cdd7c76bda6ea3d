package attacks_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// commandBinary is the gosmtpd command, for the rows that attack it with
// its default flags. ATTACKS_GOSMTPD, when set, names a gosmtpd binary to
// attack instead, to measure another build (an older one, say) under the
// same tests.
func commandBinary(t testing.TB) string {
	t.Helper()
	if path := os.Getenv("ATTACKS_GOSMTPD"); path != "" {
		return path
	}
	return testkit.Build(t, "github.com/gosmtpd/gosmtpd/cmd/gosmtpd")
}

// command is a running gosmtpd command.
type command = testkit.Process

// startCommand runs gosmtpd -n -l 127.0.0.1:0 with args and waits for the
// address it listens on. With nofile > 0 it runs under prlimit with that
// descriptor limit (soft and hard), so that a few hundred connections
// show what twenty thousand would. It is killed at the end of the test.
func startCommand(t testing.TB, nofile int, args ...string) *command {
	t.Helper()
	return runCommand(t, nofile, nil, args...)
}

// startCommandWithStdout is startCommand with the command's standard
// output going to f (a terminal, say).
func startCommandWithStdout(t testing.TB, f *os.File, args ...string) *command {
	t.Helper()
	return runCommand(t, 0, f, args...)
}

func runCommand(t testing.TB, nofile int, stdout *os.File, args ...string) *command {
	t.Helper()
	argv := append([]string{commandBinary(t), "-n", "-l", "127.0.0.1:0"}, args...)
	if nofile > 0 {
		limit := strconv.Itoa(nofile)
		argv = append([]string{testkit.Program(t, "prlimit"), "--nofile=" + limit + ":" + limit, "--"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	if stdout != nil {
		cmd.Stdout = stdout
	}
	return testkit.Start(t, cmd)
}

// servedWithin connects from the loopback address ip and reports how long
// the greeting and the reply to EHLO took; it fails the test past limit
// or on any other reply.
func servedWithin(t testing.TB, ip, addr string, limit time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: limit}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("a fresh client from %s: %v", ip, err)
	}
	defer nc.Close()
	nc.SetDeadline(began.Add(limit))
	br := bufio.NewReader(nc)
	greeting, err := readReply(br)
	if err != nil || !strings.HasPrefix(greeting, "220 ") {
		t.Fatalf("a fresh client from %s after %v: greeting %q, %v", ip, time.Since(began), greeting, err)
	}
	fmt.Fprintf(nc, "EHLO fresh.test\r\n")
	ehlo, err := readReply(br)
	if err != nil || !strings.HasPrefix(ehlo, "250 ") {
		t.Fatalf("a fresh client from %s after %v: EHLO got %q, %v", ip, time.Since(began), ehlo, err)
	}
	return time.Since(began)
}

// readReply reads one reply, multi-line or not, and returns its last line.
func readReply(br *bufio.Reader) (string, error) {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return line, err
		}
		if len(line) < 4 || line[3] != '-' {
			return strings.TrimRight(line, "\r\n"), nil
		}
	}
}
