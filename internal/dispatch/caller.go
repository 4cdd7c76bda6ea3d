package dispatch

import (
	"context"
	"runtime/debug"
	"slices"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/sessionctx"
)

// CallerConfig configures a Caller.
type CallerConfig struct {
	// Timeout bounds each hook call, and the DATA hook's wait for each
	// chunk and for its answer after the final dot: past it the hook's
	// context is cancelled and the client gets "451 4.3.0". 0: no limit.
	Timeout time.Duration
	// Failed, when set, is told of every failure of a hook (an error that
	// is not a Reply, a timeout, a *PanicError with its stack), on the
	// goroutine that called the Caller, for logging. err never holds
	// credentials.
	Failed func(hook string, err error)
}

// Caller calls the hooks of one session. It keeps the session's Session,
// its current Envelope, the SASL exchange and the message in progress. It
// is used by one goroutine, the session's driver; hooks run on goroutines
// of their own, so that one that overruns its time can be left behind.
type Caller struct {
	d       *Dispatcher
	sess    *hooks.Session
	env     *hooks.Envelope
	timeout time.Duration
	failed  func(string, error)

	sasl     hooks.Exchange    // the AUTH exchange in progress, or nil
	saslName string            // its mechanism's name
	msg      *delivery         // the message being streamed to the DATA hook, or nil
	verdicts []fsm.Decision    // LMTP: the reply for each recipient of the last message
	xforward map[string]string // XFORWARD's attributes, for the next transaction
}

// NewCaller returns the Caller of the session s.
func (d *Dispatcher) NewCaller(s *hooks.Session, cfg CallerConfig) *Caller {
	return &Caller{d: d, sess: s, env: &hooks.Envelope{}, timeout: cfg.Timeout, failed: cfg.Failed}
}

// Session returns the session as it stands. The pointer changes when a hook
// overruns its time (the hook keeps the old copy): ask again rather than
// keep it.
func (c *Caller) Session() *hooks.Session { return c.sess }

// Envelope returns the current transaction's envelope, under the same rule
// as Session.
func (c *Caller) Envelope() *hooks.Envelope { return c.env }

// hookFunc is a hook call with its arguments bound, except those the Caller
// passes: it must use s and e, never the Caller's fields, which the driver
// may replace while the hook runs.
type hookFunc func(ctx context.Context, s *hooks.Session, e *hooks.Envelope) error

// call runs f on its own goroutine and waits for it at most the timeout.
// A panic becomes a *PanicError; a hook still running when its context ends
// is left behind with its own copies of the Session and the Envelope.
func (c *Caller) call(hook string, f hookFunc) error {
	ctx, cancel := c.hookContext()
	defer cancel()
	s, e := c.sess, c.env
	done := make(chan error, 1) // buffered: a hook left behind can still finish
	go func() { done <- protect(hook, func() error { return f(ctx, s, e) }) }()
	select {
	case err := <-done:
		return c.late(ctx, err)
	case <-ctx.Done():
	}
	select {
	case err := <-done: // it finished just in time
		return c.late(ctx, err)
	default:
	}
	c.detach()
	return c.cause()
}

// hookContext is the context of one hook call.
func (c *Caller) hookContext() (context.Context, context.CancelFunc) {
	if c.timeout > 0 {
		return context.WithTimeout(c.sess.Context(), c.timeout)
	}
	return context.WithCancel(c.sess.Context())
}

// late names the real cause when a hook fails because its context ended
// (it returned ctx.Err() or something wrapping it).
func (c *Caller) late(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	if _, failure := replyOf(err); failure == nil {
		return err // a reply chosen on purpose stands
	}
	return c.cause()
}

// cause tells a stopped session from a hook that ran out of time.
func (c *Caller) cause() error {
	if c.sess.Context().Err() != nil {
		return hooks.ErrStopped
	}
	return hooks.ErrHandlerTimeout
}

// detach gives the session fresh copies of its Session and Envelope, so
// that a hook left running keeps ones nobody changes any more.
func (c *Caller) detach() {
	s := *c.sess
	c.sess = &s
	c.env = cloneEnvelope(c.env)
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

// cloneEnvelope returns a deep copy of e, so that a hook that overran its
// time keeps an envelope no one else changes.
func cloneEnvelope(e *hooks.Envelope) *hooks.Envelope {
	c := *e
	c.MailOptions = slices.Clone(e.MailOptions)
	c.RcptTos = slices.Clone(e.RcptTos)
	c.RcptOptions = slices.Clone(e.RcptOptions)
	c.RcptParams = slices.Clone(e.RcptParams)
	return &c
}
