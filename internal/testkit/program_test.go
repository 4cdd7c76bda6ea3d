package testkit

import (
	"os/exec"
	"strings"
	"testing"
)

func TestProgramFindsAnInstalledOne(t *testing.T) {
	want, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	var got string
	f := run(func(tb *fakeTB) { got = Program(tb, "sh") })
	if f.failed || f.skipped || got != want {
		t.Fatalf("Program(sh) = %q (failed %v, skipped %v), want %q", got, f.failed, f.skipped, want)
	}
}

func TestProgramMissingSkipsLocally(t *testing.T) {
	t.Setenv("CI", "")
	f := run(func(tb *fakeTB) { Program(tb, "no-such-program-gosmtpd") })
	if !f.skipped || f.failed || !strings.Contains(f.msg, "no-such-program-gosmtpd not installed") {
		t.Fatalf("skipped %v, failed %v, message %q", f.skipped, f.failed, f.msg)
	}
}

func TestProgramMissingFailsUnderCI(t *testing.T) {
	t.Setenv("CI", "true")
	f := run(func(tb *fakeTB) { Program(tb, "/nonexistent/python3") })
	if !f.failed || f.skipped || !strings.Contains(f.msg, "/nonexistent/python3 not installed") ||
		!strings.Contains(f.msg, "required under CI") {
		t.Fatalf("failed %v, skipped %v, message %q", f.failed, f.skipped, f.msg)
	}
}

func TestPythonPrefersTheSystemOne(t *testing.T) {
	if _, err := exec.LookPath(SystemPython); err != nil {
		t.Skipf("%s not installed", SystemPython)
	}
	var got string
	run(func(tb *fakeTB) { got = Python(tb) })
	if got != SystemPython {
		t.Fatalf("Python = %q, want %q", got, SystemPython)
	}
}
