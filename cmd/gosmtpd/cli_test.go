package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/crypto/bcrypt"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/transport/unix"
)

// sendPy sends one message with smtplib to host:port, after the steps in
// prelude (Python statements on s, the smtplib.SMTP).
const sendPy = `
import smtplib, ssl, sys
host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl._create_unverified_context()
if mode == "smtps":
    s = smtplib.SMTP_SSL(host, port, context=ctx, timeout=10)
else:
    s = smtplib.SMTP(host, port, timeout=10)
if mode == "starttls":
    s.ehlo()
    code, _ = s.mail("early@example.com")
    print("before STARTTLS:", code)
    s.rset()
    s.starttls(context=ctx)
refused = s.sendmail("alice@example.com", ["bob@example.com"], b"Subject: hi\r\n\r\nHello from Python.\r\n")
print("refused:", refused)
s.quit()
`

// wantMessage is how aiosmtpd prints what sendPy sends (smtplib adds
// "size=35", which aiosmtpd upper-cases).
const wantMessage = "---------- MESSAGE FOLLOWS ----------\nmail options: ['SIZE=35']\n\nSubject: hi\nX-Peer: ('127.0.0.1', "

// TestCLIDebuggingByDefault: `gosmtpd -n` prints each message as
// aiosmtpd's Debugging does; SIGINT ends it cleanly.
func TestCLIDebuggingByDefault(t *testing.T) {
	t.Parallel()
	p := startCLI(t, "-n", "-l", "127.0.0.1:0")
	host, port := hostPort(t, p.Addr)
	if out := python(t, sendPy, host, port, "plain"); !strings.Contains(out, "refused: {}") {
		t.Fatalf("python: %s", out)
	}
	stopOK(t, p, syscall.SIGINT)
	out := p.Stdout.String()
	if !strings.Contains(out, wantMessage) || !strings.HasSuffix(out, "\n\nHello from Python.\n------------ END MESSAGE ------------\n") {
		t.Fatalf("stdout:\n%s", out)
	}
}

// TestCLIHandlerArgumentsFirst: "-c debugging stderr" before other flags,
// as aiosmtpd's argparse allows; swaks sends; SIGTERM ends it cleanly.
func TestCLIHandlerArgumentsFirst(t *testing.T) {
	t.Parallel()
	p := startCLI(t, "-c", "debugging", "stderr", "-n", "-l", "127.0.0.1:0")
	swaks(t, "--server", p.Addr, "--from", "a@example.com", "--to", "b@example.com", "--header", "Subject: swaks")
	stopOK(t, p, syscall.SIGTERM)
	if !strings.Contains(p.Stderr.String(), "Subject: swaks\n") || p.Stdout.String() != "" {
		t.Fatalf("stdout %q\nstderr %s", p.Stdout.String(), p.Stderr.String())
	}
}

func TestCLISink(t *testing.T) {
	t.Parallel()
	p := startCLI(t, "-n", "-c", "sink", "-l", "127.0.0.1:0")
	out := swaks(t, "--server", p.Addr, "--from", "a@example.com", "--to", "b@example.com")
	if !strings.Contains(out, "<-  250") {
		t.Fatalf("swaks:\n%s", out)
	}
	stopOK(t, p, syscall.SIGINT)
	if p.Stdout.String() != "" {
		t.Fatalf("sink printed %q", p.Stdout.String())
	}
}

// TestCLIMailbox: the file in new/ is the message as sent, with
// aiosmtpd's envelope fields added (X-Peer, X-MailFrom, X-RcptTo), or
// exactly as sent with "raw". The Maildir is made at start, when the server
// can tell whether it can write there.
func TestCLIMailbox(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want *regexp.Regexp
	}{
		{nil, regexp.MustCompile(`^Subject: hi\r\nX-Peer: \('127\.0\.0\.1', \d+\)\r\nX-MailFrom: alice@example\.com\r\n` +
			`X-RcptTo: bob@example\.com\r\n\r\nHello from Python\.\r\n$`)},
		{[]string{"raw"}, regexp.MustCompile(`^Subject: hi\r\n\r\nHello from Python\.\r\n$`)},
	} {
		dir := filepath.Join(t.TempDir(), "Maildir")
		p := startCLI(t, append(append([]string{"-n", "-c", "mailbox", dir}, tc.args...), "-l", "127.0.0.1:0")...)
		if _, err := os.Stat(filepath.Join(dir, "tmp")); err != nil {
			t.Fatalf("the Maildir was not made at start: %v", err)
		}
		host, port := hostPort(t, p.Addr)
		python(t, sendPy, host, port, "plain")
		stopOK(t, p, syscall.SIGINT)
		entries, err := os.ReadDir(filepath.Join(dir, "new"))
		if err != nil || len(entries) != 1 {
			t.Fatalf("new/: %v, %d files", err, len(entries))
		}
		b, _ := os.ReadFile(filepath.Join(dir, "new", entries[0].Name()))
		if !tc.want.Match(b) {
			t.Fatalf("%q: delivered %q", tc.args, b)
		}
	}
}

// refuser is an upstream server that refuses one recipient.
type refuser struct {
	mu  sync.Mutex
	got []string
}

func (r *refuser) HandleRCPT(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, address string, _ []string) error {
	if strings.HasPrefix(address, "nobody@") {
		return hooks.Reply{Code: 550, Enhanced: "5.1.1", Text: "no such user"}
	}
	return nil
}

func (r *refuser) HandleDATA(_ context.Context, _ *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	b, err := io.ReadAll(msg)
	r.mu.Lock()
	r.got = append(r.got, strings.Join(e.RcptTos, ",")+"|"+string(b))
	r.mu.Unlock()
	return err
}

// TestCLIProxy: smtplib learns of the recipient the upstream refused.
func TestCLIProxy(t *testing.T) {
	t.Parallel()
	up := &refuser{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &gosmtpd.Server{Handler: up, Hostname: "upstream.test"}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	defer func() {
		srv.Shutdown(context.Background())
		if err := <-done; !errors.Is(err, gosmtpd.ErrServerClosed) {
			t.Error(err)
		}
	}()
	upHost, upPort := hostPort(t, l.Addr().String())
	p := startCLI(t, "-n", "-c", "proxy", upHost, upPort, "-l", "127.0.0.1:0")
	host, port := hostPort(t, p.Addr)
	out := python(t, `
import smtplib, sys
s = smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=10)
print(s.sendmail("alice@example.com", ["bob@example.com", "nobody@example.com"], b"Subject: relay\r\n\r\nbody\r\n"))
s.quit()
`, host, port)
	if !strings.Contains(out, "{'nobody@example.com': (550, b'5.1.1 no such user')}") {
		t.Fatalf("python: %s", out)
	}
	stopOK(t, p, syscall.SIGINT)
	up.mu.Lock()
	defer up.mu.Unlock()
	received := regexp.MustCompile(`^bob@example\.com\|Received: from \[127\.0\.0\.1\] \(\[127\.0\.0\.1\]\)\r\n\tby localhost \(gosmtpd\) [^\r]+\r\n\tfor <bob@example\.com>;\r\n\t[^\r]+\r\n`)
	if len(up.got) != 1 || !received.MatchString(up.got[0]) ||
		!strings.HasSuffix(up.got[0], "\r\nSubject: relay\r\nX-Peer: 127.0.0.1\r\n\r\nbody\r\n") {
		t.Fatalf("upstream got %q", up.got)
	}
}

// TestCLISTARTTLS: mail is refused before STARTTLS (aiosmtpd's default
// with --tlscert), accepted after; swaks agrees.
func TestCLISTARTTLS(t *testing.T) {
	t.Parallel()
	cert, key := writeCert(t)
	p := startCLI(t, "-n", "--tlscert", cert, "--tlskey", key, "-l", "127.0.0.1:0")
	host, port := hostPort(t, p.Addr)
	out := python(t, sendPy, host, port, "starttls")
	if !strings.Contains(out, "before STARTTLS: 530") || !strings.Contains(out, "refused: {}") {
		t.Fatalf("python: %s", out)
	}
	out = swaks(t, "--server", p.Addr, "--tls", "--from", "a@example.com", "--to", "b@example.com")
	if !strings.Contains(out, "TLS started") {
		t.Fatalf("swaks:\n%s", out)
	}
	stopOK(t, p, syscall.SIGINT)
	if n := strings.Count(p.Stdout.String(), "MESSAGE FOLLOWS"); n != 2 {
		t.Fatalf("%d messages printed", n)
	}
}

func TestCLISMTPS(t *testing.T) {
	t.Parallel()
	cert, key := writeCert(t)
	p := startCLI(t, "-n", "--smtpscert", cert, "--smtpskey", key, "-l", "127.0.0.1:0")
	host, port := hostPort(t, p.Addr)
	if out := python(t, sendPy, host, port, "smtps"); !strings.Contains(out, "refused: {}") {
		t.Fatalf("python: %s", out)
	}
	swaks(t, "--server", p.Addr, "--tlsc", "--from", "a@example.com", "--to", "b@example.com")
	stopOK(t, p, syscall.SIGINT)
	if n := strings.Count(p.Stdout.String(), "MESSAGE FOLLOWS"); n != 2 {
		t.Fatalf("%d messages printed:\n%s", n, p.Stdout.String())
	}
}

// TestCLILMTPUnix: LMTP on a Unix socket answers per recipient.
func TestCLILMTPUnix(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "lmtp.sock")
	p := startCLI(t, "-n", "--lmtp", "--unix", sock, "--unix-mode", "606")
	if p.Addr != "unix:"+sock {
		t.Fatalf("printed %q", p.Addr)
	}
	if fi, err := os.Stat(sock); err != nil {
		t.Fatal(err)
	} else if fi.Mode().Perm() != 0o606 { // not what any usual umask gives
		t.Fatalf("socket file mode %v, want 0606", fi.Mode().Perm())
	}
	out := python(t, `
import smtplib, sys
s = smtplib.LMTP(sys.argv[1])
print(s.sendmail("alice@example.com", ["bob@example.com", "carol@example.com"], b"Subject: lmtp\r\n\r\nbody\r\n"))
s.quit()
`, sock)
	if !strings.Contains(out, "{}") {
		t.Fatalf("python: %s", out)
	}
	out = swaks(t, "--socket", sock, "--protocol", "LMTP", "--from", "a@example.com", "--to", "b@example.com,c@example.com")
	if strings.Count(out, "<-  250 ") < 2 {
		t.Fatalf("swaks:\n%s", out)
	}
	stopOK(t, p, syscall.SIGINT)
	if n := strings.Count(p.Stdout.String(), "MESSAGE FOLLOWS"); n != 2 {
		t.Fatalf("%d messages printed", n)
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left behind: %v", err)
	}
}

// TestCLIAuth: AUTH against an htpasswd file of bcrypt hashes, required.
func TestCLIAuth(t *testing.T) {
	t.Parallel()
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "users")
	os.WriteFile(file, []byte("# test users\nalice:$2y$"+string(hash[4:])+"\n"), 0o600)
	p := startCLI(t, "-n", "-c", "sink", "--auth-file", file, "--auth-required", "--auth-cleartext", "-l", "127.0.0.1:0")
	host, port := hostPort(t, p.Addr)
	out := python(t, `
import smtplib, sys
s = smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=10)
s.ehlo()
print("unauthenticated MAIL:", s.mail("a@example.com")[0])
s.rset()
try:
    s.login("alice", "wrong")
except smtplib.SMTPAuthenticationError as e:
    print("wrong password:", e.smtp_code)
s.login("alice", "s3cret")
print("refused:", s.sendmail("alice@example.com", ["bob@example.com"], b"Subject: auth\r\n\r\nx\r\n"))
s.quit()
`, host, port)
	for _, want := range []string{"unauthenticated MAIL: 530", "wrong password: 535", "refused: {}"} {
		if !strings.Contains(out, want) {
			t.Fatalf("python lacks %q:\n%s", want, out)
		}
	}
	out = swaks(t, "--server", p.Addr, "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "s3cret",
		"--from", "a@example.com", "--to", "b@example.com")
	if !strings.Contains(out, "<-  235") {
		t.Fatalf("swaks:\n%s", out)
	}
	stopOK(t, p, syscall.SIGINT)
}

// TestCLIMaxConnsAndProxyProtocol: the connection over --max-conns gets
// 421; the one within it gives its PROXY header, whose client address is
// the one printed.
func TestCLIMaxConnsAndProxyProtocol(t *testing.T) {
	t.Parallel()
	p := startCLI(t, "-n", "--max-conns", "1", "--proxy-protocol", "5s", "-l", "127.0.0.1:0")
	first, err := net.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	io.WriteString(first, "PROXY TCP4 192.0.2.7 192.0.2.1 4242 25\r\n")
	greeting := make([]byte, 3)
	if _, err := io.ReadFull(first, greeting); err != nil || string(greeting) != "220" {
		t.Fatalf("greeting %q, %v", greeting, err)
	}
	second, err := net.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(second)
	second.Close()
	if !strings.HasPrefix(string(b), "421") {
		t.Fatalf("second connection got %q", b)
	}
	io.WriteString(first, "HELO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
	io.WriteString(first, "Subject: proxied\r\n\r\nx\r\n.\r\nQUIT\r\n")
	io.ReadAll(first)
	stopOK(t, p, syscall.SIGINT)
	if !strings.Contains(p.Stdout.String(), "X-Peer: ('192.0.2.7', 4242)") {
		t.Fatalf("stdout:\n%s", p.Stdout.String())
	}
}

// TestCLIFailures: each mistake gives one line on stderr and a non-zero
// exit.
func TestCLIFailures(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	users := filepath.Join(t.TempDir(), "users")
	os.WriteFile(users, []byte("alice:$2y$04$0123456789012345678901uKkE0kCbYOY9A5hE3fJ2x2fhcdWXSm6\n"), 0o600)
	sock := filepath.Join(t.TempDir(), "lmtp.sock")
	live, err := unix.Listen(sock, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	notDir := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(notDir, nil, 0o600)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		// AUTH is offered only under TLS: no client could ever send mail.
		{[]string{"-n", "--auth-file", users, "--auth-required"}, 2, "--auth-required needs TLS"},
		// The path once, not twice.
		{[]string{"-n", "--unix", sock}, 1, "socket in use by a running server: " + sock},
		// A Maildir that cannot be written is found out at start.
		{[]string{"-n", "-c", "mailbox", filepath.Join(notDir, "Maildir"), "-l", "127.0.0.1:0"}, 1, "not a directory"},
		{[]string{"-n", "--bogus"}, 2, "unknown flag --bogus"},
		{[]string{"-n", "-c", "nonesuch"}, 2, "unknown handler"},
		{[]string{"-n", "--tlscert", "/nonexistent/cert.pem", "--tlskey", "/nonexistent/key.pem"}, 1, "/nonexistent/cert.pem"},
		{[]string{"-n", "--tlscert", "only.pem"}, 2, "--tlscert and --tlskey must be specified together"},
		{[]string{"-n", "-l", busy.Addr().String()}, 1, "address already in use"},
		{[]string{"-n", "--auth-file", "/nonexistent/users"}, 1, "/nonexistent/users"},
		{[]string{"-n", "--auth-required"}, 2, "need --auth-file"},
	} {
		p := &proc{}
		cmd := execCLI(t, c.args, &p.Stdout, &p.Stderr)
		err := cmd.Run()
		lines := strings.Split(strings.TrimSuffix(p.Stderr.String(), "\n"), "\n")
		if cmd.ProcessState.ExitCode() != c.code || len(lines) != 1 || !strings.Contains(lines[0], c.want) {
			t.Errorf("%q: exit %v, stderr %q; want %d and one line with %q", c.args, err, p.Stderr.String(), c.code, c.want)
		}
		if c.want == "socket in use by a running server: "+sock && strings.Count(lines[0], sock) != 1 {
			t.Errorf("%q: the path more than once in %q", c.args, lines[0])
		}
	}
}

// TestCLIDropsToNobody: as root, without -n, the server runs as nobody.
func TestCLIDropsToNobody(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("not root")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	p := startCLI(t, "-c", "sink", "-l", "127.0.0.1:0")
	status, err := os.ReadFile("/proc/" + itoa(p.Cmd.Process.Pid) + "/status")
	if err != nil {
		t.Skip(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) == 5 && f[0] == "Uid:" && f[1] != nobody.Uid {
			t.Fatalf("%s, want uid %s", line, nobody.Uid)
		}
	}
	swaks(t, "--server", p.Addr, "--from", "a@example.com", "--to", "b@example.com")
	stopOK(t, p, syscall.SIGINT)
}

// TestCLIWarnsOfAuthNeverOffered: --auth-file without TLS or
// --auth-cleartext starts, but says that AUTH will never be offered.
func TestCLIWarnsOfAuthNeverOffered(t *testing.T) {
	t.Parallel()
	users := filepath.Join(t.TempDir(), "users")
	os.WriteFile(users, []byte("alice:$2y$04$0123456789012345678901uKkE0kCbYOY9A5hE3fJ2x2fhcdWXSm6\n"), 0o600)
	p := startCLI(t, "-n", "-c", "sink", "--auth-file", users, "-l", "127.0.0.1:0")
	stopOK(t, p, syscall.SIGINT)
	if !strings.Contains(p.Stderr.String(), "warning: --auth-file without TLS") {
		t.Fatalf("stderr:\n%s", p.Stderr.String())
	}
}
