package transport

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/dispatch"
	"github.com/gosmtpd/gosmtpd/observe"
)

// Options configure ServeConn. They are shared by the sessions of a server
// and must not change while sessions use them.
type Options struct {
	// Core is the protocol configuration. Its Hooks, AuthMechanisms and
	// Commands follow from the handler, TLSAvailable from TLSConfig,
	// TLSActive from the connection.
	Core fsm.Config
	// Handler handles the hooks it implements (see package hooks); nil
	// accepts every command and discards every message.
	Handler hooks.Handler
	// Authenticator decides AUTH; nil: the Handler's own Authenticate
	// method, if it has one. Without either, AUTH is not offered.
	Authenticator hooks.Authenticator
	// Mechanisms are the SASL mechanisms offered, in order; nil: PLAIN and
	// LOGIN.
	Mechanisms []hooks.Mechanism
	// TLSConfig enables STARTTLS; it also serves implicit TLS connections
	// that bring no configuration of their own.
	TLSConfig *tls.Config
	Logger    *slog.Logger // nil: slog.Default(); at Debug every command and reply is logged (AUTH secrets as ***)

	HandlerTimeout      time.Duration // per hook call; 0: 5 minutes; <0: no limit
	WriteTimeout        time.Duration // per write; 0: 1 minute
	TLSHandshakeTimeout time.Duration // 0: 30 seconds
	// MinDataRate, in bytes per second, tightens the data timeout: a
	// message body must arrive within the data timeout plus one second per
	// MinDataRate bytes (Postfix's smtpd_min_data_rate). 0: no minimum.
	MinDataRate int

	// Proxy, when set, expects a PROXY protocol header from trusted peers.
	Proxy *ProxyOptions
	// AdmitProxied, when set, is asked about the client each PROXY header
	// names before its session is greeted (limits per client).
	AdmitProxied AdmitFunc

	// XClientNetworks and XForwardNetworks are the clients trusted with
	// Postfix's XCLIENT and XFORWARD (a proxy, a content filter): they are
	// offered those commands, others get 550 5.7.0. None: the commands
	// are unknown. The client is the session's Peer, the original
	// client's address under the PROXY protocol, as Postfix's
	// authorized_xclient_hosts sees it.
	XClientNetworks, XForwardNetworks []netip.Prefix

	// Observer, when set, is told of the sessions' events (see package
	// observe): for logs and metrics.
	Observer observe.Observer

	// BaseContext is the parent of every session's context. Cancelling it
	// ends the sessions at once (421 4.3.2); nil: context.Background().
	BaseContext context.Context
}

// ProxyOptions turn on the PROXY protocol (HAProxy's, v1 and v2): a trusted
// peer, a load balancer, must start each connection with a header naming
// the original client, before the greeting.
type ProxyOptions struct {
	// Trusted reports whether a peer is a proxy; nil trusts every peer.
	// Other peers are served as they are, under their own address; a
	// header they send is an unknown command.
	Trusted func(peer net.Addr) bool
	// Timeout bounds the wait for the header; 0: 5 seconds. A trusted
	// peer that sends no valid header in time is disconnected without a
	// greeting.
	Timeout time.Duration
}

const (
	// defaultHandlerTimeout: RFC 5321 §4.5.3.2.6 lets a client wait 10
	// minutes for the reply to the final dot; a hook still busy after 5 is
	// stuck.
	defaultHandlerTimeout   = 5 * time.Minute
	defaultWriteTimeout     = time.Minute
	defaultHandshakeTimeout = 30 * time.Second
	defaultProxyTimeout     = 5 * time.Second
	// abortWriteTimeout bounds the last write of a session ended at once.
	abortWriteTimeout = time.Second
)

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// handlerTimeout is the time limit of a hook call; 0 for none.
func (o *Options) handlerTimeout() time.Duration {
	if o.HandlerTimeout < 0 {
		return 0
	}
	return orDefault(o.HandlerTimeout, defaultHandlerTimeout)
}

func (o *Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

// enhanced reports whether replies carry enhanced status codes.
func (o *Options) enhanced() bool { return o.Core.Disable&fsm.ExtEnhancedStatusCodes == 0 }

func (o *Options) baseContext() context.Context {
	if o.BaseContext != nil {
		return o.BaseContext
	}
	return context.Background()
}

// Server is a server's Options compiled once and shared by its sessions:
// the handler's hooks discovered, the SASL mechanisms named, the core's
// configuration compiled (fsm.Compile). Make one
// with NewServer; the Options must not change afterwards.
type Server struct {
	o    *Options
	d    *dispatch.Dispatcher
	core *fsm.Compiled
}

// NewServer compiles o for the sessions of one server.
func NewServer(o *Options) *Server {
	d := dispatch.NewDispatcher(dispatch.Config{Handler: o.Handler, Authenticator: o.Authenticator,
		Mechanisms: o.Mechanisms, Hostname: o.Core.Hostname, LMTP: o.Core.LMTP})
	cfg := o.Core
	d.Configure(&cfg)
	cfg.TLSAvailable = o.TLSConfig != nil
	if cfg.Buffers == nil {
		cfg.Buffers = newInputPool()
	}
	return &Server{o: o, d: d, core: fsm.Compile(&cfg)}
}

// ImplicitTLS marks a connection that is TLS from its first byte (SMTPS,
// RFC 8314): ServeConn reads a PROXY header first when one is expected,
// then runs the handshake under its timeout, and the session starts
// encrypted (AUTH is offered at once). Config nil: Options.TLSConfig. A
// *tls.Conn passed to ServeConn is implicit TLS too.
type ImplicitTLS struct {
	net.Conn
	Config *tls.Config
}
