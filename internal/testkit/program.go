package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// SystemPython is Debian's interpreter, the one python3-aiosmtpd is
// installed for and whose ssl module the TLS tests rely on. The python3
// first on PATH may be another one without them.
const SystemPython = "/usr/bin/python3"

// OnCI tells whether the tests run under continuous integration
// (CI=true), where a missing outside program is a failure rather than a
// reason to skip.
func OnCI() bool { return os.Getenv("CI") == "true" }

// Missing ends the test for want of something outside it: under CI it
// fails with the reason, elsewhere it is skipped with it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if OnCI() {
		t.Fatal(msg + " (required under CI)")
	}
	t.Skip(msg)
}

// Program returns the path of an outside program, a name looked up on
// PATH or a path; when it is missing the test ends as Missing says.
func Program(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s not installed: %v", name, err)
	}
	return path
}

// Python returns an interpreter for scripts that need only Python's
// standard library (smtplib): SystemPython when it is there, else the
// python3 on PATH.
func Python(t testing.TB) string {
	t.Helper()
	if path, err := exec.LookPath(SystemPython); err == nil {
		return path
	}
	return Program(t, "python3")
}
