package dispatch

import (
	"errors"
	"io"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// Stream is a message on its way to the DATA hook, as the driver gives it:
// the hook pulls it through Read (or WriteTo), and the driver receives the
// message's bytes from the client as the hook asks for them.
type Stream interface {
	io.Reader
	// Ended reports how the stream ended: io.EOF once the message was
	// read whole, another error when it failed (the client went, the
	// core refused the message, the transaction ended), nil while the
	// hook has not read it to its end.
	Ended() error
	// SetDeadline is given the call's context: the stream suspends the
	// hook's time limit while it waits for the client's bytes.
	SetDeadline(ctx CallDeadline)
}

// CallDeadline is the time limit of the DATA hook's call, which its
// stream suspends while it waits for the client.
type CallDeadline interface {
	// Waiting suspends the limit (true) or restarts it (false).
	Waiting(bool)
}

// message is the DATA hook's answer to the message in progress.
type message struct {
	running  bool
	answered bool    // the hook returned; answer and answers hold what it said
	lmtp     bool    // the hook answers each recipient
	answer   error   // a DATA hook's answer, or the failure of the call
	answers  []error // an LMTP hook's answers, one per recipient
	rcpts    int     // the recipients the hook was given
}

var (
	errReturnedEarly = errors.New("hooks: DATA hook returned before reading the whole message")
	errNoAnswer      = errors.New("hooks: LMTP DATA hook gave no answer for a recipient")
)

// HasDATAHook reports whether the handler reads messages.
func (c *Caller) HasDATAHook() bool { return c.d.data != nil || c.d.lmtp != nil }

// RunMessage calls the DATA hook on the message in s and returns when the
// hook returns; its answer is kept for the end of the message. The hook
// runs on the calling goroutine, pulling the message through s.
func (c *Caller) RunMessage(s Stream) {
	m := &c.msg
	*m = message{running: true, answers: m.answers[:0], rcpts: len(c.env.RcptTos)}
	m.lmtp = c.d.lmtp != nil && (c.d.lmtpMode || c.d.data == nil)
	args := callArgs{kind: callDATA, msg: s, rcpts: m.answers}
	if m.lmtp {
		args.kind = callLMTPDATA
	}
	m.answer = c.call(&args)
	m.answers = args.rcpts
	m.running, m.answered = false, true
}

// Refusal is the Decision for a message whose hook returned before its
// stream ended: the hook's own refusal, else 451, since the message never
// reached it whole. The driver passes it to fsm.Conn.AbortData (or ends
// the session with it when Close is set).
func (c *Caller) Refusal() fsm.Decision {
	m := &c.msg
	m.answered = false
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

// Failed reports the failure of the DATA hook when its stream failed: the
// core answers the client by itself, and the hook's answer is dropped; a
// panic still ends the session (the Decision says so).
func (c *Caller) Failed() (fsm.Decision, bool) {
	m := &c.msg
	m.answered = false
	if _, failure := replyOf(m.answer); failure != nil {
		d := c.failure("DATA", failure, hooks.ErrTemporaryFailure)
		return d, d.Close
	}
	return fsm.Decision{}, false
}

// dropMessage forgets the answer to a message whose transaction ended.
func (c *Caller) dropMessage() { c.msg.answered = false }

// endOfData answers the end of a message: the DATA hook's answer, given
// while the message streamed, or, for a message with no byte to stream,
// asked now. In LMTP the core asks once per accepted recipient; the
// answers are worked out at the first ask.
func (c *Caller) endOfData(a *fsm.Ask) fsm.Decision {
	if a.Rcpt > 0 {
		if a.Rcpt < len(c.verdicts) {
			return c.verdicts[a.Rcpt]
		}
		return c.failure("DATA", errNoAnswer, hooks.ErrTemporaryFailure)
	}
	if !c.msg.answered {
		c.RunMessage(emptyStream{})
	}
	m := &c.msg
	m.answered = false
	if !c.d.lmtpMode {
		return c.decision("DATA", m.single())
	}
	c.verdicts = c.perRecipient(m)
	return c.verdicts[0]
}

// single is the answer of a hook for an SMTP message: an LMTP hook's first
// refusal when it is the only DATA hook.
func (m *message) single() error {
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
func (c *Caller) perRecipient(m *message) []fsm.Decision {
	out := c.verdicts[:0]
	n := max(m.rcpts, 1)
	if m.answer != nil || !m.lmtp {
		d := c.decision("DATA", m.answer)
		for range n {
			out = append(out, d)
		}
		return out
	}
	for i := range n {
		answer := errNoAnswer
		if i < len(m.answers) {
			answer = m.answers[i]
		}
		out = append(out, c.decision("DATA", answer))
	}
	return out
}

// emptyStream is a message with no byte: the end of data came before any.
type emptyStream struct{}

func (emptyStream) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyStream) Ended() error             { return io.EOF }
func (emptyStream) SetDeadline(CallDeadline) {}
