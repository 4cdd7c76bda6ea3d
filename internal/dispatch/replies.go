package dispatch

import (
	"errors"
	"strings"

	"github.com/gosmtpd/gosmtpd/hooks"
)

var (
	replyAuthOK     = hooks.Reply{Code: 235, Enhanced: "2.7.0", Text: "Authentication successful"}
	replyAuthTemp   = hooks.Reply{Code: 454, Enhanced: "4.7.0", Text: "Temporary authentication failure"}
	replyNoExchange = hooks.Reply{Code: 501, Enhanced: "5.5.2", Text: "Error: malformed authentication response"}
	replyNoMech     = hooks.Reply{Code: 504, Enhanced: "5.5.4", Text: "Error: unrecognized authentication type"}
)

// findMechanism returns the mechanism called name, in any case.
func findMechanism(mechs []hooks.Mechanism, name string) hooks.Mechanism {
	for _, m := range mechs {
		if strings.EqualFold(m.Name(), name) {
			return m
		}
	}
	return nil
}

// replyOf splits what a hook returned into the reply it chose (zero: the
// default) or a failure.
func replyOf(err error) (hooks.Reply, error) {
	if err == nil {
		return hooks.Reply{}, nil
	}
	var rep hooks.Reply
	if errors.As(err, &rep) {
		return rep, nil
	}
	var prep *hooks.Reply
	if errors.As(err, &prep) && prep != nil {
		return *prep, nil
	}
	return hooks.Reply{}, err
}

// failureReply is the reply for a failed hook when no ExceptionHandler
// chooses one, and whether the session must end. A session stopped while
// a hook ran is ended by the driver, which asks the core for its last
// words; the reply here is never positive, should it be applied.
func failureReply(hostname string, err error) (hooks.Reply, bool) {
	var p *hooks.PanicError
	switch {
	case errors.As(err, &p):
		return hooks.Reply{Code: 421, Enhanced: "4.3.0", Text: hostname + " Error: internal server error, closing connection"}, true
	case errors.Is(err, hooks.ErrStopped):
		return hooks.ErrTemporaryFailure, true
	}
	return hooks.ErrTemporaryFailure, false
}
