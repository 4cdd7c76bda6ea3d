package dispatch

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/sessionctx"
)

// CallerConfig configures a Caller.
type CallerConfig struct {
	// Timeout is each hook call's time limit: past it the hook's context
	// is cancelled. The DATA hook's time runs while it is not waiting for
	// the message's next bytes. 0: no limit.
	Timeout time.Duration
	// Failed, when set, is told of every failure of a hook (an error that
	// is not a Reply, a timeout, a *PanicError with its stack), on the
	// session's goroutine, for logging. err never holds credentials.
	Failed func(hook string, err error)
}

// Caller calls the hooks of one session, on the session's goroutine, as
// net/http calls a handler: a hook's time limit cancels its context, and a
// hook that ignores it holds its session (hooks.Abandon lets one go). The
// Caller keeps the session's Session, its current Envelope, the SASL
// exchange and the answer to the message in progress.
type Caller struct {
	d       *Dispatcher
	sess    *hooks.Session
	env     *hooks.Envelope // reused: a hook may read it during its call only
	timeout time.Duration
	failed  func(string, error)
	clock   callClock

	pending  pendingFacts
	recent   recentAddrs       // the last transaction's mailboxes, for the next
	sasl     hooks.Exchange    // the AUTH exchange in progress, or nil
	saslName string            // its mechanism's name
	msg      message           // the DATA hook's answer to the message in progress
	verdicts []fsm.Decision    // LMTP: the reply for each recipient of the last message
	xforward map[string]string // XFORWARD's attributes, for the next transaction
}

// NewCaller returns the Caller of the session s.
func (d *Dispatcher) NewCaller(s *hooks.Session, cfg CallerConfig) *Caller {
	return &Caller{d: d, sess: s, env: &hooks.Envelope{}, timeout: cfg.Timeout, failed: cfg.Failed}
}

// Session returns the session.
func (c *Caller) Session() *hooks.Session { return c.sess }

// Envelope returns the current transaction's envelope. It is the same value
// for the whole session, emptied when a transaction starts.
func (c *Caller) Envelope() *hooks.Envelope { return c.env }

// StopHook cancels the context of the hook running, if any: the session is
// ending at once. It may be called from any goroutine.
func (c *Caller) StopHook() { c.clock.stop() }

// call calls the hook a names with a context that its time limit cancels,
// on the session's goroutine, or on one of its own under hooks.Abandoning.
// A panic becomes a *PanicError.
func (c *Caller) call(a *callArgs) error {
	ctx := c.clock.start(c.sess.Context(), c.timeout)
	if a.msg != nil {
		a.msg.SetDeadline(ctx)
	}
	var err error
	if c.d.detach {
		err = c.callDetached(ctx, a)
	} else {
		err = protect(callNames[a.kind], func() error { return c.invoke(ctx, c.sess, c.env, a) })
	}
	return c.ended(ctx, err)
}

// ended ends the call of ctx and names the real cause when the hook's
// context ended before it returned: ErrStopped when the session is
// ending, ErrHandlerTimeout when the hook overran its time, whatever it
// returned (a hook that answers after its time is up has not answered in
// time: a message is never acknowledged late), except a reply chosen on
// purpose.
func (c *Caller) ended(ctx *callContext, err error) error {
	expired := c.clock.end(ctx)
	stopped := c.sess.Context().Err() != nil
	if _, failure := replyOf(err); err != nil && failure == nil {
		return err
	}
	switch {
	case stopped && err != nil:
		return hooks.ErrStopped
	case expired:
		return hooks.ErrHandlerTimeout
	}
	return err
}

// protect runs f and turns a panic into a *PanicError.
func protect(hook string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &hooks.PanicError{Hook: hook, Value: v, Stack: debug.Stack()}
		}
	}()
	return f()
}

func (c *Caller) report(hook string, err error) {
	if c.failed != nil {
		c.failed(hook, err)
	}
}

// NewSession returns a Session whose context is ctx: the driver cancels it
// when the client goes or the server stops.
func NewSession(ctx context.Context) *hooks.Session {
	s := &hooks.Session{}
	sessionctx.Set(s, ctx)
	return s
}

// resetEnvelope empties the envelope for a new transaction, keeping the
// memory of its lists.
func (c *Caller) resetEnvelope() {
	e := c.env
	clear(e.RcptTos)
	clear(e.RcptOptions)
	clear(e.RcptParams)
	*e = hooks.Envelope{RcptTos: e.RcptTos[:0], RcptOptions: e.RcptOptions[:0], RcptParams: e.RcptParams[:0]}
}

// startEnvelope empties the envelope for the transaction a MAIL opens, and
// gives it the XFORWARD attributes received before it.
func (c *Caller) startEnvelope() {
	c.resetEnvelope()
	c.env.XForward = c.xforward
}
