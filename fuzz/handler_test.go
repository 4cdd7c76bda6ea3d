package fuzz

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// handler records every message its DATA hook receives. Without a random
// source it accepts everything and reads every message whole. With one
// (the refusing variant) each hook call, once armed, may accept, refuse
// with a Reply (whose text tries to inject a second reply), fail with a
// plain error, answer with a 250 of its own or panic; the DATA hook reads
// all of the message or stops partway, with reads of random sizes, and then
// answers in one of those ways; and the ExceptionHandler picks replies for
// failures, a 250 among them. Hooks run one at a time (the session waits
// for each), so the random choices follow the input.
type handler struct {
	mu    sync.Mutex
	recs  []*record
	rng   *rand.Rand // nil: accept everything
	armed atomic.Bool
	lmtp  bool // answers LMTP messages (see lmtpHandler)
	// panicked: a hook panicked, so the session ended after whatever
	// reply the ExceptionHandler chose (the default is a 421).
	panicked atomic.Bool
}

func newHandler(random bool, seed uint64) *handler {
	h := &handler{}
	if random {
		h.rng = rand.New(rand.NewPCG(seed, seed>>32|1))
	}
	return h
}

// records returns the messages received, in the order they started.
func (h *handler) records() []*record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.recs
}

// intn draws from the random source; -1 when the handler accepts
// everything.
func (h *handler) intn(n int) int {
	if h.rng == nil || !h.armed.Load() {
		return -1
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rng.IntN(n)
}

var (
	errFuzz      = errors.New("fuzz: handler failure")
	replyRefused = hooks.Reply{Code: 550, Enhanced: "5.7.1", Text: "refused\r\n250 2.0.0 injected"}
	replyLater   = hooks.Reply{Code: 451, Text: "later\nagain"}
	replyFine    = hooks.Reply{Code: 250, Enhanced: "2.0.0", Text: "fuzz accepted"}
)

// verdict is the answer of a hook other than DATA.
func (h *handler) verdict() error {
	switch h.intn(40) {
	case 0, 1:
		return replyRefused
	case 2:
		return replyLater
	case 3:
		return errFuzz
	case 4:
		return replyFine
	case 5:
		h.panicked.Store(true)
		panic("fuzz: handler panic")
	}
	return nil
}

func (h *handler) HandleHELO(context.Context, *hooks.Session, *hooks.Envelope, string) error {
	return h.verdict()
}

func (h *handler) HandleEHLO(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, _ string, caps []string) ([]string, error) {
	if h.intn(8) == 0 {
		caps = append(caps[:len(caps)/2:len(caps)/2], "X-FUZZ\r\n250 injected")
	}
	return caps, h.verdict()
}

func (h *handler) HandleMAIL(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	return h.verdict()
}

func (h *handler) HandleRCPT(context.Context, *hooks.Session, *hooks.Envelope, string, []string) error {
	return h.verdict()
}

func (h *handler) HandleRSET(context.Context, *hooks.Session, *hooks.Envelope) error {
	return h.verdict()
}

func (h *handler) HandleNOOP(context.Context, *hooks.Session, *hooks.Envelope, string) error {
	return h.verdict()
}

func (h *handler) HandleVRFY(context.Context, *hooks.Session, *hooks.Envelope, string) error {
	return h.verdict()
}

func (h *handler) Commands() []hooks.Command {
	return []hooks.Command{{Name: "XFUZZ", Syntax: "XFUZZ [anything]"}}
}

func (h *handler) HandleCommand(context.Context, *hooks.Session, *hooks.Envelope, string, string) error {
	return h.verdict()
}

// dataFailure is how the DATA hook fails, so that the ExceptionHandler
// knows which message a failure is about, and for which recipient (-1: all).
type dataFailure struct {
	rec  *record
	rcpt int
}

func (dataFailure) Error() string { return "fuzz: DATA hook failure" }

// HandleDATA records the message, as much of it as it reads.
func (h *handler) HandleDATA(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	rec, err := h.receive(msg, 1)
	if h.intn(12) == 0 {
		h.panicked.Store(true)
		panic(dataFailure{rec, -1})
	}
	return h.dataAnswer(rec, 0, err)
}

// receive records a message for n recipients, reading as much of it as the
// random source says.
func (h *handler) receive(msg io.Reader, n int) (*record, error) {
	rec := &record{positive: make([]bool, n)}
	h.mu.Lock()
	h.recs = append(h.recs, rec)
	h.mu.Unlock()
	limit, size := -1, 4096
	if h.intn(2) == 0 {
		limit = h.intn(3000)
	}
	if n := h.intn(700); n >= 0 {
		size = n + 1
	}
	body, complete, err := readBody(msg, limit, size)
	h.mu.Lock()
	rec.body, rec.complete = body, complete
	h.mu.Unlock()
	return rec, err
}

// dataAnswer is the DATA hook's answer for recipient i, recorded in
// rec.positive.
func (h *handler) dataAnswer(rec *record, i int, streamErr error) error {
	var answer error
	positive := true
	switch h.intn(11) {
	case -1:
		answer, positive = streamErr, streamErr == nil
	case 0:
		answer, positive = dataFailure{rec, i}, false
	case 1:
		answer, positive = replyRefused, false
	case 2:
		answer = replyFine
	}
	h.mu.Lock()
	rec.positive[i] = positive
	h.mu.Unlock()
	return answer
}

// lmtpHandler is the handler of an LMTP server: its DATA hook answers
// each recipient, and may give too few answers (the missing ones count as
// failures).
type lmtpHandler struct{ *handler }

func (h lmtpHandler) HandleLMTPDATA(_ context.Context, _ *hooks.Session, e *hooks.Envelope, msg io.Reader) []error {
	rec, err := h.receive(msg, len(e.RcptTos))
	if h.intn(12) == 0 {
		h.panicked.Store(true)
		panic(dataFailure{rec, -1})
	}
	answers := make([]error, len(e.RcptTos))
	for i := range answers {
		answers[i] = h.dataAnswer(rec, i, err)
	}
	if h.intn(8) == 0 {
		short := h.intn(len(answers))
		h.mu.Lock()
		clear(rec.positive[short:])
		h.mu.Unlock()
		answers = answers[:short]
	}
	return answers
}

// readBody reads msg in reads of size bytes, up to limit bytes (<0: all of
// it). complete reports that it reached io.EOF.
func readBody(msg io.Reader, limit, size int) (body []byte, complete bool, err error) {
	buf := make([]byte, size)
	body = []byte{}
	for limit < 0 || len(body) < limit {
		want := len(buf)
		if limit >= 0 {
			want = min(want, limit-len(body))
		}
		n, err := msg.Read(buf[:want])
		body = append(body, buf[:n]...)
		switch {
		case err == io.EOF:
			return body, true, nil
		case err != nil:
			return body, false, err
		}
	}
	return body, false, nil
}

// HandleException picks the reply for a failed hook: the default, a
// refusal, or a 250. A 250 for a failed DATA hook makes its message
// positive for the recipients the failure is about: the client may get a
// 250 for it when the hook had it whole. A failure the handler cannot
// place (an LMTP answer missing) never gets a 250.
func (h *handler) HandleException(_ context.Context, _ *hooks.Session, err error) hooks.Reply {
	switch h.intn(4) {
	case 0:
		return replyRefused
	case 1:
		df, ok := failedData(err)
		if !ok && h.lmtp {
			break
		}
		if df.rec != nil {
			h.mu.Lock()
			for i := range df.rec.positive {
				df.rec.positive[i] = df.rec.positive[i] || df.rcpt < 0 || df.rcpt == i
			}
			h.mu.Unlock()
		}
		return replyFine
	}
	return hooks.Reply{}
}

// failedData is the failure of the DATA hook that err is, if it is one.
func failedData(err error) (dataFailure, bool) {
	var df dataFailure
	if errors.As(err, &df) {
		return df, true
	}
	var p *hooks.PanicError
	if errors.As(err, &p) {
		df, ok := p.Value.(dataFailure)
		return df, ok
	}
	return dataFailure{}, false
}
