package hooks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
)

// Dispatcher turns the core's asks into handler calls.
type Dispatcher struct {
	h Handler
}

// NewDispatcher returns the dispatcher for h.
func NewDispatcher(h Handler) *Dispatcher { return &Dispatcher{h: h} }

// Hooks is the set of hooks the core must ask. The envelope is built from
// MAIL and RCPT, so a DATA handler makes those asked too; with no handler at
// all the core answers everything by itself (the fastest sink).
func (d *Dispatcher) Hooks() fsm.HookSet {
	set := fsm.HookSet(1 << fsm.HookNone)
	add := func(ok bool, hs ...fsm.Hook) {
		for _, h := range hs {
			if ok {
				set = set.With(h)
			}
		}
	}
	_, data := d.h.(DATAHandler)
	_, mail := d.h.(MAILHandler)
	_, rcpt := d.h.(RCPTHandler)
	_, helo := d.h.(HELOHandler)
	_, ehlo := d.h.(EHLOHandler)
	_, rset := d.h.(RSETHandler)
	_, noop := d.h.(NOOPHandler)
	_, quit := d.h.(QUITHandler)
	_, vrfy := d.h.(VRFYHandler)
	add(data || mail || rcpt, fsm.HookMAIL, fsm.HookRCPT, fsm.HookDATA, fsm.HookRSET)
	add(data || helo || ehlo, fsm.HookHELO, fsm.HookEHLO, fsm.HookLHLO)
	add(helo, fsm.HookHELO)
	add(ehlo, fsm.HookEHLO, fsm.HookLHLO)
	add(rset, fsm.HookRSET)
	add(noop, fsm.HookNOOP)
	add(quit, fsm.HookQUIT)
	add(vrfy, fsm.HookVRFY)
	return set
}

// WantsData reports whether the handler receives message bodies.
func (d *Dispatcher) WantsData() bool {
	_, ok := d.h.(DATAHandler)
	return ok
}

// Decide answers one ask other than DATA's, updating the session and
// envelope with what the core accepted.
func (d *Dispatcher) Decide(ctx context.Context, s *Session, e *Envelope, a *fsm.Ask) (dec fsm.Decision) {
	defer func() {
		if p := recover(); p != nil {
			dec = fsm.Decision{Reply: d.Failure(ctx, s, fmt.Errorf("panic in %s hook: %v", a.Hook, p)), Close: true}
		}
	}()
	rep, err := d.call(ctx, s, e, a)
	if err != nil {
		return fsm.Decision{Reply: d.Failure(ctx, s, err)}
	}
	if rep.IsZero() {
		rep = a.Default
	}
	d.record(s, e, a, rep)
	return fsm.Decision{Reply: rep}
}

func (d *Dispatcher) call(ctx context.Context, s *Session, e *Envelope, a *fsm.Ask) (Reply, error) {
	var err error
	switch a.Hook {
	case fsm.HookHELO:
		if h, ok := d.h.(HELOHandler); ok {
			err = h.HandleHELO(ctx, s, e, string(a.Arg))
		}
	case fsm.HookEHLO, fsm.HookLHLO:
		if h, ok := d.h.(EHLOHandler); ok {
			caps, herr := h.HandleEHLO(ctx, s, e, string(a.Arg), a.Default.More)
			if herr == nil {
				rep := a.Default
				rep.More = caps
				return rep, nil
			}
			err = herr
		}
	case fsm.HookMAIL:
		if h, ok := d.h.(MAILHandler); ok {
			err = h.HandleMAIL(ctx, s, e, string(a.Path.Mailbox), options(a.Params))
		}
	case fsm.HookRCPT:
		if h, ok := d.h.(RCPTHandler); ok {
			err = h.HandleRCPT(ctx, s, e, string(a.Path.Mailbox), options(a.Params))
		}
	case fsm.HookRSET:
		if h, ok := d.h.(RSETHandler); ok {
			err = h.HandleRSET(ctx, s, e)
		}
	case fsm.HookNOOP:
		if h, ok := d.h.(NOOPHandler); ok {
			err = h.HandleNOOP(ctx, s, e, string(a.Arg))
		}
	case fsm.HookQUIT:
		if h, ok := d.h.(QUITHandler); ok {
			err = h.HandleQUIT(ctx, s, e)
		}
	case fsm.HookVRFY:
		if h, ok := d.h.(VRFYHandler); ok {
			err = h.HandleVRFY(ctx, s, e, string(a.Arg))
		}
	}
	return replyOf(err)
}

// replyOf splits a hook's error into a chosen reply or a failure.
func replyOf(err error) (Reply, error) {
	var rep Reply
	if errors.As(err, &rep) {
		return rep, nil
	}
	return Reply{}, err
}

// record keeps what the core accepted in the session and envelope.
func (d *Dispatcher) record(s *Session, e *Envelope, a *fsm.Ask, rep Reply) {
	if !rep.Positive() {
		return
	}
	switch a.Hook {
	case fsm.HookHELO, fsm.HookEHLO, fsm.HookLHLO:
		s.HeloName, s.Extended = string(a.Arg), a.Hook != fsm.HookHELO
		*e = Envelope{}
	case fsm.HookMAIL:
		opts := options(a.Params)
		*e = Envelope{MailFrom: string(a.Path.Mailbox), MailOptions: opts, SMTPUTF8: hasOption(opts, "SMTPUTF8")}
	case fsm.HookRCPT:
		e.RcptTos = append(e.RcptTos, string(a.Path.Mailbox))
		e.RcptOptions = append(e.RcptOptions, options(a.Params))
	case fsm.HookRSET:
		*e = Envelope{}
	}
}

// Data runs the DATA hook on a message stream and returns its reply.
func (d *Dispatcher) Data(ctx context.Context, s *Session, e *Envelope, msg interface{ Read([]byte) (int, error) }) (rep Reply) {
	defer func() {
		if p := recover(); p != nil {
			rep = d.Failure(ctx, s, fmt.Errorf("panic in DATA hook: %v", p))
		}
	}()
	h, ok := d.h.(DATAHandler)
	if !ok {
		return Reply{}
	}
	rep, err := replyOf(h.HandleDATA(ctx, s, e, msg))
	if err != nil {
		return d.Failure(ctx, s, err)
	}
	return rep
}

// Failure is the reply for a failed hook: the exception hook's choice, or
// 451 4.3.0 without the error's text (it may hold internals).
func (d *Dispatcher) Failure(ctx context.Context, s *Session, err error) Reply {
	if h, ok := d.h.(ExceptionHandler); ok {
		if rep := h.HandleException(ctx, s, err); !rep.IsZero() {
			return rep
		}
	}
	return Reply{Code: 451, Enhanced: "4.3.0", Text: "Error: internal server error"}
}

func options(p *codec.Params) []string {
	if p == nil || p.Len() == 0 {
		return nil
	}
	opts := make([]string, p.Len())
	for i := range opts {
		kv := p.At(i)
		opts[i] = string(kv.Key)
		if kv.Value != nil {
			opts[i] += "=" + string(kv.Value)
		}
	}
	return opts
}

func hasOption(opts []string, name string) bool {
	for _, o := range opts {
		if strings.EqualFold(o, name) {
			return true
		}
	}
	return false
}
