package transport_test

import (
	"log/slog"
	"testing"

	"go.uber.org/goleak"

	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/transport"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve starts a session over net.Pipe and reads its greeting.
func serve(t testing.TB, o *transport.Options) *testkit.Session {
	t.Helper()
	s := testkit.ServePipe(t, o, nil)
	s.Expect("220 ")
	return s
}

func options(h hooks.Handler) *transport.Options {
	o := &transport.Options{Logger: slog.New(slog.DiscardHandler)}
	o.Core.Hostname = "mx.test"
	o.Handler = h
	return o
}

// recorder keeps the messages a session delivers (testkit.Recorder).
type recorder = testkit.Recorder

func newRecorder() *recorder { return testkit.NewRecorder() }
