package fsm

import (
	"slices"
	"strings"
	"testing"
)

// traceSession plays input through a core whose AUTH hooks answer with a
// challenge, and returns the lines it traced.
func traceSession(t *testing.T, input string) []string {
	t.Helper()
	var traced []string
	cfg := &Config{AuthMechanisms: []string{"PLAIN", "LOGIN"}, AuthCleartext: true,
		Trace: func(line []byte) { traced = append(traced, string(line)) }}
	newDecidingDriver(cfg, func(a Ask) Decision {
		if a.Hook == HookAUTH && a.Data == nil || string(a.Data) == "user" {
			return Decision{Challenge: []byte("Password:")}
		}
		return Decision{}
	}).feed([]byte(input))
	return traced
}

func TestTraceShowsCommandsNotMessageText(t *testing.T) {
	got := traceSession(t, "EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSecret: text\r\n.\r\nQUIT\r\n")
	want := []string{"EHLO c", "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA", "QUIT"}
	if !slices.Equal(got, want) {
		t.Errorf("traced %q, want %q", got, want)
	}
}

func TestTraceHidesAuthSecrets(t *testing.T) {
	got := traceSession(t, "EHLO c\r\n"+
		"AUTH PLAIN AGpvZQBzM2NyM3Q=\r\n"+ // initial response
		"auth login dXNlcg==\r\n"+"c2VjcmV0\r\n"+ // and its answer to the challenge
		"AUTH LOGIN\r\n*\r\n"+ // a cancel is not a secret
		"AUTH\tPLAIN AGpvZQBzM2NyM3Q=\r\n"+ // malformed, but a secret all the same
		"AUTHENTICATE AGpvZQBzM2NyM3Q=\r\n"+
		"AUTH PLAIN\nAGpvZQBzM2NyM3Q=\r\n"+ // a bare LF ends the line: the secret answers the 334
		"NOOP\r\n") // not reached: that was the third failure
	want := []string{"EHLO c", "AUTH PLAIN ***", "auth login ***", "***", "AUTH LOGIN", "*", "AUTH ***", "AUTH ***", "AUTH PLAIN", "***"}
	if !slices.Equal(got, want) {
		t.Errorf("traced %q, want %q", got, want)
	}
	for _, line := range got {
		if strings.Contains(line, "AGpvZQ") || strings.Contains(line, "c2VjcmV0") {
			t.Errorf("secret traced: %q", line)
		}
	}
}
