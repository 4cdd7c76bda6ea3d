package observe

import (
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
)

// Kind says what an Event reports, and so which of its fields are set.
type Kind uint8

const (
	// ConnectionRefused: a connection was turned away before its session,
	// because Limit was reached. Client.
	ConnectionRefused Kind = iota + 1
	// SessionStarted: a connection is being served. Session, Client.
	SessionStarted
	// SessionEnded: the session is over. Reason, Cause, Duration.
	SessionEnded
	// TLSHandshake: a TLS handshake ended, STARTTLS or implicit TLS (SMTPS).
	// Cause is nil when it succeeded; TLSVersion, Implicit.
	TLSHandshake
	// ProxyFailed: a trusted peer's PROXY protocol header was missing,
	// malformed or refused; the session ends without a greeting. Cause.
	ProxyFailed
	// Auth: an AUTH exchange got its verdict (235, or a refusal) from the
	// mechanism. Mechanism, Reply.
	Auth
	// Mail: a MAIL command was answered. Sender, Reply.
	Mail
	// Recipient: a RCPT command was answered. Sender, Recipient, Reply.
	Recipient
	// Message: a message got its final reply; in LMTP, one per accepted
	// recipient (Rcpt, Recipient). Sender, Recipients, Size, Reply,
	// Duration, Abandoned.
	Message
	// HookDone: a handler's hook answered the core. Hook, Duration.
	HookDone
)

var kindNames = [...]string{"", "ConnectionRefused", "SessionStarted", "SessionEnded", "TLSHandshake",
	"ProxyFailed", "Auth", "Mail", "Recipient", "Message", "HookDone"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(?)"
}

// Event is one thing that happened. It is a flat value, so that reporting
// one allocates nothing; Kind says which fields are set. The byte slices
// are valid only during Observe.
type Event struct {
	Kind    Kind
	Session string // the session's ID, as in the server's logs ("" before a session)
	Client  string // the client's address, "ip:port" (under PROXY, the original client's)

	Limit  string      // ConnectionRefused: "max_connections" or "max_connections_per_client"
	Reason string      // SessionEnded: why, as a short name (see Reasons)
	Cause  error       // SessionEnded: nil after QUIT; TLSHandshake, ProxyFailed: the failure
	Hook   fsm.Hook    // HookDone
	Reply  codec.Reply // Auth, Mail, Recipient, Message: the reply sent
	// Duration is, for SessionEnded, the session's; for Message, the time
	// from the accepted MAIL to the final reply; for HookDone, the call's.
	Duration time.Duration

	TLSVersion uint16 // TLSHandshake: the version agreed (crypto/tls's Version constants), 0 when it failed
	Implicit   bool   // TLSHandshake: implicit TLS (SMTPS) rather than STARTTLS

	Mechanism  string // Auth: the SASL mechanism, upper case
	Sender     []byte // Mail, Recipient, Message: the reverse path's mailbox; empty for <>
	Recipient  []byte // Recipient: the forward path's mailbox; Message in LMTP: the recipient the reply is for
	Recipients int    // Message: the recipients accepted
	Size       int64  // Message: body octets received
	Rcpt       int    // Message in LMTP: which accepted recipient the reply is for (0 for the first)
	// Abandoned, for Message, says why the server refused the message by
	// itself (fsm.ErrMessageTooBig, fsm.ErrLineTooLong, ...) or the error
	// the handler's stream failed with; nil when the DATA hook answered.
	Abandoned error
}

// Observer receives a server's events. See the package documentation for
// when Observe is called and what it may do.
type Observer interface {
	Observe(e *Event)
}

// Func is a function used as an Observer.
type Func func(e *Event)

// Observe calls f(e).
func (f Func) Observe(e *Event) { f(e) }

// Multi returns an Observer that passes each event to every one of obs, in
// order; nil ones are left out, and none at all gives nil.
func Multi(obs ...Observer) Observer {
	var m multi
	for _, o := range obs {
		if o != nil {
			m = append(m, o)
		}
	}
	switch len(m) {
	case 0:
		return nil
	case 1:
		return m[0]
	}
	return m
}

type multi []Observer

func (m multi) Observe(e *Event) {
	for _, o := range m {
		o.Observe(e)
	}
}
