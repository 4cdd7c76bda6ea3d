package dispatch

import (
	"context"
	"testing"
	"time"
)

// A call's context ends at its deadline, through Done and Err alike; a
// suspended deadline does not run; the end of the call cancels it.
func TestCallContext(t *testing.T) {
	var k callClock
	ctx := k.start(context.Background(), 30*time.Millisecond)
	if _, ok := ctx.Deadline(); !ok || ctx.Err() != nil {
		t.Fatal("a fresh call has no deadline, or has ended")
	}
	select {
	case <-ctx.Done():
		if ctx.Err() != context.DeadlineExceeded {
			t.Fatalf("Err %v after the deadline", ctx.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed at the deadline")
	}
	k.end(ctx)

	ctx = k.start(context.Background(), 30*time.Millisecond)
	done := ctx.Done()
	ctx.Waiting(true) // waiting for the client: the limit does not run
	time.Sleep(60 * time.Millisecond)
	if ctx.Err() != nil {
		t.Fatalf("a suspended deadline ended the call: %v", ctx.Err())
	}
	ctx.Waiting(false)
	<-done
	k.end(ctx)
	if ctx.Err() != context.DeadlineExceeded {
		t.Fatalf("Err %v", ctx.Err())
	}

	parent, cancel := context.WithCancel(context.Background())
	ctx = k.start(parent, 0)
	if _, ok := ctx.Deadline(); ok {
		t.Fatal("a call without a limit has a deadline")
	}
	cancel()
	if ctx.Err() != context.Canceled {
		t.Fatalf("the session's end leaves Err %v", ctx.Err())
	}
	k.end(ctx)

	ctx = k.start(context.Background(), 0)
	done = ctx.Done()
	k.stop() // the session is ended at once
	<-done
	k.end(ctx)
}
