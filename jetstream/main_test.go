package jetstream

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testkit.RemoveBuilds()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}
