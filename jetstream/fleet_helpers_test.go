package jetstream

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// gosmtpdBinary is the command (cmd/gosmtpd, joined by go.work).
func gosmtpdBinary(t testing.TB) string {
	t.Helper()
	return testkit.Build(t, "github.com/gosmtpd/gosmtpd/cmd/gosmtpd")
}

// gosmtpdProc is a running gosmtpd.
type gosmtpdProc = testkit.Process

// startGosmtpd runs the command with args and waits until it prints the
// address it listens on; it is killed when the test ends.
func startGosmtpd(t testing.TB, args ...string) *gosmtpdProc {
	t.Helper()
	return testkit.Start(t, exec.Command(gosmtpdBinary(t), args...))
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
