package gosmtpd

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/observe"
	"github.com/gosmtpd/gosmtpd/transport"
)

// ErrServerClosed is returned by Serve and the ListenAndServe methods after
// Shutdown or Close.
var ErrServerClosed = errors.New("gosmtpd: server closed")

// Reply is an SMTP reply; a hook returns one to choose its reply.
type Reply = hooks.Reply

// Server is an SMTP or LMTP server, in the style of net/http.Server. The
// zero value serves on ":25", accepts every message and discards it. Set
// the fields before the first Serve; they must not change afterwards.
type Server struct {
	Addr     string        // "host:port" for ListenAndServe; default ":25" ("localhost" binds IPv4 and IPv6)
	Handler  hooks.Handler // the hooks; nil: accept and discard
	Hostname string        // in the greeting and replies; default os.Hostname()
	Ident    string        // greeting text after the hostname; default "gosmtpd"
	LMTP     bool          // speak LMTP (RFC 2033) instead of SMTP

	// TLSConfig enables STARTTLS; ServeTLS and ListenAndServeTLS serve
	// implicit TLS with it.
	TLSConfig  *tls.Config
	RequireTLS bool // refuse mail commands before STARTTLS (530 5.7.0)

	// Authenticator decides AUTH; nil: the Handler's Authenticate method,
	// if any. AuthMechanisms are offered (nil: PLAIN and LOGIN), but those
	// named in AuthExclude (aiosmtpd's auth_exclude_mechanism).
	Authenticator   hooks.Authenticator
	AuthMechanisms  []hooks.Mechanism
	AuthExclude     []string
	AuthRequired    bool // refuse mail commands before AUTH (530 5.7.0)
	AuthCleartext   bool // offer AUTH before TLS (by default only under TLS)
	MaxAuthFailures int  // failed AUTH attempts before 421 and close; 0: 3; <0: unlimited
	// AuthFailureDelay is how long a client's next AUTH check waits after
	// a refusal of its credentials (535), doubled for each further
	// refusal up to 5 seconds, and its checks are spaced by that delay, so that
	// one address gets about ten password guesses in 20 seconds however
	// many sessions it opens (Dovecot's auth_failure_delay, made to grow).
	// Clients are grouped as for MaxConnectionsPerClient; the count is
	// forgotten 10 minutes after the last refusal. Every refusal is logged
	// at Warn (see AuthFailureMessage). 0: 200 ms; <0: no delay.
	AuthFailureDelay time.Duration

	MaxMessageSize int64 // 0: 32 MiB; <0: unlimited
	MaxRecipients  int   // per message; 0: 1000
	SMTPUTF8       bool  // offer SMTPUTF8 (RFC 6531)
	BinaryMIME     bool  // offer BINARYMIME (RFC 3030): binary messages, sent with BDAT
	// Enable offers the extensions that are off by default: fsm.ExtDSN
	// (offering it promises to send delivery status notifications),
	// fsm.ExtRequireTLS, fsm.ExtLimits, fsm.ExtRRVS, fsm.ExtDeliverBy and
	// fsm.ExtMTPriority, or'ed together. Their parameters reach the hooks
	// as sent and typed (Envelope.MailParams, Envelope.RcptParams).
	Enable fsm.Extension
	// Extensions are the embedder's own ESMTP extensions: an EHLO line
	// and the MAIL and RCPT parameters it brings, accepted after their
	// syntax check and handed to the hooks with the others.
	Extensions []fsm.ESMTPExtension
	// MaxConnections bounds the sessions served at once; the excess gets
	// "421 4.3.2" and is closed. 0: derived from the process's descriptor
	// limit (RLIMIT_NOFILE), half of what is left after 64 kept in
	// reserve, so that accept never runs out of descriptors (10,208 for a
	// limit of 20,480); <0: no limit. Near the cap (three quarters of it)
	// the server is under stress, as Postfix says: new sessions get 10
	// second timeouts and end at their first error.
	MaxConnections int
	// MaxConnectionsPerClient bounds the sessions of one client at once
	// (Postfix's smtpd_client_connection_count_limit); the excess gets
	// "421 4.7.0" and is closed. 0: 50; <0: no limit. A client is an IPv4
	// address, or an IPv6 prefix of ClientIPv6Prefix bits; behind a
	// trusted PROXY protocol peer, the address in its header. Peers
	// without an IP address (a Unix socket's) are not counted.
	MaxConnectionsPerClient int
	// ClientIPv6Prefix is how many leading bits of an IPv6 address name
	// one client, for the per-client limits (Postfix's
	// smtpd_client_ipv6_prefix_length). 0: 64.
	ClientIPv6Prefix int
	// MinDataRate, in bytes per second, tightens DataTimeout: a message
	// body (DATA, or BDAT's chunks) must arrive within DataTimeout plus
	// one second per MinDataRate bytes, so a client trickling a message
	// cannot hold a session for hours (Postfix's smtpd_min_data_rate).
	// 0: 500; <0: no minimum.
	MinDataRate int

	Timeout             time.Duration // waiting for a command; 0: 5 minutes
	DataTimeout         time.Duration // waiting for each block of a message; 0: Timeout, at most 3 minutes
	HandlerTimeout      time.Duration // per hook call; 0: 5 minutes; <0: no limit
	WriteTimeout        time.Duration // per write; 0: 1 minute
	TLSHandshakeTimeout time.Duration // 0: 30 seconds

	// Proxy expects a PROXY protocol header from trusted peers.
	Proxy *transport.ProxyOptions
	// XClientNetworks and XForwardNetworks are the clients trusted with
	// Postfix's XCLIENT and XFORWARD (a proxy in front, a content filter):
	// XCLIENT starts the session over as the client it names (Peer, AUTH
	// identity; Session.XClient), XFORWARD's attributes reach the next
	// transaction's hooks (Envelope.XForward). Others get 550 5.7.0; with
	// none, the commands are unknown.
	XClientNetworks, XForwardNetworks []netip.Prefix
	// Core, when set, is the starting point of every session's protocol
	// configuration (limits, extensions, policies); the fields above
	// override it where they are set.
	Core   *fsm.Config
	Logger *slog.Logger // nil: slog.Default(); at Debug every command and reply is logged (AUTH secrets as ***)
	// Observer, when set, is told of every connection, session,
	// transaction, TLS handshake, AUTH verdict and hook call (package
	// observe): observe.Log writes a line per message, the prometheus
	// module counts them.
	Observer observe.Observer

	mu        sync.Mutex
	started   bool
	closed    bool
	listeners map[net.Listener]struct{}
	sessions  sync.WaitGroup
	graceful  context.Context // cancelled by Shutdown: sessions end at the next command boundary
	stopAll   context.CancelFunc
	hard      context.Context // cancelled by Close, or Shutdown past its deadline
	stopHard  context.CancelFunc
	slots     *connSlots
	perClient *clientSlots
	opts      *transport.Options
	srv       *transport.Server // opts compiled
	stressed  *transport.Server // opts under stress (see MaxConnections), compiled
	logs      serverLogs
	// onShutdown are called when Shutdown or Close begins.
	onShutdown []func()
}

// init prepares the server on first use; false once it is closed.
func (s *Server) init() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.started {
		return true
	}
	s.started = true
	s.listeners = map[net.Listener]struct{}{}
	s.graceful, s.stopAll = context.WithCancel(context.Background())
	s.hard, s.stopHard = context.WithCancel(context.Background())
	s.slots = newConnSlots(s.maxConnections())
	s.perClient = newClientSlots(orLimit(s.MaxConnectionsPerClient, defaultMaxConnectionsPerClient), s.grouping())
	s.opts = s.options()
	s.srv = transport.NewServer(s.opts)
	s.stressed = transport.NewServer(stressOptions(s.opts))
	s.logs = newServerLogs()
	return true
}

// options builds the sessions' options from the fields.
func (s *Server) options() *transport.Options {
	core := s.coreConfig()
	return &transport.Options{Core: core, Handler: s.Handler, Authenticator: s.authenticator(),
		Mechanisms: s.authMechanisms(), TLSConfig: s.TLSConfig, Logger: s.logger(),
		HandlerTimeout: s.HandlerTimeout, WriteTimeout: s.WriteTimeout,
		TLSHandshakeTimeout: s.TLSHandshakeTimeout, MinDataRate: orLimit(s.MinDataRate, defaultMinDataRate),
		Proxy: s.Proxy, AdmitProxied: s.admitProxied, BaseContext: s.hard, Observer: s.Observer,
		XClientNetworks: s.XClientNetworks, XForwardNetworks: s.XForwardNetworks}
}

// coreConfig is Core with the fields of s applied.
func (s *Server) coreConfig() fsm.Config {
	var c fsm.Config
	if s.Core != nil {
		c = *s.Core
	}
	c.Hostname = s.hostname()
	setIf(&c.Ident, s.Ident)
	setIf(&c.MaxMessageSize, s.MaxMessageSize)
	setIf(&c.MaxRecipients, s.MaxRecipients)
	setIf(&c.CommandTimeout, s.Timeout)
	setIf(&c.DataTimeout, s.DataTimeout)
	c.LMTP = c.LMTP || s.LMTP
	c.SMTPUTF8 = c.SMTPUTF8 || s.SMTPUTF8
	c.BinaryMIME = c.BinaryMIME || s.BinaryMIME
	c.Enable |= s.Enable
	c.Extensions = append(c.Extensions[:len(c.Extensions):len(c.Extensions)], s.Extensions...)
	c.RequireTLS = c.RequireTLS || s.RequireTLS
	c.AuthRequired = c.AuthRequired || s.AuthRequired
	c.AuthCleartext = c.AuthCleartext || s.AuthCleartext
	setIf(&c.MaxAuthFailures, s.MaxAuthFailures)
	return c
}

// authMechanisms are the mechanisms offered: AuthMechanisms without those
// AuthExclude names.
func (s *Server) authMechanisms() []hooks.Mechanism {
	if len(s.AuthExclude) == 0 {
		return s.AuthMechanisms
	}
	mechs := s.AuthMechanisms
	if mechs == nil {
		mechs = hooks.DefaultMechanisms()
	}
	return hooks.Without(mechs, s.AuthExclude...)
}

func setIf[T comparable](dst *T, v T) {
	var zero T
	if v != zero {
		*dst = v
	}
}

func (s *Server) hostname() string {
	if s.Hostname != "" {
		return s.Hostname
	}
	if s.Core != nil && s.Core.Hostname != "" {
		return s.Core.Hostname
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return fsm.DefaultHostname
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
