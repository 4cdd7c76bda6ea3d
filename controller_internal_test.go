package gosmtpd

import (
	"testing"
	"time"
)

func TestReadyTimeoutFromTheEnvironment(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want time.Duration
		ok   bool
	}{
		{"", DefaultReadyTimeout, true},
		{"2.5", 2500 * time.Millisecond, true},
		{"10", 10 * time.Second, true},
		{"750ms", 750 * time.Millisecond, true},
		{"0", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
		{"1e300", 0, false},
	} {
		t.Setenv(ReadyTimeoutEnv, tc.env)
		got, err := (&Controller{}).readyTimeout()
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s=%q: %v, %v; want %v", ReadyTimeoutEnv, tc.env, got, err, tc.want)
		}
	}
	t.Setenv(ReadyTimeoutEnv, "")
	if got, err := (&Controller{ReadyTimeout: time.Second}).readyTimeout(); err != nil || got != time.Second {
		t.Errorf("ReadyTimeout set, no environment: %v, %v; want 1s", got, err)
	}
	// As AIOSMTPD_CONTROLLER_TIMEOUT, the environment wins over the code.
	t.Setenv(ReadyTimeoutEnv, "7")
	if got, err := (&Controller{ReadyTimeout: time.Second}).readyTimeout(); err != nil || got != 7*time.Second {
		t.Errorf("ReadyTimeout set: %v, %v; want the environment's 7s to win", got, err)
	}
	t.Setenv(ReadyTimeoutEnv, "soon")
	if _, err := (&Controller{ReadyTimeout: time.Second}).readyTimeout(); err == nil {
		t.Error("a malformed environment value is not refused when ReadyTimeout is set")
	}
}
