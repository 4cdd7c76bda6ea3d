package jetstream

import (
	"testing"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }
