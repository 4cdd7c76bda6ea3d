package dispatch

import (
	"io"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// callDetached calls the hook a names on a goroutine of its own
// (hooks.Abandoning) and waits for it until its context ends: its time
// limit passed, or the session is being stopped. A hook still running then
// is left behind with the Session and the Envelope it was given, and the
// session goes on with copies. A DATA hook's reads of the message are
// served here, on the session's goroutine, which alone drives the session.
func (c *Caller) callDetached(ctx *callContext, a *callArgs) error {
	args := *a
	var r *relay
	if args.msg != nil {
		r = newRelay(args.msg)
		args.msg = r
	}
	s, e := c.sess, c.env
	done := make(chan error, 1) // buffered: a hook left behind can still finish
	go func() {
		done <- protect(callNames[args.kind], func() error { return c.invoke(ctx, s, e, &args) })
	}()
	var reads chan []byte
	if r != nil {
		reads = r.reads
	}
	for {
		select {
		case err := <-done:
			*a = args
			if r != nil {
				a.msg = r.msg
			}
			return err
		case p := <-reads:
			n, err := r.msg.Read(p)
			r.results <- readResult{n, err}
		case <-ctx.Done():
			select {
			case err := <-done: // it finished just in time
				*a = args
				return err
			default:
			}
			if r != nil {
				close(r.gone)
			}
			c.leaveBehind()
			return ctx.Err()
		}
	}
}

// leaveBehind gives the session fresh copies of its Session and Envelope,
// so that a hook left running keeps ones nobody changes any more.
func (c *Caller) leaveBehind() {
	s := *c.sess
	c.sess = &s
	e := *c.env
	e.MailOptions = append([]string(nil), e.MailOptions...)
	e.RcptTos = append([]string(nil), e.RcptTos...)
	e.RcptOptions = append([][]string(nil), e.RcptOptions...)
	if e.RcptParams != nil {
		e.RcptParams = append([]hooks.RcptParams(nil), e.RcptParams...)
	}
	c.env = &e
}

// relay is a detached DATA hook's view of the message: each Read is
// passed to the session's goroutine, which reads the message into the
// hook's own buffer and hands back the count. Once the hook is left
// behind, reads fail with io.ErrUnexpectedEOF: the message will never
// reach it whole.
type relay struct {
	msg     Stream
	reads   chan []byte
	results chan readResult
	gone    chan struct{}
}

type readResult struct {
	n   int
	err error
}

func newRelay(msg Stream) *relay {
	return &relay{msg: msg, reads: make(chan []byte), results: make(chan readResult), gone: make(chan struct{})}
}

func (r *relay) Read(p []byte) (int, error) {
	select {
	case r.reads <- p:
	case <-r.gone:
		return 0, io.ErrUnexpectedEOF
	}
	res := <-r.results // sent once the read is taken
	return res.n, res.err
}

func (r *relay) Ended() error               { return r.msg.Ended() }
func (r *relay) SetDeadline(d CallDeadline) { r.msg.SetDeadline(d) }
