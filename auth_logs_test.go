package gosmtpd_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// logCatcher is a slog handler at Debug level that keeps every record as
// text and tells when a session has ended.
type logCatcher struct {
	*logState
	inner slog.Handler
}

type logState struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ended chan struct{}
}

func newLogCatcher() *logCatcher {
	st := &logState{ended: make(chan struct{}, 16)}
	return &logCatcher{logState: st,
		inner: slog.NewTextHandler(lockedWriter{st}, &slog.HandlerOptions{Level: slog.LevelDebug})}
}

type lockedWriter struct{ st *logState }

func (w lockedWriter) Write(p []byte) (int, error) { return w.st.buf.Write(p) } // under st.mu: see Handle

func (h *logCatcher) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

func (h *logCatcher) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	err := h.inner.Handle(ctx, r)
	h.mu.Unlock()
	if r.Message == "session ended" {
		h.ended <- struct{}{}
	}
	return err
}

func (h *logCatcher) WithAttrs(as []slog.Attr) slog.Handler {
	return &logCatcher{h.logState, h.inner.WithAttrs(as)}
}

func (h *logCatcher) WithGroup(name string) slog.Handler {
	return &logCatcher{h.logState, h.inner.WithGroup(name)}
}

func (h *logCatcher) text() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.buf.String()
}

func (h *logCatcher) waitEnded(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-h.ended:
		case <-time.After(10 * time.Second):
			t.Fatalf("sessions did not end; log so far:\n%s", h.text())
		}
	}
}

// TestPasswordNeverLogged runs sessions with a known password through
// every path AUTH has (success, refusal, an Authenticator that quotes the
// password in its error, one that panics with it, one that hangs) with the
// log at Debug and the Debugging handler printing the message, and looks
// for the password in all that was printed.
func TestPasswordNeverLogged(t *testing.T) {
	logs := newLogCatcher()
	var printed testkit.Buffer
	release := make(chan struct{})
	a := startAuth(t, false, func(s *gosmtpd.Server) {
		s.Logger = slog.New(logs)
		s.Handler = &handlers.Debugging{W: &printed}
		s.HandlerTimeout = 100 * time.Millisecond
		s.AuthFailureDelay = -1 // it would outlast this short hook timeout; TestAuthFailureDelay has it
		s.AuthMechanisms = append(hooks.DefaultMechanisms(), hooks.CRAMMD5{})
		s.Authenticator = hooks.AuthenticatorFunc(func(ctx context.Context, s *hooks.Session, e *hooks.Envelope, c *hooks.Credentials) error {
			switch c.Username {
			case "leaky":
				return fmt.Errorf("directory refused %v with password %q", c, c.Password)
			case "panicky":
				panic("cannot check " + c.Password)
			case "hangs": // past its time limit, then it gives up
				select {
				case <-release:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return hooks.Passwords{"alice": alicePW}.Authenticate(ctx, s, e, c)
		})
	})
	t.Cleanup(func() { close(release) })

	w, _ := a.encrypted(t, a.dial(t))
	w.Send("AUTH PLAIN " + authB64("\x00alice\x00"+alicePW+"x"))
	w.Expect("535 ")
	w.Send("AUTH PLAIN " + authB64("\x00leaky\x00"+alicePW))
	w.Expect("454 ")
	w.Send("AUTH LOGIN " + authB64("hangs"))
	w.Expect("334 ")
	w.Send(authB64(alicePW))
	w.Expect("454 ")
	w.Send("AUTH LOGIN", authB64("alice"), authB64(alicePW))
	w.Expect("334 ")
	w.Expect("334 ")
	w.Expect("235 ")
	w.Send("MAIL FROM:<alice@example.com> AUTH=alice@example.com", "RCPT TO:<bob@example.net>", "DATA")
	w.Expect("250 ")
	w.Expect("250 ")
	w.Expect("354 ")
	w.Send("Subject: the log test\r\n\r\nbody\r\n.", "QUIT")
	w.Expect("250 ")
	w.Expect("221 ")

	w, _ = a.encrypted(t, a.dial(t))
	w.Send("AUTH PLAIN " + authB64("\x00panicky\x00"+alicePW))
	w.Expect("421 ")
	logs.waitEnded(t, 2)

	log, out := logs.text(), printed.String()
	for _, want := range []string{"level=DEBUG", "session started", "hook failed", "[REDACTED]",
		"hook panicked", "hook timed out", "session ended",
		"msg=command", `line="AUTH PLAIN ***"`, "line=***", "msg=reply", `line="235 2.7.0`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q: the test would miss a leak there\n%s", want, log)
		}
	}
	if strings.Contains(log, "the log test") {
		t.Errorf("the log holds the message's text:\n%s", log)
	}
	upper := strings.ToUpper(out) // Debugging prints parameters upper-cased, as aiosmtpd
	if !strings.Contains(out, "the log test") || !strings.Contains(upper, "AUTH=ALICE@EXAMPLE.COM") {
		t.Errorf("the Debugging handler printed %q", out)
	}
	for _, secret := range []string{alicePW, authB64(alicePW), authB64("\x00alice\x00" + alicePW),
		authB64("\x00leaky\x00" + alicePW), authB64("\x00panicky\x00" + alicePW)} {
		if strings.Contains(log, secret) || strings.Contains(upper, strings.ToUpper(secret)) {
			t.Errorf("%q printed:\n--- log\n%s\n--- Debugging\n%s", secret, log, out)
		}
	}
}
