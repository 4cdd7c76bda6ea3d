package dispatch

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// callContext is the context of one hook call: cancelled when the call
// ends, when the session's context ends, or when the hook overruns its
// deadline. It is made for each call, a single small allocation: the
// channel is made only when the hook asks for Done, and the timer that
// closes it at the deadline is the session's own, reset for each call that
// asks (context.WithTimeout would cost a context, a timer and a closure on
// every call).
type callContext struct {
	parent context.Context // the session's
	clock  *callClock
	limit  time.Duration // 0: none
	// Guarded by clock.mu:
	deadline time.Duration // on the clock (callClock.elapsed); noDeadline while suspended
	done     chan struct{}
	err      error
}

// noDeadline is the deadline of a call without one, or with its limit
// suspended.
const noDeadline = time.Duration(-1)

// callClock is a session's timer for the deadlines of its hook calls, and
// the call it watches.
//
// Every call reads the clock twice, at its start and at its end (did it
// overrun?). time.Now reads the wall clock besides the monotonic one; the
// clock reads the monotonic one only, as the time elapsed since base, the
// time of the session's first call, for half the cost, and a deadline is
// such an offset, compared with no conversion. The call in progress is
// published atomically, so that starting one takes no lock; stop, fire and
// the context's methods take mu to touch it.
type callClock struct {
	base    time.Time // the first call's start; written once, by start
	current atomic.Pointer[callContext]
	mu      sync.Mutex
	timer   *time.Timer
}

// elapsed reads the clock: the monotonic time elapsed since base.
func (k *callClock) elapsed() time.Duration { return time.Since(k.base) }

// until is how long is left before the deadline d.
func (k *callClock) until(d time.Duration) time.Duration { return d - k.elapsed() }

// start begins a call with the given time limit (0: none), on the
// session's goroutine.
func (k *callClock) start(parent context.Context, limit time.Duration) *callContext {
	ctx := &callContext{parent: parent, clock: k, limit: limit, deadline: noDeadline}
	if limit > 0 {
		if k.base.IsZero() {
			k.base = time.Now()
		}
		ctx.deadline = k.elapsed() + limit
	}
	k.current.Store(ctx)
	return ctx
}

// end cancels the call's context once the hook has returned, and reports
// whether its time had run out (rather than the session's end cancelling
// it): a hook that overran is late even when it never looked at its
// context.
func (k *callClock) end(ctx *callContext) (expired bool) {
	k.mu.Lock()
	ctx.expireLocked()
	expired = ctx.err == context.DeadlineExceeded
	ctx.cancelLocked(context.Canceled)
	k.current.CompareAndSwap(ctx, nil)
	if ctx.done != nil && k.timer != nil {
		k.timer.Stop()
	}
	k.mu.Unlock()
	return expired
}

// stop cancels the call in progress: the session is ending at once.
func (k *callClock) stop() {
	k.mu.Lock()
	if ctx := k.current.Load(); ctx != nil {
		ctx.cancelLocked(context.Canceled)
	}
	k.mu.Unlock()
}

// fire runs on the timer's goroutine: it cancels the watched call when its
// deadline has passed (the timer may be late for a call that moved it).
func (k *callClock) fire() {
	k.mu.Lock()
	defer k.mu.Unlock()
	ctx := k.current.Load()
	if ctx == nil || ctx.done == nil || ctx.deadline == noDeadline {
		return
	}
	if wait := k.until(ctx.deadline); wait > 0 {
		k.timer.Reset(wait)
		return
	}
	ctx.cancelLocked(context.DeadlineExceeded)
}

// armLocked sets the timer for ctx's deadline, when ctx watches its Done.
func (k *callClock) armLocked(ctx *callContext) {
	if ctx.done == nil || ctx.deadline == noDeadline || ctx.err != nil {
		return
	}
	wait := k.until(ctx.deadline)
	if k.timer == nil {
		k.timer = time.AfterFunc(wait, k.fire)
	} else {
		k.timer.Reset(wait)
	}
}

// Waiting suspends the call's time limit while the hook waits for the
// client (true: a DATA hook waits for the message's next bytes), and
// restarts it, in full, when the hook has them (false).
func (ctx *callContext) Waiting(wait bool) {
	if ctx.limit <= 0 {
		return
	}
	k := ctx.clock
	k.mu.Lock()
	defer k.mu.Unlock()
	if wait {
		ctx.deadline = noDeadline
		return
	}
	ctx.deadline = k.elapsed() + ctx.limit
	k.armLocked(ctx)
}

func (ctx *callContext) cancelLocked(err error) {
	if ctx.err != nil {
		return
	}
	ctx.err = err
	if ctx.done != nil {
		close(ctx.done)
	}
}

// Deadline reports the call's deadline, when it has one now.
func (ctx *callContext) Deadline() (time.Time, bool) {
	k := ctx.clock
	k.mu.Lock()
	defer k.mu.Unlock()
	if ctx.deadline == noDeadline {
		return time.Time{}, false
	}
	return k.base.Add(ctx.deadline), true
}

// Done returns a channel closed when the call's context ends.
func (ctx *callContext) Done() <-chan struct{} {
	k := ctx.clock
	k.mu.Lock()
	defer k.mu.Unlock()
	if ctx.done == nil {
		ctx.done = make(chan struct{})
		if ctx.err == nil && ctx.parent.Err() != nil {
			ctx.err = context.Canceled
		}
		if ctx.err != nil {
			close(ctx.done)
		}
		k.armLocked(ctx)
	}
	return ctx.done
}

// Err reports why the call's context ended, or nil.
func (ctx *callContext) Err() error {
	ctx.clock.mu.Lock()
	defer ctx.clock.mu.Unlock()
	ctx.expireLocked()
	return ctx.err
}

// expireLocked ends the context when the session's has ended or its
// deadline has passed, for a hook that polls Err rather than Done.
func (ctx *callContext) expireLocked() {
	if ctx.err != nil {
		return
	}
	switch {
	case ctx.parent.Err() != nil:
		ctx.cancelLocked(context.Canceled)
	case ctx.deadline != noDeadline && ctx.clock.until(ctx.deadline) <= 0:
		ctx.cancelLocked(context.DeadlineExceeded)
	}
}

// Value returns the session context's value for key.
func (ctx *callContext) Value(key any) any { return ctx.parent.Value(key) }
