package gosmtpd_test

// Real clients against an in-process server on loopback: Python's smtplib,
// swaks, curl, openssl s_client, and HAProxy in front sending PROXY v1 and
// v2. Each test checks what the server received, not only the exit code.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/smtptest"
	"github.com/gosmtpd/gosmtpd/transport"
)

// run runs a program with a time limit and returns its output; a failure
// fails the test with the output.
func runProgram(t *testing.T, stdin string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, testkit.Program(t, name), args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// python runs a script with a python3 (smtplib is in its standard
// library) and the arguments in sys.argv[1:].
func python(t *testing.T, script string, args ...string) string {
	t.Helper()
	return runProgram(t, "", testkit.Python(t), append([]string{"-c", script}, args...)...)
}

// certFile writes the test server's certificate as PEM, for clients that
// verify it.
func certFile(t *testing.T, srv *smtptest.Server) string {
	t.Helper()
	path, _ := testkit.WritePEM(t, srv.Config.TLSConfig)
	return path
}

func splitAddr(t *testing.T, addr string) (string, string) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}

// only returns the one message the server received.
func only(t *testing.T, srv *smtptest.Server) smtptest.Message {
	t.Helper()
	msgs := srv.WaitMessages(1)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	return msgs[0]
}

func withPasswords(s *smtptest.Server) {
	s.Config.Authenticator = hooks.Passwords{"alice": "wonderland"}
}

const smtplibSend = `import smtplib, ssl, sys
host, port, mode, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=cafile) if cafile else None
if mode == "smtps":
    s = smtplib.SMTP_SSL(host, port, context=ctx)
else:
    s = smtplib.SMTP(host, port)
s.ehlo("py.example")
if mode == "starttls":
    s.starttls(context=ctx)
    s.ehlo("py-tls.example")
if mode != "plain":
    s.login("alice", "wonderland")
body = "Subject: py\r\n\r\n\u00e9t\u00e9\r\n.dot\r\n".encode()
refused = s.sendmail("a@example.com", ["b@example.net", "c@example.net"], body, mail_options=["BODY=8BITMIME"])
assert refused == {}, refused
s.quit()
`

func TestSmtplib(t *testing.T) {
	for _, tc := range []struct {
		mode string
		opts []smtptest.Option
	}{
		{"plain", nil},
		{"starttls", []smtptest.Option{smtptest.StartTLS, withPasswords}},
		{"smtps", []smtptest.Option{smtptest.SMTPS, withPasswords}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			srv := smtptest.NewServer(t, tc.opts...)
			host, port := splitAddr(t, srv.Addr)
			cafile := ""
			if tc.mode != "plain" {
				cafile = certFile(t, srv)
			}
			python(t, smtplibSend, host, port, tc.mode, cafile)
			m := only(t, srv)
			if string(m.Data) != "Subject: py\r\n\r\nété\r\n.dot\r\n" || !slices.Equal(m.RcptTos, []string{"b@example.net", "c@example.net"}) {
				t.Fatalf("delivered %q to %q", m.Data, m.RcptTos)
			}
			if !slices.Contains(m.MailOptions, "BODY=8BITMIME") {
				t.Errorf("MAIL options %q", m.MailOptions)
			}
			wantHelo, wantTLS, wantAuth := "py.example", false, ""
			if tc.mode != "plain" {
				wantHelo, wantTLS, wantAuth = "py.example", true, "alice"
			}
			if tc.mode == "starttls" {
				wantHelo = "py-tls.example"
			}
			if s := m.Session; s.HeloName != wantHelo || (s.TLS != nil) != wantTLS || s.AuthID != wantAuth {
				t.Fatalf("session helo %q, TLS %v, auth %q", s.HeloName, s.TLS != nil, s.AuthID)
			}
		})
	}
}

// lmtpBox answers each LMTP recipient: those at refused.example fail.
type lmtpBox struct{ got chan delivered }

func (b *lmtpBox) HandleLMTPDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) []error {
	data, err := io.ReadAll(msg)
	errs := make([]error, len(e.RcptTos))
	for i, rcpt := range e.RcptTos {
		switch {
		case err != nil:
			errs[i] = err
		case strings.HasSuffix(rcpt, "@refused.example"):
			errs[i] = hooks.Reply{Code: 550, Enhanced: "5.1.1", Text: "no such mailbox"}
		}
	}
	b.got <- delivered{from: e.MailFrom, rcpts: slices.Clone(e.RcptTos), data: string(data), sess: *s}
	return errs
}

// smtplib.LMTP over a Unix socket: one reply per recipient after the dot
// (RFC 2033 §4.2), the refused one reported to the client.
func TestSmtplibLMTPOverUnixSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "gosmtpd")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "lmtp.sock")
	box := &lmtpBox{got: make(chan delivered, 1)}
	control(t, &gosmtpd.Controller{Network: "unix", Address: path, Server: &gosmtpd.Server{Handler: box, LMTP: true}})
	// smtplib's sendmail reads one reply after the dot, so the script
	// reads the other recipients' replies itself
	out := python(t, `import json, smtplib, sys
s = smtplib.LMTP(sys.argv[1])
s.ehlo("py.example")
rcpts = ["one@example.net", "two@refused.example", "three@example.net"]
assert s.mail("a@example.com")[0] == 250
for r in rcpts:
    assert s.rcpt(r)[0] == 250
replies = [s.data(b"Subject: lmtp\r\n\r\nhi\r\n")]
replies += [s.getreply() for _ in rcpts[1:]]
s.quit()
print(json.dumps([[code, text.decode()] for code, text in replies]))`, path)
	var replies [][2]any
	if err := json.Unmarshal([]byte(out), &replies); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(replies) != 3 || replies[0][0] != 250.0 || replies[1][0] != 550.0 || replies[2][0] != 250.0 ||
		!strings.Contains(replies[1][1].(string), "5.1.1") {
		t.Fatalf("replies after the dot %v, want 250, 550 5.1.1, 250", replies)
	}
	select {
	case m := <-box.got:
		if len(m.rcpts) != 3 || m.data != "Subject: lmtp\r\n\r\nhi\r\n" {
			t.Fatalf("delivered %q to %q", m.data, m.rcpts)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no message")
	}
}

func TestSwaks(t *testing.T) {
	t.Run("pipelining", func(t *testing.T) {
		srv := smtptest.NewServer(t)
		host, port := splitAddr(t, srv.Addr)
		out := runProgram(t, "", "swaks", "--server", host, "--port", port, "--pipeline", "--helo", "swaks.example",
			"--from", "a@example.com", "--to", "b@example.net,c@example.net",
			"--header", "Subject: swaks", "--body", "pipelined body")
		m := only(t, srv)
		if !bytes.Contains(m.Data, []byte("Subject: swaks\r\n")) || !bytes.Contains(m.Data, []byte("\r\n\r\npipelined body\r\n")) ||
			len(m.RcptTos) != 2 || m.Session.HeloName != "swaks.example" {
			t.Fatalf("delivered %q to %q\n%s", m.Data, m.RcptTos, out)
		}
		// pipelined: MAIL and both RCPTs went out before their replies came
		if !pipelined(out) {
			t.Fatalf("swaks did not pipeline:\n%s", out)
		}
	})
	t.Run("STARTTLS and AUTH", func(t *testing.T) {
		srv := smtptest.NewServer(t, smtptest.StartTLS, withPasswords)
		host, port := splitAddr(t, srv.Addr)
		runProgram(t, "", "swaks", "--server", host, "--port", port, "--tls", "--auth", "PLAIN",
			"--auth-user", "alice", "--auth-password", "wonderland",
			"--from", "a@example.com", "--to", "b@example.net", "--body", "secret body")
		m := only(t, srv)
		if m.Session.TLS == nil || m.Session.AuthID != "alice" || !bytes.Contains(m.Data, []byte("\r\n\r\nsecret body\r\n")) {
			t.Fatalf("TLS %v, auth %q, delivered %q", m.Session.TLS != nil, m.Session.AuthID, m.Data)
		}
	})
}

// pipelined reports whether swaks's transcript shows the MAIL and
// RCPT commands ("->" lines) sent together before the replies ("<-").
func pipelined(transcript string) bool {
	var seq []string
	for _, line := range strings.Split(transcript, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "-> MAIL FROM"), strings.HasPrefix(line, "-> RCPT TO"):
			seq = append(seq, ">")
		case strings.HasPrefix(line, "<-") && len(seq) > 0 && len(seq) < 3:
			return false // a reply came between them
		case strings.HasPrefix(line, "<-") && len(seq) >= 3:
			return true
		}
	}
	return false
}

func TestCurl(t *testing.T) {
	body := "Subject: curl\r\n\r\nline\r\n.dot line\r\n"
	file := filepath.Join(t.TempDir(), "mail.txt")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, scheme string
		opts         []smtptest.Option
		extra        []string
	}{
		{"smtp", "smtp", nil, nil},
		{"smtp with STARTTLS", "smtp", []smtptest.Option{smtptest.StartTLS}, []string{"--ssl-reqd", "-k"}},
		{"smtps", "smtps", []smtptest.Option{smtptest.SMTPS}, []string{"-k"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.NewServer(t, tc.opts...)
			args := append([]string{"-sS", tc.scheme + "://" + srv.Addr + "/curl.example",
				"--mail-from", "a@example.com", "--mail-rcpt", "b@example.net", "-T", file}, tc.extra...)
			runProgram(t, "", "curl", args...)
			m := only(t, srv)
			if string(m.Data) != body || m.MailFrom != "a@example.com" || m.Session.HeloName != "curl.example" {
				t.Fatalf("delivered %q from %q, helo %q", m.Data, m.MailFrom, m.Session.HeloName)
			}
			if (m.Session.TLS != nil) != (tc.opts != nil) {
				t.Fatalf("session TLS %v", m.Session.TLS != nil)
			}
		})
	}
}

func TestOpenSSLStartTLS(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.StartTLS)
	input := "EHLO ossl.example\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.net>\nDATA\n" +
		"Subject: openssl\n\nover s_client\n.\nQUIT\n"
	out := runProgram(t, input, "openssl", "s_client", "-starttls", "smtp", "-connect", srv.Addr, "-crlf", "-quiet",
		"-CAfile", certFile(t, srv), "-verify_return_error", "-verify_ip", "127.0.0.1")
	m := only(t, srv)
	if string(m.Data) != "Subject: openssl\r\n\r\nover s_client\r\n" || m.Session.TLS == nil || m.Session.HeloName != "ossl.example" {
		t.Fatalf("delivered %q, TLS %v, helo %q\n%s", m.Data, m.Session.TLS != nil, m.Session.HeloName, out)
	}
	if !strings.Contains(out, "221") {
		t.Fatalf("no 221 to QUIT:\n%s", out)
	}
}

// HAProxy in front, sending PROXY v1 and v2: the handler sees the address
// of the real client (connecting from 127.0.0.2), not HAProxy's.
func TestHAProxy(t *testing.T) {
	box := newInbox()
	fromHAProxy := func(peer net.Addr) bool { return peer.(*net.TCPAddr).IP.Equal(net.IPv4(127, 0, 0, 1)) }
	ctl := control(t, &gosmtpd.Controller{Server: &gosmtpd.Server{Handler: box,
		Proxy: &transport.ProxyOptions{Trusted: fromHAProxy}}})
	fronts := testkit.HAProxy(t, ctl.Addr().String(), "send-proxy", "send-proxy-v2")
	for mode, version := range map[string]int{"send-proxy": 1, "send-proxy-v2": 2} {
		t.Run(mode, func(t *testing.T) {
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}
			nc, err := d.Dial("tcp", fronts[mode])
			if err != nil {
				t.Fatal(err)
			}
			client := nc.LocalAddr().String()
			c, err := smtp.NewClient(nc, "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			body := "Subject: via haproxy\r\n\r\n" + mode + "\r\n"
			if err := sendWith(c, body); err != nil {
				t.Fatal(err)
			}
			m := box.next(t)
			if m.sess.Peer != client || m.sess.Proxy == nil || m.sess.Proxy.Version != version {
				t.Fatalf("session peer %q, proxy %+v; want the client %s", m.sess.Peer, m.sess.Proxy, client)
			}
			if m.sess.Proxy.Destination.String() != fronts[mode] || m.data != body {
				t.Fatalf("destination %v, delivered %q", m.sess.Proxy.Destination, m.data)
			}
		})
	}
	// a peer other than HAProxy is greeted at once: no header is taken from it
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}
	nc, err := d.Dial("tcp", ctl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	testkit.NewClient(t, nc).Expect("220 ")
}

// sendWith delivers one message over a net/smtp client and quits.
func sendWith(c *smtp.Client, body string) error {
	if err := c.Hello("client.example"); err != nil {
		return err
	}
	if err := c.Mail("a@example.com"); err != nil {
		return err
	}
	if err := c.Rcpt("b@example.net"); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	io.WriteString(w, body)
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
