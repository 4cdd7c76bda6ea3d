package dispatch

import (
	"strings"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// Config configures a Dispatcher.
type Config struct {
	Handler hooks.Handler // nil: accept every command, discard every message

	// Authenticator decides AUTH; nil: the Handler's own Authenticate
	// method, if it has one. Without either, AUTH is not offered.
	Authenticator hooks.Authenticator
	// Mechanisms are the SASL mechanisms offered, in order; nil: PLAIN and
	// LOGIN.
	Mechanisms []hooks.Mechanism

	// Hostname names the server in the 421 replies of failed sessions.
	Hostname string
	// LMTP: the core speaks LMTP, so that DATA is answered per recipient.
	LMTP bool
}

// Dispatcher turns the core's questions into handler calls. It is made once
// per server and shared by its sessions: it holds only what the handler
// implements, discovered by type assertion once. Each session calls hooks
// through its own Caller.
type Dispatcher struct {
	hostname string
	lmtpMode bool
	detach   bool // hooks.Abandoning: each call on a goroutine of its own (detach.go)
	hooks    fsm.HookSet
	mechs    []hooks.Mechanism
	names    []string // mechanism names, upper case, for fsm.Config
	commands []hooks.Command

	helo      hooks.HELOHandler
	ehlo      hooks.EHLOHandler
	lhlo      hooks.LHLOHandler
	mail      hooks.MAILHandler
	rcpt      hooks.RCPTHandler
	data      hooks.DATAHandler
	lmtp      hooks.LMTPHandler
	rset      hooks.RSETHandler
	noop      hooks.NOOPHandler
	quit      hooks.QUITHandler
	vrfy      hooks.VRFYHandler
	command   hooks.CommandHandler
	proxy     hooks.PROXYHandler
	connect   hooks.ConnectHandler
	closed    hooks.CloseHandler
	starttls  hooks.STARTTLSHandler
	exception hooks.ExceptionHandler
	auth      hooks.Authenticator
}

// NewDispatcher returns the Dispatcher for cfg.
func NewDispatcher(cfg Config) *Dispatcher {
	d := &Dispatcher{hostname: cfg.Hostname, lmtpMode: cfg.LMTP}
	if d.hostname == "" {
		d.hostname = fsm.DefaultHostname
	}
	cfg.Handler, d.detach = unwrap(cfg.Handler)
	d.discover(cfg.Handler)
	discards := discarding(cfg.Handler)
	if discards {
		d.data, d.lmtp = nil, nil // the core drops the body itself
	}
	d.auth = cfg.Authenticator
	if d.auth == nil {
		d.auth, _ = cfg.Handler.(hooks.Authenticator)
	}
	if d.auth != nil {
		d.mechs = cfg.Mechanisms
		if d.mechs == nil {
			d.mechs = hooks.DefaultMechanisms()
		}
		for _, m := range d.mechs {
			d.names = append(d.names, strings.ToUpper(m.Name()))
		}
	}
	if d.command != nil {
		d.commands = d.command.Commands()
	}
	d.hooks = d.hookSet(d.anyHook() || cfg.Handler != nil && !discards)
	return d
}

// Discarder is implemented by a handler whose DATA hook does nothing but
// read each message to its end and accept it (handlers.Sink).
// DiscardsMessages(h) reports whether h, the handler being served, is that
// handler itself rather than a type that embeds it and may bring hooks of
// its own. Then no DATA hook runs: the core still receives and decodes every
// byte of each message, and checks its limits, before it answers 250, but
// drops the body itself, so that a discarding server costs no hook call or
// allocation per message. A handler with no other hook is then
// served as no handler at all.
type Discarder interface {
	DiscardsMessages(h hooks.Handler) bool
}

// unwrap returns the handler hooks.Abandoning wraps, and whether it did.
func unwrap(h hooks.Handler) (hooks.Handler, bool) {
	switch w := h.(type) {
	case hooks.Abandoning:
		return w.Handler, true
	case *hooks.Abandoning:
		return w.Handler, true
	}
	return h, false
}

func discarding(h hooks.Handler) bool {
	dh, ok := h.(Discarder)
	return ok && dh.DiscardsMessages(h)
}

// anyHook reports whether the handler implements a hook that is called.
func (d *Dispatcher) anyHook() bool {
	return d.helo != nil || d.ehlo != nil || d.lhlo != nil || d.mail != nil || d.rcpt != nil ||
		d.data != nil || d.lmtp != nil || d.rset != nil || d.noop != nil || d.quit != nil ||
		d.vrfy != nil || d.command != nil || d.proxy != nil || d.starttls != nil || d.exception != nil ||
		d.connect != nil || d.closed != nil
}

// discover finds the hooks h implements.
func (d *Dispatcher) discover(h hooks.Handler) {
	d.helo, _ = h.(hooks.HELOHandler)
	d.ehlo, _ = h.(hooks.EHLOHandler)
	d.lhlo, _ = h.(hooks.LHLOHandler)
	d.mail, _ = h.(hooks.MAILHandler)
	d.rcpt, _ = h.(hooks.RCPTHandler)
	d.data, _ = h.(hooks.DATAHandler)
	d.lmtp, _ = h.(hooks.LMTPHandler)
	d.rset, _ = h.(hooks.RSETHandler)
	d.noop, _ = h.(hooks.NOOPHandler)
	d.quit, _ = h.(hooks.QUITHandler)
	d.vrfy, _ = h.(hooks.VRFYHandler)
	d.command, _ = h.(hooks.CommandHandler)
	d.proxy, _ = h.(hooks.PROXYHandler)
	d.connect, _ = h.(hooks.ConnectHandler)
	d.closed, _ = h.(hooks.CloseHandler)
	d.starttls, _ = h.(hooks.STARTTLSHandler)
	d.exception, _ = h.(hooks.ExceptionHandler)
}

// hookSet is the set of hooks the core must ask: those a handler answers,
// plus, when there is a handler at all, those that keep the Session up to
// date (the Envelope's sender and recipients come from the core's reports
// when their hooks are not asked). With no handler the core answers everything itself.
func (d *Dispatcher) hookSet(handler bool) fsm.HookSet {
	set := fsm.HookSet(1 << fsm.HookNone) // never 0, which means "all"
	add := func(ok bool, hs ...fsm.Hook) {
		for _, h := range hs {
			if ok {
				set = set.With(h)
			}
		}
	}
	keep := handler || d.auth != nil
	add(keep, fsm.HookHELO, fsm.HookEHLO, fsm.HookLHLO, fsm.HookRSET)
	// MAIL and RCPT are asked only of the hooks that decide them, and
	// MAIL also when AUTH= must be decoded and checked (mailauth.go):
	// otherwise the core answers them and reports what it accepted, which
	// Reported records (reported.go).
	add(keep && (d.mail != nil || len(d.mechs) > 0), fsm.HookMAIL)
	add(keep && d.rcpt != nil, fsm.HookRCPT)
	add(d.data != nil || d.lmtp != nil, fsm.HookDATA)
	add(d.noop != nil, fsm.HookNOOP)
	add(d.quit != nil, fsm.HookQUIT)
	add(d.vrfy != nil, fsm.HookVRFY)
	add(d.command != nil, fsm.HookCommand)
	add(len(d.mechs) > 0, fsm.HookAUTH, fsm.HookAUTHNext)
	add(true, fsm.HookXCLIENT, fsm.HookXFORWARD) // asked only of trusted peers
	return set
}

// Configure sets what cfg must agree on with the dispatcher: the hooks the
// core asks, the SASL mechanisms it offers and the custom commands it
// knows. Other fields are left alone.
func (d *Dispatcher) Configure(cfg *fsm.Config) {
	cfg.Hooks = d.hooks
	cfg.AuthMechanisms = d.names
	cfg.Commands = d.commands
}

// Hooks returns the set of hooks the core must ask.
func (d *Dispatcher) Hooks() fsm.HookSet { return d.hooks }

// Mechanisms returns the names of the SASL mechanisms offered, upper case.
// The slice belongs to the Dispatcher: do not change it.
func (d *Dispatcher) Mechanisms() []string { return d.names }
