package hooks

import (
	"context"
	"crypto/tls"
	"io"

	"github.com/gosmtpd/gosmtpd/fsm"
)

// Handler is any value: it handles the hooks whose interfaces it implements.
// A nil Handler accepts every command and discards every message.
type Handler any

// Command is a command an embedder adds to the protocol; HELP lists it with
// its syntax.
type Command = fsm.CustomCommand

// The hooks, each optional. Strings are copies: a hook may keep them. In
// each, s and e (and the slices in e) are valid during the call only: the
// server reuses them.
type (
	// HELOHandler decides HELO (aiosmtpd handle_HELO).
	HELOHandler interface {
		HandleHELO(ctx context.Context, s *Session, e *Envelope, hostname string) error
	}
	// EHLOHandler decides EHLO and may rewrite the capability lines (the
	// lines after the hostname, "SIZE 33554432", "PIPELINING", ...): it
	// returns the lines to send (aiosmtpd handle_EHLO).
	EHLOHandler interface {
		HandleEHLO(ctx context.Context, s *Session, e *Envelope, hostname string, caps []string) ([]string, error)
	}
	// LHLOHandler decides LHLO in LMTP, as EHLOHandler does EHLO. Without
	// it an EHLOHandler is asked.
	LHLOHandler interface {
		HandleLHLO(ctx context.Context, s *Session, e *Envelope, hostname string, caps []string) ([]string, error)
	}
	// MAILHandler decides MAIL FROM. address is the mailbox without angle
	// brackets, "" for the null reverse-path; options are the parameters
	// as sent ("SIZE=1000", "BODY=8BITMIME"). e is a fresh envelope.
	MAILHandler interface {
		HandleMAIL(ctx context.Context, s *Session, e *Envelope, address string, options []string) error
	}
	// RCPTHandler decides RCPT TO; e holds the recipients accepted so far.
	RCPTHandler interface {
		HandleRCPT(ctx context.Context, s *Session, e *Envelope, address string, options []string) error
	}
	// DATAHandler receives each message as a stream, dot-unstuffed, and
	// decides the reply after the final dot. It runs while the message
	// arrives: its reads pull the message from the client, as a net/http
	// handler reads a request's body. See the package documentation for
	// the errors the stream returns; returning before reading the stream
	// to its end refuses the message (the client never gets a 250 for a
	// message the handler did not receive whole). msg is valid during the
	// call only.
	DATAHandler interface {
		HandleDATA(ctx context.Context, s *Session, e *Envelope, msg io.Reader) error
	}
	// LMTPHandler is the DATA hook of an LMTP server that answers each
	// recipient (RFC 2033 §4.2): it returns one error per e.RcptTos, in
	// order (nil accepts). A missing answer counts as a failure. In LMTP
	// it is preferred to DATAHandler, whose single answer goes to every
	// recipient.
	LMTPHandler interface {
		HandleLMTPDATA(ctx context.Context, s *Session, e *Envelope, msg io.Reader) []error
	}
	// RSETHandler is told of RSET; the transaction is reset whatever it
	// returns.
	RSETHandler interface {
		HandleRSET(ctx context.Context, s *Session, e *Envelope) error
	}
	// NOOPHandler answers NOOP; arg is its optional argument.
	NOOPHandler interface {
		HandleNOOP(ctx context.Context, s *Session, e *Envelope, arg string) error
	}
	// QUITHandler answers QUIT; the connection closes after its reply.
	QUITHandler interface {
		HandleQUIT(ctx context.Context, s *Session, e *Envelope) error
	}
	// VRFYHandler answers VRFY (default: 252, RFC 5321 §3.5.3).
	VRFYHandler interface {
		HandleVRFY(ctx context.Context, s *Session, e *Envelope, address string) error
	}
	// CommandHandler adds commands: Commands is called once, when the
	// server starts; HandleCommand answers them (nil: 250 2.0.0 OK).
	CommandHandler interface {
		Commands() []Command
		HandleCommand(ctx context.Context, s *Session, e *Envelope, name, arg string) error
	}
	// ConnectHandler decides a new connection before the greeting (after
	// its PROXY header and an SMTPS handshake, if any): nil greets the
	// client. A Reply refuses it in lieu of the greeting: a 4xx (421 4.7.0
	// for a busy server) closes at once (RFC 5321 §3.8); a 5xx (554 5.7.1
	// for a blocked client) is RFC 5321 §3.1's refusal, after which only
	// QUIT is served. Another error, a panic or an overrun is 421 4.3.0.
	ConnectHandler interface {
		HandleConnect(ctx context.Context, s *Session) error
	}
	// CloseHandler is told that the session ended, and why: cause is nil
	// after QUIT, else what ended it (fsm.ErrTimeout, fsm.ErrPeerClosed,
	// fsm.ErrRefused, fsm.ErrShutdown, a TLS failure, ...). It runs once
	// the connection is closed, with a context that is not cancelled but
	// bounded by the handler timeout.
	CloseHandler interface {
		HandleClose(ctx context.Context, s *Session, cause error)
	}
	// PROXYHandler accepts (nil) or refuses (an error: the connection is
	// closed without a greeting) the PROXY protocol header, which is
	// already in s.Proxy and s.Peer.
	PROXYHandler interface {
		HandlePROXY(ctx context.Context, s *Session, info *ProxyInfo) error
	}
	// STARTTLSHandler accepts (nil) or refuses (an error: the connection is
	// closed) a finished TLS handshake, after STARTTLS or at the start of
	// an SMTPS connection; s.TLS is not yet set.
	STARTTLSHandler interface {
		HandleSTARTTLS(ctx context.Context, s *Session, state *tls.ConnectionState) error
	}
	// ExceptionHandler chooses the reply when another hook fails (returns
	// an error that is not a Reply), overruns its time (ErrHandlerTimeout)
	// or panics (*PanicError) (aiosmtpd handle_exception). A zero Reply
	// keeps the default. After a panic the connection is closed whatever
	// the reply.
	ExceptionHandler interface {
		HandleException(ctx context.Context, s *Session, err error) Reply
	}
)
