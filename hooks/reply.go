package hooks

import (
	"errors"
	"fmt"

	"github.com/gosmtpd/gosmtpd/codec"
)

// Reply is an SMTP reply. Return one from a hook to choose the reply: it
// implements error. Its text is sent as is (CR and LF become spaces, so a
// handler can never inject a second reply); More adds lines.
type Reply = codec.Reply

// Replies a handler may return; each is an error.
var (
	// ErrBadCredentials refuses an authentication (RFC 4954 §6).
	ErrBadCredentials = Reply{Code: 535, Enhanced: "5.7.8", Text: "Authentication credentials invalid"}
	// ErrTemporaryFailure refuses with a temporary local error: the client
	// retries later.
	ErrTemporaryFailure = Reply{Code: 451, Enhanced: "4.3.0", Text: "Requested action aborted: local error in processing"}
)

// ErrHandlerTimeout is the failure passed to HandleException when a hook
// overran the handler timeout; its context was cancelled.
var ErrHandlerTimeout = errors.New("hooks: handler timed out")

// ErrStopped is the failure passed to HandleException when the session ended
// (the server was stopped, the client went) while a hook was running.
var ErrStopped = errors.New("hooks: session ended while a handler was running")

// PanicError is the failure passed to HandleException when a hook panicked.
type PanicError struct {
	Hook  string // the hook's name: "MAIL", "DATA", ...
	Value any    // the value passed to panic
	Stack []byte // the panicking goroutine's stack
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic in %s hook: %v", e.Hook, e.Value) }
