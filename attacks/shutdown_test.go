package attacks_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
)

// T-30: Shutdown with three sessions: the idle one gets 421 4.3.2 at once;
// the one finishing its message within the grace period gets its 250 and
// then 421 4.3.2; the one stalled mid-DATA gets 421 4.3.2 at the deadline,
// its hook's stream fails and its context is cancelled, with no 250 and
// nothing committed. A retry then delivers exactly one copy.
func TestGracefulShutdownMidDATA(t *testing.T) {
	rec := newRecorder()
	srv := &gosmtpd.Server{Handler: rec}
	addr := start(t, srv)
	idle, finishing, stalled := connect(t, addr), connect(t, addr), connect(t, addr)
	idle.Send("EHLO client.test")
	idle.Expect("250 ")
	finishing.transaction()
	finishing.Send("Subject: finishing", "", "first half")
	stalled.transaction()
	stalled.Send("Subject: stalled", "", "first half")

	const grace = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	began := time.Now()
	returned := make(chan error, 1)
	go func() { returned <- srv.Shutdown(ctx) }()

	idle.Expect("421 4.3.2")
	if d := time.Since(began); d > grace/2 {
		t.Fatalf("the idle session was told after %v, want at once", d)
	}
	idle.ExpectClosed()
	finishing.Send("second half", ".")
	finishing.Expect("250 2.0.0")
	finishing.Expect("421 4.3.2")
	finishing.ExpectClosed()
	if m := rec.Next(t); m.Err != nil || m.Body != "Subject: finishing\r\n\r\nfirst half\r\nsecond half\r\n" {
		t.Fatalf("the finishing session delivered %q (%v)", m.Body, m.Err)
	}

	stalled.Expect("421 4.3.2")
	if d := time.Since(began); d < grace-50*time.Millisecond {
		t.Fatalf("the stalled session was cut after %v, before the %v deadline", d, grace)
	}
	stalled.ExpectClosed()
	m := rec.Next(t)
	if !errors.Is(m.Err, io.ErrUnexpectedEOF) || m.CtxErr == nil {
		t.Fatalf("the stalled message's stream ended with %v, its context with %v", m.Err, m.CtxErr)
	}
	if err := <-returned; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown returned %v, want context.DeadlineExceeded", err)
	}

	retry := connect(t, start(t, &gosmtpd.Server{Handler: rec})) // the client tries again elsewhere
	retry.transaction()
	retry.Send("Subject: stalled", "", "first half", "second half", ".")
	retry.Expect("250 2.0.0")
	rec.Next(t)
	copies := 0
	for _, m := range rec.Delivered() {
		if m.Body == "Subject: stalled\r\n\r\nfirst half\r\nsecond half\r\n" {
			copies++
		}
	}
	if n := len(rec.Delivered()); n != 2 || copies != 1 {
		t.Fatalf("%d messages delivered, %d copies of the stalled one; want 2 and 1", n, copies)
	}
}
