package testkit

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// Main is the TestMain of a package whose tests run built programs: it
// runs the tests, removes what Build made, fails the run when goroutines
// are left over from passing tests (goleak), and exits.
func Main(m *testing.M) {
	code := m.Run()
	removeBuilds()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
