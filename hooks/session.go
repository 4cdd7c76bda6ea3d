package hooks

import (
	"context"
	"crypto/tls"
	"net/netip"

	"github.com/gosmtpd/gosmtpd/internal/sessionctx"
)

// Session is what is known of the client: aiosmtpd's Session. The server
// fills it in as the dialogue goes; handlers read it. A hook may read it
// during its call only: do not keep the pointer (under Abandoning, a
// session whose hook was left behind goes on with a copy).
type Session struct {
	ID       string // unique within the process, for logs
	Peer     string // the client's address, "ip:port"; under PROXY the original client's
	Local    string // the server's address the client connected to
	HeloName string // the name given by the accepted HELO, EHLO or LHLO
	Extended bool   // EHLO or LHLO rather than HELO

	// TLS is the state of the connection's TLS; nil before STARTTLS. Under
	// SMTPS (implicit TLS) it is set from the start.
	TLS *tls.ConnectionState

	// Proxy holds the PROXY protocol header the connection started with,
	// nil when there was none.
	Proxy *ProxyInfo

	// XClient holds the attributes of the last XCLIENT a trusted proxy
	// sent (Postfix's XCLIENT_README: NAME, ADDR, PORT, PROTO, HELO, LOGIN,
	// DESTADDR, DESTPORT), names upper case, values decoded, the special
	// values "[UNAVAILABLE]" and "[TEMPUNAVAIL]" as they are; nil when none.
	// Peer already holds ADDR and PORT, AuthID LOGIN.
	XClient map[string]string

	// AuthID is the identity the client authenticated as ("" when none):
	// the authorization identity when the client asked for one, else the
	// user name. AuthUser is the user name that proved it (the
	// authentication identity), AuthMechanism names the SASL mechanism
	// used, and AuthData is what the Authenticator left in
	// Credentials.Result. A STARTTLS forgets them all.
	AuthID        string
	AuthUser      string
	AuthMechanism string
	AuthData      any

	ctx context.Context
}

func init() {
	sessionctx.Set = func(s any, ctx context.Context) { s.(*Session).ctx = ctx }
}

// Context returns the session's context, cancelled when the client goes or
// the server stops. Hooks receive a context derived from it.
func (s *Session) Context() context.Context {
	if s.ctx == nil {
		return context.Background()
	}
	return s.ctx
}

// Authenticated reports whether AUTH succeeded in this session.
func (s *Session) Authenticated() bool { return s.AuthMechanism != "" }

// ProxyInfo is what a PROXY protocol header (v1 or v2) said about the
// connection before the load balancer relayed it.
type ProxyInfo struct {
	Version     int            // 1 or 2
	Local       bool           // a v2 LOCAL command (a health check): no addresses
	Source      netip.AddrPort // the original client
	Destination netip.AddrPort // the address the client connected to
	TLVs        []ProxyTLV     // v2 type-length-value extensions
}

// ProxyTLV is one PROXY v2 extension.
type ProxyTLV struct {
	Type  byte
	Value []byte
}

// Envelope is the current mail transaction: aiosmtpd's Envelope. The server
// fills it as MAIL and RCPT are accepted; the message itself reaches the
// DATA hook as a stream. A new Envelope starts with every transaction.
type Envelope struct {
	MailFrom    string   // the reverse-path's mailbox; "" for the null path <>
	MailOptions []string // MAIL parameters as sent, "KEY=value" or "KEY"
	// MailAuth is the mailbox of MAIL's AUTH= parameter (RFC 4954 §5),
	// xtext-decoded: who the client says first submitted the message. It
	// is "<>" when the client said so or is not authenticated (then the
	// RFC requires AUTH=<> whatever was sent), "" without the parameter.
	// Whether to trust it is the handler's choice.
	MailAuth   string
	SMTPUTF8   bool       // MAIL carried SMTPUTF8 (RFC 6531)
	MailParams MailParams // MAIL's parameters, typed
	// RcptTos are the accepted recipients, in order; RcptOptions and
	// RcptParams their parameters, as sent and typed. The server keeps
	// them: what a RCPT hook appends (as aiosmtpd's handle_RCPT must) is
	// dropped, and the recipient added once if accepted. RcptParams is nil
	// while no recipient had parameters (a message costs no allocation
	// for it then), else one per recipient: RcptParamsOf reads it either
	// way.
	RcptTos     []string
	RcptOptions [][]string
	RcptParams  []RcptParams
	// XForward holds the attributes a trusted content filter or proxy
	// sent with XFORWARD before this transaction (Postfix's
	// XFORWARD_README: NAME, ADDR, PORT, PROTO, HELO, IDENT, SOURCE), as
	// Session.XClient holds XCLIENT's; nil when none.
	XForward map[string]string
}

// RcptParamsOf returns recipient i's typed parameters: zero when it had
// none.
func (e *Envelope) RcptParamsOf(i int) RcptParams {
	if i < 0 || i >= len(e.RcptParams) {
		return RcptParams{}
	}
	return e.RcptParams[i]
}
