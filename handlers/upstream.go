package handlers

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// upstream is Proxy's SMTP client for one session: a connection to the
// upstream server that the session's envelope is relayed over as it comes.
type upstream struct {
	conn    net.Conn
	text    *textproto.Conn
	timeout time.Duration
	caps    map[string]string // the upstream's EHLO keywords (upper case) and their parameters
	tls     bool              // STARTTLS succeeded
	lmtp    bool              // LHLO was said: one reply per recipient after a message
	rcpts   int               // recipients the upstream accepted in this transaction
	inMail  bool              // MAIL was accepted upstream and no message relayed since
	used    bool              // a MAIL was sent: RSET before the next one
}

// upstreamConfig says how to reach and greet the upstream server.
type upstreamConfig struct {
	addr, helo         string
	timeout            time.Duration
	tls                *tls.Config // nil: no STARTTLS
	username, password string      // AUTH PLAIN when set
	lmtp               bool        // LHLO instead of EHLO
}

// errUpstream marks a failure to talk to the upstream server (not one of
// its replies).
var errUpstream = errors.New("proxy: upstream")

// dialUpstream connects, reads the greeting, says EHLO (HELO when the
// server refuses EHLO), starts TLS when the upstream offers it and cfg has
// a TLS configuration, and authenticates when cfg has credentials. A
// refusal is returned as the upstream's Reply.
func dialUpstream(ctx context.Context, cfg upstreamConfig) (*upstream, error) {
	d := net.Dialer{Timeout: cfg.timeout}
	conn, err := d.DialContext(ctx, "tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUpstream, err)
	}
	u := &upstream{conn: conn, text: textproto.NewConn(conn), timeout: cfg.timeout}
	rep, err := u.exchange(ctx, "")
	if err == nil && rep.Code != 220 {
		err = rep
	}
	u.lmtp = cfg.lmtp
	if err == nil {
		err = u.greet(ctx, cfg.helo)
	}
	if err == nil && cfg.tls != nil && u.offers("STARTTLS") {
		err = u.startTLS(ctx, cfg)
	}
	if err == nil && cfg.username != "" {
		err = u.authenticate(ctx, cfg)
	}
	if err != nil {
		u.close()
		return nil, err
	}
	return u, nil
}

func (u *upstream) greet(ctx context.Context, helo string) error {
	if u.lmtp {
		rep, err := u.exchange(ctx, "LHLO "+helo)
		if err == nil && rep.Code != 250 {
			return rep
		}
		u.caps = capabilities(rep)
		return err
	}
	rep, err := u.exchange(ctx, "EHLO "+helo)
	if err == nil && rep.Code/100 == 5 {
		rep, err = u.exchange(ctx, "HELO "+helo)
	}
	if err == nil && rep.Code != 250 {
		return rep
	}
	u.caps = capabilities(rep)
	return err
}

// capabilities reads the keywords of an EHLO reply (none after HELO).
func capabilities(rep hooks.Reply) map[string]string {
	caps := map[string]string{}
	for _, line := range rep.More {
		key, params, _ := strings.Cut(line, " ")
		caps[strings.ToUpper(key)] = params
	}
	return caps
}

// offers reports whether the upstream listed the EHLO keyword.
func (u *upstream) offers(keyword string) bool {
	_, ok := u.caps[keyword]
	return ok
}

// offersParam reports whether a MAIL or RCPT parameter may go upstream:
// the extension that brings it is offered there.
func (u *upstream) offersParam(key string) bool {
	if ext, ok := paramExtension[key]; ok {
		return u.offers(ext) || key == "BODY" && u.offers("BINARYMIME")
	}
	return u.offers(key)
}

// exchange sends line (none when empty) and reads the reply, within the
// timeout and the life of ctx.
func (u *upstream) exchange(ctx context.Context, line string) (hooks.Reply, error) {
	stop := u.arm(ctx)
	defer stop()
	if line != "" {
		if err := u.text.PrintfLine("%s", line); err != nil {
			return hooks.Reply{}, fmt.Errorf("%w: %v", errUpstream, err)
		}
	}
	return u.reply()
}

// arm sets the deadline for one exchange and makes ctx's end cut it short.
func (u *upstream) arm(ctx context.Context) (stop func()) {
	u.conn.SetDeadline(time.Now().Add(u.timeout))
	cancel := context.AfterFunc(ctx, func() { u.conn.SetDeadline(time.Unix(1, 0)) })
	return func() { cancel() }
}

// reply reads one reply, as a Reply with its enhanced code split off.
func (u *upstream) reply() (hooks.Reply, error) {
	code, msg, err := u.text.ReadResponse(0)
	var tperr *textproto.Error
	if err != nil && !errors.As(err, &tperr) {
		return hooks.Reply{}, fmt.Errorf("%w: %v", errUpstream, err)
	}
	if code < 200 || code > 599 {
		return hooks.Reply{}, fmt.Errorf("%w: unexpected reply %d", errUpstream, code)
	}
	return parseReply(code, msg), nil
}

// enhancedCode returns the RFC 3463 status code that starts line, class
// "." subject "." detail with a class of 2, 4 or 5 and one to three digits
// in the others, or "".
func enhancedCode(line string) string {
	if len(line) < 5 || line[0] != '2' && line[0] != '4' && line[0] != '5' || line[1] != '.' {
		return ""
	}
	subject := digitRun(line[2:])
	if subject == 0 || len(line) <= 2+subject || line[2+subject] != '.' {
		return ""
	}
	detail := digitRun(line[3+subject:])
	if detail == 0 {
		return ""
	}
	return line[:3+subject+detail]
}

// digitRun is how many of the first three bytes of s are digits, up to the
// first that is not.
func digitRun(s string) int {
	n := 0
	for n < len(s) && n < 3 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// parseReply splits textproto's reply text (lines joined by LF) into a
// Reply, with the enhanced status code of the first line taken out of
// every line.
func parseReply(code int, msg string) hooks.Reply {
	lines := strings.Split(msg, "\n")
	rep := hooks.Reply{Code: code}
	if enh := enhancedCode(lines[0]); enh != "" && enh[0] == byte('0'+code/100) {
		rep.Enhanced = enh
		for i, l := range lines {
			lines[i] = strings.TrimPrefix(strings.TrimPrefix(l, enh), " ")
		}
	}
	rep.Text, rep.More = lines[0], lines[1:]
	if len(rep.More) == 0 {
		rep.More = nil
	}
	return rep
}

// data relays a message: DATA, the message dot-stuffed as it streams from
// msg, the final dot. When msg fails (the client went, the message was
// refused), the connection is dropped before the final dot, so that the
// upstream server discards the message.
func (u *upstream) data(ctx context.Context, msg io.Reader) (hooks.Reply, error) {
	rep, err := u.exchange(ctx, "DATA")
	if err != nil || rep.Code != 354 {
		return rep, err
	}
	stop := u.arm(ctx)
	defer stop()
	w := u.text.DotWriter()
	cw := &crlfWriter{w: w}
	if _, err := io.Copy(cw, &refreshing{msg, u}); err != nil {
		u.close()
		return hooks.Reply{}, err
	}
	if err := errors.Join(cw.Flush(), w.Close()); err != nil {
		return hooks.Reply{}, fmt.Errorf("%w: %v", errUpstream, err)
	}
	return u.reply()
}

// refreshing renews the upstream deadline at each read of the message,
// so that a long message is bounded per block, not as a whole.
type refreshing struct {
	r io.Reader
	u *upstream
}

func (r *refreshing) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.u.conn.SetDeadline(time.Now().Add(r.u.timeout))
	return n, err
}

// quit says QUIT, briefly, and closes.
func (u *upstream) quit() {
	u.conn.SetDeadline(time.Now().Add(time.Second))
	if u.text.PrintfLine("QUIT") == nil {
		u.text.ReadResponse(0)
	}
	u.close()
}

func (u *upstream) close() { u.conn.Close() }
