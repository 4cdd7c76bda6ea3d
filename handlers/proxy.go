package handlers

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// Proxy relays each message to the SMTP server at Addr ("host:port"), as
// a relay must (RFC 5321 §3.6, §4.4): with a Received: field at its top,
// and an X-Peer header (the client's IP address) at the end of its header
// section, as aiosmtpd's Proxy adds.
//
// Unlike aiosmtpd's, which answers 250 whatever happened, the client gets
// the upstream server's true verdict: each session has its own upstream
// connection, opened at MAIL, and the envelope is relayed as it comes, so
// the upstream's reply to MAIL, to each RCPT (a recipient it refuses is
// refused to the client at RCPT time) and to the message is the client's.
// When the upstream cannot be reached the client gets 451 4.4.1. A message
// that does not arrive whole is never finished upstream: the connection is
// dropped before the final dot, so the upstream server discards it.
//
// It is not an open relay: it relays for clients in RelayNetworks (by
// default loopback clients only), for authenticated clients, and to
// RelayDomains; anyone else gets 554 5.7.1 at RCPT. MAIL and RCPT
// parameters go on when the upstream offers their extension (DSN's among
// them), but MAIL's AUTH= of a client that did not authenticate becomes
// AUTH=<> (RFC 4954 §5). Every bare CR or LF of a message goes upstream as
// CRLF, so that no upstream can read an end of data the server did not
// see. The Proxy starts TLS with the upstream when offered (the
// certificate checked) and authenticates with Username and Password when
// set.
type Proxy struct {
	Addr string
	// Hostname is said in EHLO to the upstream and in the Received: field;
	// "": fsm.DefaultHostname ("localhost").
	Hostname string
	// Timeout bounds the connection and each exchange with the upstream;
	// 0: 5 minutes.
	Timeout time.Duration

	// RelayNetworks are the client networks relayed for, to any domain;
	// nil: loopback addresses and Unix socket clients (this host).
	RelayNetworks []netip.Prefix
	// RelayDomains are the recipient domains relayed for any client:
	// "example.com" is that domain, ".example.com" its subdomains.
	RelayDomains []string

	// TLS configures STARTTLS to the upstream, started whenever the
	// upstream offers it; nil: the system's roots, checked against the
	// host of Addr. InsecureSkipVerify there accepts any certificate.
	// DisableTLS never starts TLS.
	TLS        *tls.Config
	DisableTLS bool
	// Username and Password, when set, authenticate to the upstream with
	// AUTH PLAIN, over TLS or to a loopback address only.
	Username, Password string
	// LMTP speaks LMTP to the upstream (LHLO; RFC 2033), which answers
	// each recipient of a message: a server speaking LMTP passes each
	// verdict on to its client.
	LMTP bool
	// Logger is told, at Error, of each failure to reach or talk to the
	// upstream, with its address (the client only gets 451 4.4.1); nil:
	// slog.Default().
	Logger *slog.Logger

	mu       sync.Mutex
	sessions map[string]*upstream // by Session.ID
}

var (
	replyUpstreamDown = hooks.Reply{Code: 451, Enhanced: "4.4.1", Text: "Error: upstream server unavailable"}
	replyNoRequireTLS = hooks.Reply{Code: 550, Enhanced: "5.7.30", Text: "Error: REQUIRETLS support required by the next hop is missing"}
)

// HandleMAIL opens the session's upstream connection (or resets the one it
// has) and relays MAIL.
func (p *Proxy) HandleMAIL(ctx context.Context, s *hooks.Session, e *hooks.Envelope, address string, options []string) error {
	u, err := p.connect(ctx, s)
	if err != nil {
		return p.verdict(s, hooks.Reply{}, err)
	}
	if u.used {
		if rep, err := u.exchange(ctx, "RSET"); err != nil || rep.Code != 250 {
			return p.verdict(s, rep, errors.Join(err, errUpstream))
		}
	}
	u.used = true
	if e.MailParams.RequireTLS && (!u.tls || !u.offers("REQUIRETLS")) {
		return replyNoRequireTLS // RFC 8689 §4.2: never relay it in clear
	}
	rep, err := u.exchange(ctx, "MAIL FROM:"+path(address, mailOptions(options, s.Authenticated(), u)))
	u.inMail, u.rcpts = err == nil && rep.Code/100 == 2, 0
	return p.verdict(s, rep, err)
}

// HandleRCPT relays RCPT: the upstream's reply is the client's.
func (p *Proxy) HandleRCPT(ctx context.Context, s *hooks.Session, e *hooks.Envelope, address string, options []string) error {
	if !p.mayRelay(s, address) {
		return replyRelayDenied
	}
	u := p.session(s)
	if u == nil || !u.inMail {
		return replyUpstreamDown
	}
	rep, err := u.exchange(ctx, "RCPT TO:"+path(address, mailOptions(options, s.Authenticated(), u)))
	if err == nil && rep.Code/100 == 2 {
		u.rcpts++
	}
	return p.verdict(s, rep, err)
}

// HandleDATA relays the message with Received: and X-Peer added, and
// returns the upstream's reply to it. From an LMTP upstream, which answers
// each recipient, it returns the first refusal when every recipient was
// refused, else the first acceptance: an SMTP client cannot be told of
// some recipients failing, so serve LMTP on both sides to pass each
// verdict on (see HandleLMTPDATA).
func (p *Proxy) HandleDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	verdicts := p.relayMessage(ctx, s, e, msg)
	for _, v := range verdicts {
		if rep, ok := v.(hooks.Reply); ok && rep.Code/100 == 2 {
			return rep
		}
	}
	return verdicts[0]
}

// HandleLMTPDATA, for a server speaking LMTP, returns one verdict per
// recipient (RFC 2033 §4.2): each the LMTP upstream's own, or the one
// reply of an SMTP upstream for all.
func (p *Proxy) HandleLMTPDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) []error {
	verdicts := p.relayMessage(ctx, s, e, msg)
	out := make([]error, len(e.RcptTos))
	for i := range out {
		out[i] = verdicts[min(i, len(verdicts)-1)]
		if rep, ok := out[i].(hooks.Reply); ok && rep.Code/100 == 2 {
			out[i] = nil
		}
	}
	return out
}

// relayMessage relays the message and returns the upstream's verdicts: one
// from an SMTP upstream, one per recipient it accepted from an LMTP one.
func (p *Proxy) relayMessage(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) []error {
	u := p.session(s)
	if u == nil || !u.inMail {
		return []error{replyUpstreamDown}
	}
	u.inMail = false
	received := strings.NewReader(receivedField(s, e, p.hostname(), time.Now()))
	rep, err := u.data(ctx, newPeerReader(io.MultiReader(received, msg), peerIP(s.Peer)))
	if err != nil && !errors.Is(err, errUpstream) {
		p.forget(s, u) // the message failed: the connection was dropped
		return []error{err}
	}
	verdicts := []error{p.verdict(s, rep, err)}
	for i := 1; err == nil && p.LMTP && i < u.rcpts; i++ {
		rep, err = u.exchange(ctx, "")
		verdicts = append(verdicts, p.verdict(s, rep, err))
	}
	return verdicts
}

// HandleRSET relays RSET.
func (p *Proxy) HandleRSET(ctx context.Context, s *hooks.Session, e *hooks.Envelope) error {
	if u := p.session(s); u != nil && u.inMail {
		rep, err := u.exchange(ctx, "RSET")
		u.inMail = false
		if err != nil || rep.Code != 250 {
			p.forget(s, u)
		}
	}
	return nil
}

// HandleQUIT ends the upstream session.
func (p *Proxy) HandleQUIT(_ context.Context, s *hooks.Session, _ *hooks.Envelope) error {
	if u := p.session(s); u != nil {
		p.forget(s, u)
	}
	return nil
}

// verdict turns an upstream exchange into the hook's answer: the
// upstream's reply, or 451 4.4.1 (and a dropped connection) when the
// upstream failed.
func (p *Proxy) verdict(s *hooks.Session, rep hooks.Reply, err error) error {
	if err == nil {
		return rep
	}
	var r hooks.Reply
	if errors.As(err, &r) && !errors.Is(err, errUpstream) {
		return r
	}
	if u := p.session(s); u != nil {
		p.forget(s, u)
	}
	p.logger().Error("upstream unavailable", "session", s.ID, "upstream", p.Addr, "err", err.Error())
	return replyUpstreamDown
}

func (p *Proxy) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.Default()
	}
	return p.Logger
}

// connect returns the session's upstream connection, dialling it first.
// The connection is closed when the session ends, however it ends.
func (p *Proxy) connect(ctx context.Context, s *hooks.Session) (*upstream, error) {
	if u := p.session(s); u != nil {
		return u, nil
	}
	u, err := dialUpstream(ctx, p.upstreamConfig())
	if err != nil {
		return nil, err
	}
	id := s.ID
	p.mu.Lock()
	if p.sessions == nil {
		p.sessions = map[string]*upstream{}
	}
	p.sessions[id] = u
	p.mu.Unlock()
	context.AfterFunc(s.Context(), func() { p.forgetID(id, u) })
	return u, nil
}

func (p *Proxy) hostname() string {
	if p.Hostname == "" {
		return fsm.DefaultHostname
	}
	return p.Hostname
}

func (p *Proxy) upstreamConfig() upstreamConfig {
	cfg := upstreamConfig{addr: p.Addr, helo: p.hostname(), timeout: p.Timeout,
		username: p.Username, password: p.Password, lmtp: p.LMTP}
	if cfg.timeout <= 0 {
		cfg.timeout = 5 * time.Minute
	}
	if !p.DisableTLS {
		cfg.tls = p.TLS
		if cfg.tls == nil {
			cfg.tls = &tls.Config{}
		}
	}
	return cfg
}

func (p *Proxy) session(s *hooks.Session) *upstream {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sessions[s.ID]
}

func (p *Proxy) forget(s *hooks.Session, u *upstream) { p.forgetID(s.ID, u) }

// forgetID ends u, the upstream connection of session id.
func (p *Proxy) forgetID(id string, u *upstream) {
	p.mu.Lock()
	if p.sessions[id] == u {
		delete(p.sessions, id)
	}
	p.mu.Unlock()
	u.quit()
}

// path is a MAIL or RCPT argument: the path and its parameters as sent.
func path(address string, options []string) string {
	if len(options) == 0 {
		return "<" + address + ">"
	}
	return "<" + address + "> " + strings.Join(options, " ")
}

// peerIP is the IP address of a "ip:port" peer, as aiosmtpd's Proxy puts
// in X-Peer; other peers (a Unix socket's) as they are.
func peerIP(peer string) string {
	if ap, err := netip.ParseAddrPort(peer); err == nil {
		return ap.Addr().Unmap().String()
	}
	if host, _, err := net.SplitHostPort(peer); err == nil {
		return host
	}
	return peer
}
