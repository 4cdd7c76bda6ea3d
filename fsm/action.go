package fsm

import (
	"errors"

	"github.com/gosmtpd/gosmtpd/codec"
)

// ActionKind says what the driver must do next.
type ActionKind uint8

const (
	// ActNeedData: flush the outbound replies, then read more input (within
	// Timeout) and pass it to Filled or Receive, or call ReceiveEOF/TimedOut.
	ActNeedData ActionKind = iota
	// ActAsk: a hook must decide. Answer with Resolve before calling Next.
	ActAsk
	// ActBody: Data is the next chunk of the message body (dot-unstuffed).
	// When Err is set instead, the message is abandoned (too big, a line too
	// long, a bare line ending under the reject policy): the driver fails the
	// handler's stream with Err. The core answers the client by itself.
	ActBody
	// ActStartTLS: flush the outbound replies (the 220), run the TLS
	// handshake on the connection, then call TLSEstablished or TLSFailed.
	ActStartTLS
	// ActClose: flush the outbound replies and close the connection. Err is
	// nil after QUIT, else the cause (ErrTimeout, ErrTooManyErrors, ...).
	// Next keeps returning ActClose.
	ActClose
)

var actionNames = [...]string{"NeedData", "Ask", "Body", "StartTLS", "Close"}

func (k ActionKind) String() string { return actionNames[k] }

// Action is one step the core asks of the driver. It is a flat value: no
// interface boxing, no allocation.
//
// Data and the slices inside Ask point into the core's input buffer: they are
// valid until the next call of any method of Conn (for ActAsk: until Resolve).
type Action struct {
	Kind ActionKind
	Ask  Ask    // for ActAsk
	Data []byte // for ActBody
	Err  error  // for ActBody (message abandoned) and ActClose
}

// Hook names the decision the core asks for. Each maps to a handler hook.
type Hook uint8

const (
	HookNone Hook = iota
	HookHELO
	HookEHLO // Default.More holds the capability lines; a handler may rewrite them
	HookLHLO
	HookMAIL // Path, Params
	HookRCPT // Path, Params, Rcpt (index among RCPT commands of this transaction)
	HookDATA // end of message; in LMTP once per accepted recipient, Rcpt says which
	HookRSET
	HookNOOP // Arg
	HookQUIT
	HookVRFY     // Arg
	HookAUTH     // Arg: mechanism as sent; Data: initial response (nil: none)
	HookAUTHNext // Data: the client's decoded response to the last challenge
	HookCommand  // a registered custom command; Arg: its argument, Verb: its name
	HookXCLIENT  // Arg: the attributes, checked (see xclient.go); a positive reply starts the session over
	HookXFORWARD // Arg: the attributes, checked; for the next transaction
	NumHooks
)

var hookNames = [...]string{"None", "HELO", "EHLO", "LHLO", "MAIL", "RCPT", "DATA",
	"RSET", "NOOP", "QUIT", "VRFY", "AUTH", "AUTHNext", "Command", "XCLIENT", "XFORWARD"}

func (h Hook) String() string { return hookNames[h] }

// HookSet is a set of hooks, as a bit mask.
type HookSet uint32

// AllHooks asks every hook.
const AllHooks HookSet = 1<<NumHooks - 1

// Has reports whether h is in s.
func (s HookSet) Has(h Hook) bool { return s&(1<<h) != 0 }

// With returns s with h added.
func (s HookSet) With(h Hook) HookSet { return s | 1<<h }

// Ask is a decision the core needs from a hook. Default is the reply the core
// sends when the hook has no opinion (aiosmtpd's MISSING).
type Ask struct {
	Hook    Hook
	Verb    []byte        // HookCommand: the command name as sent
	Arg     []byte        // the command argument (HELO name, NOOP/VRFY argument, AUTH mechanism)
	Data    []byte        // AUTH: decoded initial response or challenge response
	Path    codec.Path    // MAIL, RCPT
	Params  *codec.Params // MAIL, RCPT: valid until Resolve
	Rcpt    int           // RCPT: index of this RCPT; LMTP DATA: index among accepted recipients
	Default codec.Reply
}

// Decision is a hook's answer. The zero Decision accepts the Default reply.
type Decision struct {
	Reply codec.Reply // zero: use Ask.Default
	Close bool        // close the connection after the reply
	// Challenge, for AUTH: send it as a 334 challenge (base64-encoded by the
	// core) and ask HookAUTHNext with the client's answer. Non-nil means a
	// challenge, even when empty.
	Challenge []byte
}

// TLSInfo tells the core about a finished TLS handshake.
type TLSInfo struct{}

// Connection-fatal causes, carried by ActClose.Err. Peer mistakes that the
// session survives are replies, never errors.
var (
	ErrTimeout       = errors.New("smtp: timeout")
	ErrTooManyErrors = errors.New("smtp: too many errors")
	ErrCallLimit     = errors.New("smtp: command call limit exceeded")
	ErrTLSFailed     = errors.New("smtp: TLS handshake failed")
	ErrAuthFailures  = errors.New("smtp: too many failed authentications")
	ErrCrossProtocol = errors.New("smtp: not an SMTP client (HTTP request)")
	ErrPeerClosed    = errors.New("smtp: connection closed by peer")
	ErrHookClosed    = errors.New("smtp: closed by handler")
	ErrShutdown      = errors.New("smtp: server shutting down")
	ErrBareLF        = errors.New("smtp: command line ended by a bare LF (Config.BareLF = LineClose)")
)

// Causes of an abandoned message, carried by ActBody.Err.
var (
	ErrMessageTooBig = errors.New("smtp: message exceeds the size limit")
	ErrLineTooLong   = errors.New("smtp: text line too long")
	ErrBareLineEnd   = errors.New("smtp: bare CR or LF in message")
)
