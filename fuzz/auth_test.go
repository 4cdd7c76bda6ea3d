package fuzz

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/transport"
)

// The one account FuzzAuth's server knows.
const (
	authUser     = "user"
	authPassword = "secret"
	maxAuthFails = 3
)

// The mechanisms FuzzAuth tries: every one in package hooks, and a name
// the server does not offer.
var authMechanisms = []string{"PLAIN", "LOGIN", "CRAM-MD5", "X-UNKNOWN"}

// FuzzAuth runs AUTH exchanges through the server. Each line of the input
// is one client line. A line that starts an attempt is one byte for the
// mechanism (authMechanisms, modulo), then the initial response, if any,
// in the form of a response; a line that answers a 334 is a response. A
// response is sent base64-encoded by the test, except that "~" sends the
// rest raw, "#" sends, for CRAM-MD5, the rest's "name:password" as the
// name and the digest of the server's challenge keyed with password, and
// a line that starts an attempt with no byte after the mechanism's has no
// initial response. See the package documentation for the invariants.
func FuzzAuth(f *testing.F) {
	for _, s := range []string{
		"\x00\x00user\x00secret",
		"\x00\x00user\x00wrong",
		"\x00user\x00user\x00secret",
		"\x00\n\x00user\x00secret",
		"\x01user\nsecret",
		"\x01\nuser\nsecret",
		"\x01\n~*",
		"\x02\n#user:secret",
		"\x02\n#user:guess\n\x02\n#user:secret",
		"\x02~=",
		"\x03",
		"\x00~AHVzZXIAc2VjcmV0\n\x00\x00user\x00secret",
		"\x00~not base64!\n\x00~=\n\x01~dXNlcg==\n~c2VjcmV0",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(runAuth)
}

// authRecorder keeps the credentials the Authenticator accepted.
type authRecorder struct {
	mu       sync.Mutex
	accepted []hooks.Credentials
}

func (a *authRecorder) Authenticate(ctx context.Context, s *hooks.Session, e *hooks.Envelope, c *hooks.Credentials) error {
	err := hooks.Passwords{authUser: authPassword}.Authenticate(ctx, s, e, c)
	if err == nil {
		a.mu.Lock()
		a.accepted = append(a.accepted, *c)
		a.mu.Unlock()
	}
	return err
}

// runAuth runs one FuzzAuth input.
func runAuth(t *testing.T, in []byte) {
	before := snapshot()
	auth := &authRecorder{}
	o := &transport.Options{Logger: discard}
	o.Core.Hostname, o.Core.AuthCleartext, o.Core.MaxAuthFailures = "mx.fuzz", true, maxAuthFails
	o.Core.MaxErrors, o.Core.MaxUnknown = -1, -1
	o.Authenticator = auth
	o.Mechanisms = []hooks.Mechanism{hooks.Plain, hooks.Login, hooks.CRAMMD5{Hostname: "mx.fuzz"}}
	srv, cli := pipe()
	done := make(chan error, 1)
	go func() { done <- transport.ServeConn(context.Background(), srv, o) }()

	s := &authSession{t: t, in: in, auth: auth, w: cli, r: bufio.NewReader(cli)}
	s.run()
	srv.endInput()
	io.Copy(io.Discard, s.r)
	waitServe(t, done)
	cli.Close()
	checkGoroutines(t, before)
}

// authSession is the client's side of FuzzAuth, with the model of each
// mechanism.
type authSession struct {
	t    *testing.T
	in   []byte
	auth *authRecorder
	w    io.Writer
	r    *bufio.Reader
	log  bytes.Buffer // the dialogue, for failures

	authed   bool
	failures int
}

func (s *authSession) fail(format string, args ...any) {
	s.t.Helper()
	s.t.Fatalf("%s\ninput: %q\ndialogue:\n%s", fmt.Sprintf(format, args...), s.in, s.log.String())
}

// send writes one line and reads its reply; false once the session is
// over. The reply is read while the line is written: net.Pipe buffers
// nothing, and the server may answer a long line before it has read all
// of it.
func (s *authSession) send(line []byte) (reply, bool) {
	s.t.Helper()
	fmt.Fprintf(&s.log, "C: %q\n", line)
	written := make(chan struct{})
	go func() {
		s.w.Write(append(line, "\r\n"...)) // fails once the server has closed: the reply says why
		close(written)
	}()
	rep, more := s.reply()
	<-written
	return rep, more
}

func (s *authSession) reply() (reply, bool) {
	s.t.Helper()
	var out []byte
	for {
		l, err := s.r.ReadBytes('\n')
		out = append(out, l...)
		if err != nil {
			s.fail("no reply: %v (got %q)", err, out)
		}
		if len(l) < 6 || l[3] != '-' {
			break
		}
	}
	fmt.Fprintf(&s.log, "S: %q\n", out)
	replies, err := parseReplies(out)
	if err != nil || len(replies) != 1 {
		s.fail("malformed reply %q: %v", out, err)
	}
	return replies[0], replies[0].code != 421
}

// run greets, then plays the input's attempts.
func (s *authSession) run() {
	if rep, _ := s.reply(); rep.code != 220 {
		s.fail("greeting %v", rep)
	}
	if rep, _ := s.send([]byte("EHLO c.fuzz")); rep.code != 250 {
		s.fail("EHLO: %v", rep)
	}
	lines := bytes.Split(s.in, []byte("\n"))
	for len(lines) > 0 {
		var more bool
		if lines, more = s.attempt(lines); !more {
			return
		}
	}
	s.send([]byte("QUIT"))
}

// attempt plays one AUTH attempt: its line and the answers to its 334s.
func (s *authSession) attempt(lines [][]byte) ([][]byte, bool) {
	first := lines[0]
	lines = lines[1:]
	if len(first) == 0 {
		return lines, true
	}
	x := &exchange{mech: authMechanisms[int(first[0])%len(authMechanisms)]}
	cmd := []byte("AUTH " + x.mech)
	if ir := first[1:]; len(ir) > 0 {
		cmd = append(append(cmd, ' '), x.encode(ir)...)
	}
	rep, more := s.send(cmd)
	for more && rep.code == 334 && len(lines) > 0 {
		x.challenge(rep)
		resp := lines[0]
		lines = lines[1:]
		rep, more = s.send(x.encode(resp))
	}
	if rep.code == 334 { // the input ended inside the exchange
		rep, more = s.send([]byte("*"))
	}
	s.check(x, rep)
	return lines, more
}

// check judges the outcome of one attempt against the model.
func (s *authSession) check(x *exchange, rep reply) {
	s.t.Helper()
	valid, known := x.valid()
	switch {
	case rep.code == 421 && s.failures < maxAuthFails:
		s.fail("421 after %d failed attempts, fewer than the limit %d", s.failures, maxAuthFails)
	case rep.code == 421:
		// the limit was reached: the session is over
	case s.authed && rep.code != 503 && rep.code != 500:
		s.fail("AUTH after a success got %v, want 503 (or 500 for a malformed line)", rep)
	case rep.code == 235 && !s.lastAcceptedIsConfigured():
		s.fail("235 without the Authenticator accepting the configured credentials")
	case rep.code == 235 && known && !valid:
		s.fail("235 for credentials that are not the configured ones")
	case rep.code != 235 && known && valid && !s.authed:
		s.fail("%v for the configured credentials", rep)
	}
	switch {
	case rep.code == 235:
		s.authed = true
	case rep.code >= 500:
		s.failures++
	}
}

// lastAcceptedIsConfigured reports whether the Authenticator accepted the
// configured credentials (the last time it accepted anything).
func (s *authSession) lastAcceptedIsConfigured() bool {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	n := len(s.auth.accepted)
	if n == 0 {
		return false
	}
	c := s.auth.accepted[n-1]
	s.auth.accepted = s.auth.accepted[:n-1]
	return c.Username == authUser && (c.Password == authPassword || c.Mechanism == "CRAM-MD5")
}

// exchange models one SASL exchange from the client's side: the responses
// it sent, decoded, and whether the test encoded all of them (only then
// does the model know what the server decoded).
type exchange struct {
	mech       string
	responses  [][]byte // each response sent, as the server should decode it
	raw        bool     // a response was sent raw
	challenges [][]byte // the server's challenges, decoded
}

func (x *exchange) challenge(rep reply) {
	line := rep.lines[len(rep.lines)-1]
	ch, err := base64.StdEncoding.DecodeString(line[min(4, len(line)):])
	if err != nil {
		ch = nil
	}
	x.challenges = append(x.challenges, ch)
}

// encode turns one response of the input into the line to send.
func (x *exchange) encode(resp []byte) []byte {
	switch {
	case len(resp) > 0 && resp[0] == '~':
		x.raw = true
		return resp[1:]
	case len(resp) > 0 && resp[0] == '#' && len(x.challenges) > 0:
		name, password, _ := bytes.Cut(resp[1:], []byte(":"))
		mac := hmac.New(md5.New, password)
		mac.Write(x.challenges[len(x.challenges)-1])
		resp = fmt.Appendf(nil, "%s %s", name, hex.EncodeToString(mac.Sum(nil)))
	}
	x.responses = append(x.responses, resp)
	if len(resp) == 0 {
		return []byte("=")
	}
	return []byte(base64.StdEncoding.EncodeToString(resp))
}

// valid says whether the responses carry the configured credentials, as
// each mechanism defines them; known is false when the model cannot tell
// (a response was sent raw).
func (x *exchange) valid() (valid, known bool) {
	if x.raw {
		return false, false
	}
	r := x.responses
	switch x.mech {
	case "PLAIN": // RFC 4616: authzid NUL authcid NUL passwd, in one response
		if len(r) != 1 {
			return false, true
		}
		parts := bytes.Split(r[0], []byte{0})
		return len(parts) == 3 && (string(parts[0]) == "" || string(parts[0]) == authUser) &&
			string(parts[1]) == authUser && string(parts[2]) == authPassword, true
	case "LOGIN": // the user name, then the password
		return len(r) == 2 && string(r[0]) == authUser && string(r[1]) == authPassword, true
	case "CRAM-MD5": // RFC 2195: "name digest" over the one challenge, no initial response
		if len(r) != 1 || len(x.challenges) != 1 {
			return false, true
		}
		mac := hmac.New(md5.New, []byte(authPassword))
		mac.Write(x.challenges[0])
		return string(r[0]) == authUser+" "+hex.EncodeToString(mac.Sum(nil)), true
	}
	return false, true
}
