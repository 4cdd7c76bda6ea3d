package fuzz

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
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

// goroutines is what checkGoroutines compares with: the number of
// goroutines before a session, and the ID of the goroutine that runs it
// (IDs only grow: the session's goroutines have greater ones).
type goroutines struct {
	n  int
	id uint64
}

func snapshot() goroutines {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	return goroutines{n: runtime.NumGoroutine(), id: goroutineID(string(buf))}
}

// goroutineID reads N from a stack's first line, "goroutine N [...".
func goroutineID(stack string) uint64 {
	f := strings.Fields(stack)
	if len(f) < 2 {
		return 0
	}
	id, _ := strconv.ParseUint(f[1], 10, 64)
	return id
}

// checkGoroutines waits for the goroutines a session started to end. When
// there are more than before, what counts are goroutines started since that
// run code of this module (the driver, the hooks, the test's handler): the
// fuzzing engine starts and ends goroutines of its own. Goroutines about to
// exit get a grace period; one left running fails with its stack.
func checkGoroutines(t *testing.T, before goroutines) {
	t.Helper()
	wait := time.Microsecond
	for deadline := time.Now().Add(hangTimeout / 2); runtime.NumGoroutine() > before.n; wait *= 2 {
		left := started(before.id)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left behind:\n%s", len(left), strings.Join(left, "\n\n"))
		}
		runtime.Gosched()
		time.Sleep(min(wait, 10*time.Millisecond))
	}
}

// started returns the stacks of the goroutines newer than id that run or
// were started by code of this module.
func started(id uint64) []string {
	var ours []string
	for _, g := range strings.Split(stacks(), "\n\n") {
		if goroutineID(g) > id && strings.Contains(g, "github.com/gosmtpd/gosmtpd/") {
			ours = append(ours, g)
		}
	}
	return ours
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
