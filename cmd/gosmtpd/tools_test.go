package main

// What the tests of real mail tools against the gosmtpd binary share
// (tools_*_test.go: Postfix's smtp-source, swaks, curl, openssl s_client,
// HAProxy in front). Each of them reads what was delivered (the Maildir's
// new/ files, byte for byte, or the Debugging handler's output), not only
// the tool's exit code.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// toolTimeout bounds every outside program: a hung tool fails its test
// rather than the whole run.
const toolTimeout = 60 * time.Second

// runTool runs an outside program with stdin; its combined output and
// how it ended.
func runTool(t *testing.T, stdin, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, testkit.Program(t, name), args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// mustRun is runTool for a program that must succeed.
func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := runTool(t, "", name, args...)
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return out
}

// startMailbox runs gosmtpd delivering to a fresh Maildir, with args
// added; the process and the Maildir.
func startMailbox(t *testing.T, args ...string) (*proc, string) {
	t.Helper()
	dir := filepath.Join(memoryDir(t), "Maildir")
	return startCLI(t, append([]string{"-n", "-c", "mailbox", dir, "raw"}, args...)...), dir
}

// memoryDir is a fresh directory in memory (tmpfs) when the system has
// one, else on disk. Mailbox syncs every message to disk before its 250:
// on a busy disk that, not gosmtpd, would set the pace of 1000 messages.
func memoryDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "gosmtpd-test-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// delivered returns the messages in the Maildir's new/, in name order.
// Mailbox renames a message into new/ before it answers 250, so a client
// that has its 250 finds its message there.
func delivered(t *testing.T, dir string) [][]byte {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "new"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, 0, len(entries))
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, "new", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// deliveredOne returns the only message in the Maildir.
func deliveredOne(t *testing.T, dir string) []byte {
	t.Helper()
	msgs := delivered(t, dir)
	if len(msgs) != 1 {
		t.Fatalf("%d messages in %s, want 1", len(msgs), dir)
	}
	return msgs[0]
}

// writeFile writes content to a file of that name in a fresh directory.
func writeFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeUsers writes an htpasswd file with one user and a bcrypt hash of
// the password, in the "$2y$" form htpasswd -B writes.
func writeUsers(t *testing.T, user, password string) string {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "users", []byte(user+":$2y$"+string(hash[4:])+"\n"))
}

// debugMessages splits the Debugging handler's output into its messages,
// each from its first line after the banner to the line before the end.
func debugMessages(out string) []string {
	const begin, end = "---------- MESSAGE FOLLOWS ----------\n", "------------ END MESSAGE ------------\n"
	var msgs []string
	for {
		_, rest, ok := strings.Cut(out, begin)
		if !ok {
			return msgs
		}
		msg, after, ok := strings.Cut(rest, end)
		if !ok {
			return msgs
		}
		msgs = append(msgs, msg)
		out = after
	}
}

// countLines counts the lines of s that contain all of parts.
func countLines(s string, parts ...string) int {
	n := 0
	for _, line := range strings.Split(s, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			n++
		}
	}
	return n
}
