package observe

import (
	"errors"

	"github.com/gosmtpd/gosmtpd/fsm"
)

// The reasons a session ends, as SessionEnded reports them: short, fixed
// names, fit for a metric's label.
const (
	ReasonQuit          = "quit"            // the client sent QUIT
	ReasonPeerClosed    = "peer_closed"     // the client went away without QUIT
	ReasonTimeout       = "timeout"         // the client was too slow (421 4.4.2)
	ReasonTooManyErrors = "too_many_errors" // the error limit (421)
	ReasonCallLimit     = "call_limit"      // a command sent too many times (421)
	ReasonAuthFailures  = "auth_failures"   // too many failed AUTH attempts (421)
	ReasonCrossProtocol = "cross_protocol"  // an HTTP request, not an SMTP client
	ReasonTLSFailed     = "tls_failed"      // a TLS handshake failed, or its hook refused it
	ReasonProxy         = "proxy"           // the PROXY header was missing, malformed or refused
	ReasonHandlerClosed = "handler_closed"  // a hook ended the session (421)
	ReasonShutdown      = "shutdown"        // the server is stopping (421 4.3.2)
	ReasonOther         = "other"           // a failure reading or writing the connection
)

var reasons = []struct {
	err    error
	reason string
}{
	{fsm.ErrPeerClosed, ReasonPeerClosed},
	{fsm.ErrTimeout, ReasonTimeout},
	{fsm.ErrTooManyErrors, ReasonTooManyErrors},
	{fsm.ErrCallLimit, ReasonCallLimit},
	{fsm.ErrAuthFailures, ReasonAuthFailures},
	{fsm.ErrCrossProtocol, ReasonCrossProtocol},
	{fsm.ErrTLSFailed, ReasonTLSFailed},
	{fsm.ErrHookClosed, ReasonHandlerClosed},
	{fsm.ErrShutdown, ReasonShutdown},
}

// Reason names the cause of a session's end, one of the fsm package's
// sentinels (nil after QUIT); ReasonOther for any other error.
func Reason(cause error) string {
	if cause == nil {
		return ReasonQuit
	}
	for _, r := range reasons {
		if errors.Is(cause, r.err) {
			return r.reason
		}
	}
	return ReasonOther
}
