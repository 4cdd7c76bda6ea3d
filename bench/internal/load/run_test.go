package load

import (
	"context"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/bench/internal/canned"
)

// startCanned serves the canned responder on a loopback port until the test
// ends.
func startCanned(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- canned.Serve(ln) }()
	t.Cleanup(func() {
		ln.Close()
		if err := <-done; err != nil {
			t.Errorf("canned.Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

func run(t *testing.T, cfg Config) Result {
	t.Helper()
	cfg.Timeout = 5 * time.Second
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestRunDeliversEveryMessageInEveryMode checks the count of delivered
// messages for each mode, on persistent and per-message connections.
func TestRunDeliversEveryMessageInEveryMode(t *testing.T) {
	addr := startCanned(t)
	for _, mode := range []Mode{LockStep, Pipelined, Full} {
		for _, reconnect := range []bool{false, true} {
			cfg := Config{Addr: addr, Sessions: 4, Messages: 25, Size: 2000, Rcpts: 2,
				Mode: mode, Window: 3, Reconnect: reconnect}
			res := run(t, cfg)
			if res.Messages != 100 || res.Errors != 0 {
				t.Errorf("%v reconnect=%v: %d delivered, %d errors (%s), want 100 and 0",
					mode, reconnect, res.Messages, res.Errors, res.FirstError)
			}
			if res.P50Micros <= 0 || res.P99Micros < res.P50Micros || res.MBPerSec <= 0 {
				t.Errorf("%v reconnect=%v: implausible figures %+v", mode, reconnect, res)
			}
		}
	}
}

// TestRunStopsAtDuration checks that a timed run ends soon after its
// duration, having sent something.
func TestRunStopsAtDuration(t *testing.T) {
	addr := startCanned(t)
	res := run(t, Config{Addr: addr, Sessions: 8, Duration: 200 * time.Millisecond,
		Size: 512, Rcpts: 1, Mode: Full})
	if res.Messages == 0 || res.Errors != 0 {
		t.Errorf("%d delivered, %d errors (%s)", res.Messages, res.Errors, res.FirstError)
	}
	if res.Seconds < 0.2 || res.Seconds > 2 {
		t.Errorf("run took %.2fs for a 200ms duration", res.Seconds)
	}
}

// TestDurationStartsOnceSessionsAreConnected checks that a slow greeting
// does not eat the measured time of persistent sessions.
func TestDurationStartsOnceSessionsAreConnected(t *testing.T) {
	addr := (&fakeServer{greetAfter: 300 * time.Millisecond}).start(t)
	res := run(t, Config{Addr: addr, Sessions: 4, Duration: 100 * time.Millisecond, Size: 100, Rcpts: 1})
	if res.Messages == 0 || res.Errors != 0 {
		t.Errorf("%d delivered, %d errors (%s), want some and 0", res.Messages, res.Errors, res.FirstError)
	}
	if res.Seconds >= 0.35 { // 0.4s or more with the greeting inside
		t.Errorf("measured %.2fs, connection set-up included", res.Seconds)
	}
}

// TestSteadyStateAllocatesNothing checks that the client stays out of the
// garbage collector's way: after connecting, messages allocate nothing.
func TestSteadyStateAllocatesNothing(t *testing.T) {
	addr := startCanned(t)
	for _, mode := range []Mode{LockStep, Pipelined, Full} {
		measure := func(messages int) uint64 {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			run(t, Config{Addr: addr, Sessions: 1, Messages: messages, Size: 1024, Rcpts: 1, Mode: mode})
			runtime.ReadMemStats(&after)
			return after.Mallocs - before.Mallocs
		}
		few, many := measure(10), measure(2010)
		// Both runs pay the same set-up; 2000 extra messages may cost a
		// few stray runtime allocations, not one per message.
		t.Logf("%v few=%d many=%d", mode, few, many)
		if many > few+100 {
			t.Errorf("%v: 2000 more messages cost %d more allocations", mode, many-few)
		}
	}
}

func TestLMTPReadsOneReplyPerAcceptedRecipient(t *testing.T) {
	addr := (&fakeServer{lmtp: true, refuseRcpt: "rcpt1@"}).start(t)
	for _, mode := range []Mode{LockStep, Pipelined, Full} {
		res := run(t, Config{Addr: addr, Sessions: 2, Messages: 5, Size: 300, Rcpts: 3, Mode: mode, LMTP: true})
		if res.Messages != 10 || res.Errors != 0 {
			t.Errorf("%v: %d delivered, %d errors (%s), want 10 and 0", mode, res.Messages, res.Errors, res.FirstError)
		}
	}
}

func TestRefusedFinalReplyIsAnError(t *testing.T) {
	addr := (&fakeServer{lmtp: true, refuseEnd: true}).start(t)
	res := run(t, Config{Addr: addr, Sessions: 1, Messages: 3, Size: 300, Rcpts: 2, LMTP: true})
	if res.Messages != 0 || res.Errors != 3 {
		t.Errorf("%d delivered, %d errors, want 0 and 3", res.Messages, res.Errors)
	}
	if !strings.Contains(res.FirstError, "452") {
		t.Errorf("first error %q does not name the 452", res.FirstError)
	}
}

func TestStartTLS(t *testing.T) {
	addr := (&fakeServer{tls: testTLSConfig(t)}).start(t)
	res := run(t, Config{Addr: addr, Sessions: 2, Messages: 5, Size: 4000, Rcpts: 1, StartTLS: true})
	if res.Messages != 10 || res.Errors != 0 {
		t.Errorf("%d delivered, %d errors (%s), want 10 and 0", res.Messages, res.Errors, res.FirstError)
	}
}

func TestUnreachableServerEndsWithErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	res := run(t, Config{Addr: addr, Sessions: 2, Duration: time.Minute, Size: 100, Rcpts: 1})
	if res.Errors != 2*maxConsecutiveErrors || res.FirstError == "" {
		t.Errorf("%d errors (%q), want %d", res.Errors, res.FirstError, 2*maxConsecutiveErrors)
	}
}
