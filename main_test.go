package gosmtpd_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// onCI tells whether the tests run under continuous integration, where a
// missing outside program is a failure rather than a reason to skip.
func onCI() bool { return os.Getenv("CI") == "true" }
