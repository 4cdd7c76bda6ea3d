package dispatch

import (
	"context"
	"io"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// Body hands the next chunk of the message (fsm.ActBody's Data) to the DATA
// hook, starting the hook on the first chunk, and returns once the hook has
// used all of p. It returns false when the hook stopped taking the message:
// then the decision says what the client gets for it; the driver passes its
// Reply to fsm.Conn.AbortData, or ends the session when Close is set.
func (c *Caller) Body(p []byte) (fsm.Decision, bool) {
	if len(p) == 0 {
		return fsm.Decision{}, true
	}
	if c.msg == nil {
		c.msg = c.startMessage()
	}
	err := c.feed(c.msg, p)
	if err == nil {
		return fsm.Decision{}, true
	}
	m := c.msg
	c.msg = nil
	if err != errReturnedEarly {
		m.abort(streamError(err))
		c.detach()
		return notWhole(c.failure("DATA", err, hooks.ErrTemporaryFailure)), false
	}
	m.finish(io.ErrUnexpectedEOF)
	m.release()
	return c.refusal(m), false
}

// streamError is what the hook's stream returns when the driver stops
// waiting for the hook: io.ErrUnexpectedEOF when the session ends (the
// message will never be whole), else the cause.
func streamError(err error) error {
	if err == hooks.ErrStopped {
		return io.ErrUnexpectedEOF
	}
	return err
}

// refusal is the decision for a message whose hook returned before taking
// all of it: the hook's own refusal, else 451, since the message never
// reached it whole.
func (c *Caller) refusal(m *delivery) fsm.Decision {
	answer := m.answer
	for _, a := range m.answers {
		if answer == nil && a != nil {
			answer = a
		}
	}
	rep, failure := replyOf(answer)
	switch {
	case failure != nil:
		return notWhole(c.failure("DATA", failure, hooks.ErrTemporaryFailure))
	case rep.IsZero() || rep.Positive():
		c.report("DATA", errReturnedEarly)
		return fsm.Decision{Reply: hooks.ErrTemporaryFailure}
	}
	return fsm.Decision{Reply: rep}
}

// notWhole keeps an ExceptionHandler from turning the failure of a
// message the hook did not receive whole into a positive reply: the client
// must never be told that such a message was taken.
func notWhole(d fsm.Decision) fsm.Decision {
	if d.Reply.Positive() {
		d.Reply = hooks.ErrTemporaryFailure
	}
	return d
}

// AbandonMessage fails the stream of the message in progress with cause
// (fsm.ActBody's Err: the core refuses the message and answers the client
// itself) and waits for the hook to return, at most the timeout. The hook's
// answer is dropped.
func (c *Caller) AbandonMessage(cause error) { c.abandon(cause) }

func (c *Caller) abandon(cause error) {
	m := c.msg
	if m == nil {
		return
	}
	c.msg = nil
	m.finish(cause)
	if err := c.await(m); err != nil {
		c.report("DATA", err)
	}
	m.release()
}

// endOfData answers the end of a message: the DATA hook's answer, once
// the stream is closed and the hook has returned. In LMTP the core asks
// once per accepted recipient; the answers are worked out at the first ask.
func (c *Caller) endOfData(a *fsm.Ask) fsm.Decision {
	if a.Rcpt > 0 {
		if a.Rcpt < len(c.verdicts) {
			return c.verdicts[a.Rcpt]
		}
		return c.failure("DATA", errNoAnswer, hooks.ErrTemporaryFailure)
	}
	m := c.msg
	if m == nil {
		m = c.startMessage() // an empty message: no chunk came
	}
	c.msg = nil
	m.finish(io.EOF)
	err := c.await(m)
	m.release()
	c.env = &hooks.Envelope{} // the transaction ends with this reply
	if !c.d.lmtpMode {
		if err != nil {
			return c.failure("DATA", err, hooks.ErrTemporaryFailure)
		}
		return c.decision("DATA", m.single())
	}
	c.verdicts = c.perRecipient(m, err)
	return c.verdicts[0]
}

// single is the answer of a hook for an SMTP message: an LMTP hook's first
// refusal when it is the only DATA hook.
func (m *delivery) single() error {
	if m.answer != nil || !m.lmtp {
		return m.answer
	}
	for _, a := range m.answers {
		if a != nil {
			return a
		}
	}
	return nil
}

// perRecipient works out the LMTP replies, one per accepted recipient.
func (c *Caller) perRecipient(m *delivery, err error) []fsm.Decision {
	out := make([]fsm.Decision, max(len(m.env.RcptTos), 1))
	if err != nil || !m.lmtp || m.answer != nil {
		if err == nil {
			err = m.answer
		}
		d := c.decision("DATA", err)
		for i := range out {
			out[i] = d
		}
		return out
	}
	for i := range out {
		answer := errNoAnswer
		if i < len(m.answers) {
			answer = m.answers[i]
		}
		out[i] = c.decision("DATA", answer)
	}
	return out
}

// Close ends the Caller with its session: a message still streaming fails
// with io.ErrUnexpectedEOF (the client went before its end) and its hook's
// context is cancelled; Close waits for that hook until ctx ends.
func (c *Caller) Close(ctx context.Context) {
	m := c.msg
	if m == nil {
		return
	}
	c.msg = nil
	m.finish(io.ErrUnexpectedEOF)
	m.release()
	select {
	case <-m.done:
	case <-ctx.Done():
	}
}
