package testkit

import (
	"os"
	"testing"
)

// Build builds a command once, however often it is asked for, and
// removeBuilds deletes it.
func TestBuildOnceAndRemove(t *testing.T) {
	const pkg = "github.com/gosmtpd/gosmtpd/bench/cmd/smtpload"
	first := Build(t, pkg)
	info, err := os.Stat(first)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode()&0o111 == 0 {
		t.Fatalf("%s has mode %v: not an executable", first, info.Mode())
	}
	if again := Build(t, pkg); again != first {
		t.Fatalf("built twice: %s, then %s", first, again)
	}
	removeBuilds()
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Fatalf("%s still there after removeBuilds: %v", first, err)
	}
}
