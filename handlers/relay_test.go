package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/netip"
	"net/textproto"
	"regexp"
	"strings"
	"sync"
	"testing"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

// aliceOnly authenticates alice, password "secret", and no one else.
var aliceOnly = hooks.Secrets(func(_ context.Context, user string) (string, bool, error) {
	return "secret", user == "alice", nil
})

// recorder is an upstream SMTP server that records the bytes it is sent:
// the command lines, and each message's data as it came on the wire, up to
// the first CRLF.CRLF. It reads a line up to LF, as a lenient server
// would, and offers the EHLO keywords in caps.
type recorder struct {
	caps     []string
	mu       sync.Mutex
	commands []string
	data     [][]byte
}

func (r *recorder) serve(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go r.session(c)
		}
	}()
	return l.Addr().String()
}

func (r *recorder) session(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	io.WriteString(c, "220 recorder\r\n")
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		r.mu.Lock()
		r.commands = append(r.commands, line)
		r.mu.Unlock()
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO":
			reply := "250-recorder\r\n"
			for _, c := range r.caps {
				reply += "250-" + c + "\r\n"
			}
			io.WriteString(c, reply+"250 HELP\r\n")
		case "DATA":
			io.WriteString(c, "354 go on\r\n")
			r.readData(br)
			io.WriteString(c, "250 2.0.0 recorded\r\n")
		case "QUIT":
			io.WriteString(c, "221 bye\r\n")
			return
		default:
			io.WriteString(c, "250 2.0.0 ok\r\n")
		}
	}
}

func (r *recorder) readData(br *bufio.Reader) {
	var data []byte
	for !bytes.HasSuffix(data, []byte("\r\n.\r\n")) {
		b, err := br.ReadByte()
		if err != nil {
			return
		}
		data = append(data, b)
	}
	r.mu.Lock()
	r.data = append(r.data, data)
	r.mu.Unlock()
}

func (r *recorder) seen() (commands []string, data [][]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.commands...), append([][]byte(nil), r.data...)
}

// converse sends each line and expects each reply code.
func converse(t *testing.T, tc *textproto.Conn, steps ...any) {
	t.Helper()
	for i := 0; i < len(steps); i += 2 {
		line, code := steps[i].(string), steps[i+1].(int)
		if line != "" {
			tc.PrintfLine("%s", line)
		}
		if got, msg, err := tc.ReadResponse(0); got != code {
			t.Fatalf("%q: %d %s %v, want %d", line, got, msg, err, code)
		}
	}
}

func dialText(t *testing.T, addr string) (net.Conn, *textproto.Conn) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, textproto.NewConn(c)
}

// TestProxyNeverForwardsBareLineEnds sends, for every SMTP smuggling
// look-alike (CVE-2023-51764 and kin), a message whose body holds the
// look-alike and then a second transaction's commands. The server keeps
// bare CR and LF as data, so that is one message; upstream it must still
// be one message, its bytes with no bare CR or LF at all, so that no
// upstream, however it reads line ends, sees an end of data early.
func TestProxyNeverForwardsBareLineEnds(t *testing.T) {
	for _, lookAlike := range []string{"\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\r\n.\r", "\r.\r", "\r.\n", "\n.\r"} {
		rec := &recorder{caps: []string{"8BITMIME"}}
		addr := serve(t, &handlers.Proxy{Addr: rec.serve(t), Hostname: "proxy.test", DisableTLS: true})
		c, tc := dialText(t, addr)
		converse(t, tc, "", 220, "EHLO client.test", 250, "MAIL FROM:<a@example.com>", 250,
			"RCPT TO:<b@example.com>", 250, "DATA", 354)
		io.WriteString(c, "Subject: look-alike\r\n\r\nbefore"+lookAlike+
			"MAIL FROM:<spoof@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nspoofed\r\n.\r\n")
		converse(t, tc, "", 250, "QUIT", 221)

		commands, data := rec.seen()
		if n := countPrefix(commands, "MAIL"); n != 1 || len(data) != 1 {
			t.Fatalf("%q: upstream saw %d MAIL and %d messages: %q", lookAlike, n, len(data), commands)
		}
		msg := data[0]
		if i := bareLineEnd(msg); i >= 0 {
			t.Errorf("%q: bare CR or LF at %d upstream: %q", lookAlike, i, msg)
		}
		if !bytes.Contains(msg, []byte("\r\nMAIL FROM:<spoof@example.com>\r\n")) || !bytes.HasSuffix(msg, []byte("\r\nspoofed\r\n.\r\n")) {
			t.Errorf("%q: the smuggled text is not data of the one message: %q", lookAlike, msg)
		}
	}
}

func countPrefix(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(strings.ToUpper(l), prefix) {
			n++
		}
	}
	return n
}

// bareLineEnd is the index of the first CR not followed by LF or LF not
// preceded by CR, or -1.
func bareLineEnd(b []byte) int {
	for i, c := range b {
		if c == '\r' && (i+1 == len(b) || b[i+1] != '\n') || c == '\n' && (i == 0 || b[i-1] != '\r') {
			return i
		}
	}
	return -1
}

// TestProxyReceivedField: the relayed message starts with a Received:
// field that names the client's HELO and address, the relay, the
// protocol, the session and the one recipient (RFC 5321 4.4).
func TestProxyReceivedField(t *testing.T) {
	rec := &recorder{}
	addr := serve(t, &handlers.Proxy{Addr: rec.serve(t), Hostname: "proxy.test", DisableTLS: true})
	_, tc := dialText(t, addr)
	converse(t, tc, "", 220, "EHLO client.test", 250, "MAIL FROM:<a@example.com>", 250,
		"RCPT TO:<b@example.com>", 250, "DATA", 354, "Subject: hi\r\n\r\nhello\r\n.", 250, "QUIT", 221)
	_, data := rec.seen()
	want := regexp.MustCompile(`^Received: from client\.test \(\[127\.0\.0\.1\]\)\r\n` +
		`\tby proxy\.test \(gosmtpd\) with ESMTP id [0-9a-z-]+\r\n` +
		`\tfor <b@example\.com>;\r\n` +
		`\t[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}\r\n` +
		`Subject: hi\r\nX-Peer: 127\.0\.0\.1\r\n\r\nhello\r\n\.\r\n$`)
	if len(data) != 1 || !want.Match(data[0]) {
		t.Fatalf("upstream got %q", data)
	}
}

// TestProxyIsNoOpenRelay: a client outside RelayNetworks may send only to
// RelayDomains (554 5.7.1 for others, as Postfix's
// reject_unauth_destination), an authenticated client anywhere.
func TestProxyIsNoOpenRelay(t *testing.T) {
	rec := &recorder{}
	p := &handlers.Proxy{Addr: rec.serve(t), DisableTLS: true,
		RelayNetworks: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")},
		RelayDomains:  []string{"example.net", ".example.org"}}
	addr := serveAuth(t, p)
	_, tc := dialText(t, addr)
	converse(t, tc, "", 220, "EHLO client.test", 250, "MAIL FROM:<a@example.com>", 250,
		"RCPT TO:<b@example.com>", 554, "RCPT TO:<b@example.net>", 250, "RCPT TO:<b@EXAMPLE.NET>", 250,
		"RCPT TO:<b@mx.example.org>", 250, "RCPT TO:<b@example.org>", 554, "RCPT TO:<b@notexample.net>", 554,
		"RSET", 250, "AUTH PLAIN AGFsaWNlAHNlY3JldA==", 235, "MAIL FROM:<a@example.com>", 250,
		"RCPT TO:<b@example.com>", 250, "QUIT", 221)

	// by default only loopback clients relay anywhere
	_, tc = dialText(t, serve(t, &handlers.Proxy{Addr: rec.serve(t), DisableTLS: true}))
	converse(t, tc, "", 220, "EHLO client.test", 250, "MAIL FROM:<a@example.com>", 250, "RCPT TO:<b@example.com>", 250, "QUIT", 221)
}

// serveAuth serves h with AUTH PLAIN over cleartext for alice/secret.
func serveAuth(t *testing.T, h hooks.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &gosmtpd.Server{Handler: h, Hostname: "test.example", AuthCleartext: true,
		Authenticator: aliceOnly}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return l.Addr().String()
}

// TestProxyRelaysParametersTheUpstreamOffers: DSN's parameters go on to an
// upstream that offers DSN and are dropped for one that does not; AUTH=
// becomes AUTH=<> for a client that did not authenticate (RFC 4954 5).
func TestProxyRelaysParametersTheUpstreamOffers(t *testing.T) {
	for _, dsn := range []bool{true, false} {
		rec := &recorder{caps: []string{"AUTH PLAIN", "SIZE 1000000"}}
		if dsn {
			rec.caps = append(rec.caps, "DSN")
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &gosmtpd.Server{Handler: &handlers.Proxy{Addr: rec.serve(t), DisableTLS: true}, Enable: 1 << 8, /* fsm.ExtDSN */
			AuthCleartext: true, Authenticator: hooks.AuthenticatorFunc(func(context.Context, *hooks.Session, *hooks.Envelope, *hooks.Credentials) error { return nil })}
		go srv.Serve(l)
		t.Cleanup(func() { srv.Shutdown(context.Background()) })
		_, tc := dialText(t, l.Addr().String())
		converse(t, tc, "", 220, "EHLO client.test", 250,
			"MAIL FROM:<a@example.com> SIZE=100 RET=HDRS ENVID=x+2By AUTH=<boss@example.com>", 250,
			"RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.com", 250, "QUIT", 221)
		commands, _ := rec.seen()
		wantMail := "MAIL FROM:<a@example.com> SIZE=100 AUTH=<>\r\n"
		wantRcpt := "RCPT TO:<b@example.com>\r\n"
		if dsn {
			wantMail = "MAIL FROM:<a@example.com> SIZE=100 RET=HDRS ENVID=x+2By AUTH=<>\r\n"
			wantRcpt = "RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.com\r\n"
		}
		if len(commands) < 3 || commands[1] != wantMail || commands[2] != wantRcpt {
			t.Errorf("DSN upstream %v: got %q, want %q, %q", dsn, commands, wantMail, wantRcpt)
		}
	}
}

// tlsUpstream is an upstream gosmtpd with STARTTLS and AUTH PLAIN for
// alice/secret, recording each message's TLS and AUTH state.
type tlsUpstream struct {
	mu   sync.Mutex
	seen []string
}

func (u *tlsUpstream) HandleDATA(_ context.Context, s *hooks.Session, _ *hooks.Envelope, msg io.Reader) error {
	if _, err := io.Copy(io.Discard, msg); err != nil {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.seen = append(u.seen, "tls="+boolString(s.TLS != nil)+" auth="+s.AuthID)
	return nil
}

func boolString(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// TestProxyStartsTLSAndAuthenticatesUpstream: STARTTLS when the upstream
// offers it, the certificate checked (an unknown one is 451 4.4.1, nothing
// relayed), then AUTH PLAIN with the configured credentials.
func TestProxyStartsTLSAndAuthenticatesUpstream(t *testing.T) {
	cfg, err := smtptls.SelfSigned("127.0.0.1", "mx.upstream.test")
	if err != nil {
		t.Fatal(err)
	}
	up := &tlsUpstream{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &gosmtpd.Server{Handler: up, TLSConfig: cfg, RequireTLS: true, AuthRequired: true,
		Authenticator: aliceOnly}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	roots := x509.NewCertPool()
	roots.AddCert(cfg.Certificates[0].Leaf)

	send := func(p *handlers.Proxy) error {
		c := dialSMTP(t, serve(t, p))
		if err := c.Mail("a@example.com"); err != nil {
			return err
		}
		if err := c.Rcpt("b@example.com"); err != nil {
			return err
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		io.WriteString(w, "Subject: tls\r\n\r\nx\r\n")
		return w.Close()
	}
	addr := l.Addr().String()
	if err := send(&handlers.Proxy{Addr: addr, Username: "alice", Password: "secret"}); smtpCode(err) != 451 {
		t.Errorf("unknown certificate: %v, want 451", err)
	}
	if err := send(&handlers.Proxy{Addr: addr, Username: "alice", Password: "wrong", TLS: &tls.Config{RootCAs: roots}}); smtpCode(err) != 535 {
		t.Errorf("wrong password: %v, want the upstream's 535", err)
	}
	if err := send(&handlers.Proxy{Addr: addr, Username: "alice", Password: "secret", TLS: &tls.Config{RootCAs: roots}}); err != nil {
		t.Fatal(err)
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	if len(up.seen) != 1 || up.seen[0] != "tls=yes auth=alice" {
		t.Fatalf("upstream saw %q", up.seen)
	}
}

// lmtpUpstream answers each recipient: it refuses those named "full".
type lmtpUpstream struct{}

func (lmtpUpstream) HandleLMTPDATA(_ context.Context, _ *hooks.Session, e *hooks.Envelope, msg io.Reader) []error {
	io.Copy(io.Discard, msg)
	out := make([]error, len(e.RcptTos))
	for i, r := range e.RcptTos {
		if strings.HasPrefix(r, "full@") {
			out[i] = hooks.Reply{Code: 452, Enhanced: "4.2.2", Text: "mailbox full"}
		}
	}
	return out
}

// TestProxyLMTPVerdictPerRecipient: an LMTP server relaying to an LMTP
// upstream gives each recipient the upstream's own verdict (RFC 2033 4.2).
func TestProxyLMTPVerdictPerRecipient(t *testing.T) {
	serveLMTP := func(h hooks.Handler) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &gosmtpd.Server{Handler: h, LMTP: true}
		go srv.Serve(l)
		t.Cleanup(func() { srv.Shutdown(context.Background()) })
		return l.Addr().String()
	}
	addr := serveLMTP(&handlers.Proxy{Addr: serveLMTP(lmtpUpstream{}), LMTP: true, DisableTLS: true})
	_, tc := dialText(t, addr)
	converse(t, tc, "", 220, "LHLO client.test", 250, "MAIL FROM:<a@example.com>", 250,
		"RCPT TO:<b@example.com>", 250, "RCPT TO:<full@example.com>", 250, "RCPT TO:<c@example.com>", 250,
		"DATA", 354, "Subject: lmtp\r\n\r\nx\r\n.", 250, "", 452, "", 250, "QUIT", 221)
}
