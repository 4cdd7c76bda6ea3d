package fuzz

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var discard = slog.New(slog.DiscardHandler)

// serverTLS is the server's TLS configuration: one self-signed certificate
// per process, made on first use.
var serverTLS = sync.OnceValue(func() *tls.Config {
	cfg, err := smtptls.SelfSigned("mx.fuzz")
	if err != nil {
		panic(err)
	}
	return cfg
})

// clientTLS trusts any certificate (the test makes its own) and resumes
// sessions, so that most handshakes cost no signature.
var clientTLS = &tls.Config{
	InsecureSkipVerify: true,
	ServerName:         "mx.fuzz",
	ClientSessionCache: tls.NewLRUClientSessionCache(16),
}

// checkGoroutines waits for the goroutines a session started to end: the
// count must fall back to what it was before. Goroutines that are about to
// exit get a grace period; a goroutine left running fails with every stack.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	wait := time.Microsecond
	for deadline := time.Now().Add(hangTimeout / 2); runtime.NumGoroutine() > before; wait *= 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left behind:\n%s", runtime.NumGoroutine()-before, stacks())
		}
		runtime.Gosched()
		time.Sleep(min(wait, 10*time.Millisecond))
	}
}

func stacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// waitServe waits for ServeConn's result; a session that does not end
// fails as a hang.
func waitServe(t *testing.T, done <-chan error) error {
	t.Helper()
	timer := time.NewTimer(hangTimeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		t.Fatalf("ServeConn did not return:\n%s", stacks())
		return nil
	}
}

// collect reads everything the server writes until it closes.
func collect(r io.Reader) <-chan []byte {
	out := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(r)
		out <- b
	}()
	return out
}

// failf reports an invariant breach with the transcript.
func failf(t *testing.T, in, out []byte, format string, args ...any) {
	t.Helper()
	t.Fatalf("%s\nclient sent: %q\nserver sent: %q", fmt.Sprintf(format, args...), in, out)
}
