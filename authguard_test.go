package gosmtpd_test

import (
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// tryAuth runs one AUTH PLAIN from the loopback address ip, expects want
// and returns how long the reply took.
func tryAuth(t *testing.T, ip, addr, user, password, want string) time.Duration {
	t.Helper()
	c := testkit.DialFrom(t, ip, addr)
	c.Expect("220 ")
	c.Send("EHLO client.example")
	c.Expect("250 ")
	began := time.Now()
	c.Send("AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+password)))
	c.Expect(want)
	took := time.Since(began)
	c.Send("QUIT")
	c.Expect("221 ")
	return took
}

// After each refusal of its credentials, a client's next check waits
// AuthFailureDelay, doubled for each further refusal; other clients are
// not delayed. Every refusal is logged at Warn, in the documented shape,
// the user name escaped.
func TestAuthFailureDelay(t *testing.T) {
	var logs testkit.Buffer
	const delay = 100 * time.Millisecond
	ctl := control(t, &gosmtpd.Controller{Server: &gosmtpd.Server{
		Authenticator: hooks.Passwords{"alice": "secret"}, AuthCleartext: true, AuthFailureDelay: delay,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))}})
	addr := ctl.Addr().String()
	tryAuth(t, "127.0.0.3", addr, "alice", "guess", "535 ")
	for i, want := range []time.Duration{delay, 2 * delay, 4 * delay} {
		if took := tryAuth(t, "127.0.0.3", addr, "bob\x1b[2J", "guess", "535 "); took < want-10*time.Millisecond {
			t.Fatalf("refusal %d took %v, want at least %v", i+2, took, want)
		}
	}
	// 127.0.0.3's next check would wait 8 x delay: another address shares
	// none of it (the bound leaves a loaded machine room to be slow).
	if took := tryAuth(t, "127.0.0.2", addr, "alice", "secret", "235 "); took >= 4*delay {
		t.Fatalf("another client waited %v", took)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines logged, want 4:\n%s", len(lines), logs.String())
	}
	want := `level=WARN msg="AUTH failed" client=127.0.0.3 mechanism=PLAIN user="bob\x1b[2J" session=`
	if !strings.Contains(lines[3], want) {
		t.Fatalf("logged %q, want it to hold %q", lines[3], want)
	}
}
