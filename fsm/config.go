package fsm

import (
	"time"
)

// BarePolicy says what a DATA body with a bare CR or bare LF gets.
type BarePolicy uint8

const (
	// BareKeep delivers the message with the bare CR or LF kept as data (as
	// aiosmtpd and most servers do). Only CRLF.CRLF ends the data either way.
	BareKeep BarePolicy = iota
	// BareReject refuses such a message with 550 5.5.2 and delivers nothing
	// (Postfix's smtpd_forbid_bare_newline = reject).
	BareReject
)

// LinePolicy says what a command line ended by a bare LF (with no CR before
// it) gets. Whatever it says, a bare LF never ends a message: only CRLF.CRLF
// ends DATA (SMTP smuggling, CVE-2023-51764), and BareEOL says what a bare
// LF inside the message gets.
type LinePolicy uint8

const (
	// LineNormalize takes the line as if it ended in CRLF, as Postfix 3.9
	// (smtpd_forbid_bare_newline = normalize, its default), aiosmtpd and Go's
	// textproto do: a person typing into nc without -C gets answers.
	LineNormalize LinePolicy = iota
	// LineRefuse answers the line 500 5.5.2 at once without acting on it; the
	// session goes on.
	LineRefuse
	// LineClose answers 521 5.5.2 and closes the session, as Postfix 3.8's
	// smtpd_forbid_bare_newline = yes did.
	LineClose
)

// Extension is an optional SMTP service extension: the ones on by default
// for Config.Disable, the ones off by default (ExtDSN, ...) for
// Config.Enable.
type Extension uint16

const (
	ExtPipelining Extension = 1 << iota
	Ext8BitMIME
	ExtEnhancedStatusCodes
	ExtChunking
	ExtHelp
	ExtSize
)

// CustomCommand is a command an embedder adds; it is offered to the
// HookCommand hook and listed by HELP.
type CustomCommand struct {
	Name   string // upper case
	Syntax string // shown by "HELP NAME", e.g. "XCLIENT attr=value ..."
}

// BufferPool lends input buffers to the sessions of a server: a session
// lends its buffer back while it waits for its client with nothing
// pending, and borrows one when input arrives, so that idle sessions, most
// of a busy server's at any instant, hold none. It is used from the
// sessions' goroutines at once.
type BufferPool interface {
	// Get returns a buffer of len size, or nil (the core makes one).
	Get(size int) []byte
	// Put takes back a buffer Get returned, or one the core made.
	Put(b []byte)
}

// DefaultHostname is the name a server gives itself when none is
// configured.
const DefaultHostname = "localhost"

// Config is the configuration of a session. The zero value is usable: zero
// fields take the defaults documented on them. A Config must not change while
// Conns use it.
type Config struct {
	Hostname string // in the greeting and replies; default DefaultHostname
	Ident    string // greeting text after the hostname; default "gosmtpd"
	LMTP     bool   // speak LMTP (RFC 2033): LHLO, one reply per recipient

	MaxMessageSize  int64          // SIZE; 0: 32 MiB (aiosmtpd's default); <0: unlimited
	MaxLineLength   int            // command line, without CRLF; 0: 512 (RFC 5321 §4.5.3.1.4)
	MaxTextLine     int            // DATA text line, without CRLF; 0: 998+2 (aiosmtpd: 1001 with LF); <0: unlimited
	MaxRecipients   int            // per transaction; 0: 1000
	MaxErrors       int            // error replies before 421 and close; 0: 20; <0: unlimited
	MaxUnknown      int            // unrecognised commands before 421 and close; 0: 5 (aiosmtpd's limit); <0: unlimited
	MaxJunk         int            // NOOP, RSET, VRFY and HELP between messages before each counts towards MaxErrors; 0: 100 (Postfix's smtpd_junk_command_limit); <0: unlimited
	MaxOvershoot    int            // RCPTs refused past MaxRecipients in a transaction before each counts towards MaxErrors; 0: 1000 (Postfix's smtpd_recipient_overshoot_limit); <0: unlimited
	MaxAuthFailures int            // failed AUTH attempts before 421 and close; 0: 3; <0: unlimited
	MaxAuthLine     int            // AUTH lines (RFC 4954 §4); 0: 12288
	ReadBufferSize  int            // bytes per read; 0: 8192
	CallLimit       int            // times each command may be sent per session; 0: unlimited (aiosmtpd command_call_limit)
	CallLimits      map[string]int // per command name (upper case), overriding CallLimit; "*" for others
	CommandTimeout  time.Duration  // waiting for a command; 0: 5 minutes (RFC 5321 §4.5.3.2.7)
	DataTimeout     time.Duration  // waiting for each body block; 0: CommandTimeout, at most 3 minutes (RFC 5321 §4.5.3.2.5)

	SMTPUTF8   bool      // offer SMTPUTF8 (RFC 6531); off by default, as aiosmtpd
	BinaryMIME bool      // offer BINARYMIME (RFC 3030; needs CHUNKING)
	Disable    Extension // extensions not to offer; all others are on
	Enable     Extension // extensions off by default to offer: ExtDSN, ExtRequireTLS, ExtLimits, ...
	// Extensions are an embedder's own ESMTP extensions: offered after EHLO
	// with the core's, their MAIL and RCPT parameters accepted after a
	// syntax check and handed to the hooks.
	Extensions []ESMTPExtension
	BareEOL    BarePolicy
	BareLF     LinePolicy // a command line ended by a bare LF; default LineNormalize

	// StrictPaths refuses a MAIL FROM or RCPT TO address without its angle
	// brackets (501), as RFC 5321 §4.1.2's grammar and Postfix's
	// strict_rfc821_envelopes = yes do. Off (the default), "MAIL
	// FROM:alice@example.org" is taken as <alice@example.org>, as aiosmtpd
	// and Postfix's default take it.
	StrictPaths bool

	TLSAvailable bool // STARTTLS can be offered (the driver has a TLS config)
	TLSActive    bool // the connection is already TLS (SMTPS)
	RequireTLS   bool // 530 for everything but EHLO, NOOP, QUIT, STARTTLS before TLS

	AuthMechanisms []string // offered SASL mechanisms, upper case; none: no AUTH
	AuthCleartext  bool     // offer AUTH without TLS (off: 538 before TLS)
	AuthRequired   bool     // 530 for mail commands before AUTH succeeds

	// XClient and XForward say whether this session's peer may use
	// Postfix's XCLIENT and XFORWARD (see TrustGranted); the driver sets
	// them per connection from the networks it trusts.
	XClient, XForward Trust

	Commands []CustomCommand
	Hooks    HookSet // hooks to ask; others take the default reply without an ActAsk. 0: AllHooks

	// Trace, when set, sees each command line the core acts on, without its
	// CRLF, for a debug log: message text is not shown, and AUTH's secrets
	// (an initial response, the answers to 334 challenges) are replaced by
	// "***". line is valid only during the call.
	Trace func(line []byte)

	// Report, when set, is told of each outcome that logs and metrics
	// count: MAIL and RCPT answered, a message's final reply, an AUTH
	// verdict (see EventKind). A layer that keeps the envelope records a
	// sender or recipient from it when the core answered MAIL or RCPT by
	// itself (the hook not in Hooks), which costs no question. It is called after the reply is queued; the
	// Event and its slices are valid only during the call. The core does
	// not depend on what Report does, but it runs on the driver's
	// goroutine, inside the core's step: it must be quick and must not
	// call the Conn.
	Report func(e *Event)

	// Buffers, when set, lends the sessions their input buffers (see
	// BufferPool); nil: each session keeps its own.
	Buffers BufferPool
}
