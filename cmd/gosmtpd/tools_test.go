package main

// Real mail tools against the gosmtpd binary: Postfix's smtp-source,
// swaks, curl, openssl s_client and HAProxy in front. Each test reads what
// was delivered (the Maildir's new/ files, byte for byte, or the Debugging
// handler's output), not only the tool's exit code.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// toolTimeout bounds every outside program: a hung tool fails its test
// rather than the whole run.
const toolTimeout = 60 * time.Second

// runTool runs an outside program with stdin; its combined output and
// how it ended.
func runTool(t *testing.T, stdin, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, testkit.Program(t, name), args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// mustRun is runTool for a program that must succeed.
func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := runTool(t, "", name, args...)
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return out
}

// startMailbox runs gosmtpd delivering to a fresh Maildir, with args
// added; the process and the Maildir.
func startMailbox(t *testing.T, args ...string) (*proc, string) {
	t.Helper()
	dir := filepath.Join(memoryDir(t), "Maildir")
	return startCLI(t, append([]string{"-n", "-c", "mailbox", dir}, args...)...), dir
}

// memoryDir is a fresh directory in memory (tmpfs) when the system has
// one, else on disk. Mailbox syncs every message to disk before its 250:
// on a busy disk that, not gosmtpd, would set the pace of 1000 messages.
func memoryDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "gosmtpd-test-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// delivered returns the messages in the Maildir's new/, in name order.
// Mailbox renames a message into new/ before it answers 250, so a client
// that has its 250 finds its message there.
func delivered(t *testing.T, dir string) [][]byte {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "new"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, 0, len(entries))
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, "new", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// deliveredOne returns the only message in the Maildir.
func deliveredOne(t *testing.T, dir string) []byte {
	t.Helper()
	msgs := delivered(t, dir)
	if len(msgs) != 1 {
		t.Fatalf("%d messages in %s, want 1", len(msgs), dir)
	}
	return msgs[0]
}

// writeFile writes content to a file of that name in a fresh directory.
func writeFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeUsers writes an htpasswd file with one user and a bcrypt hash of
// the password, in the "$2y$" form htpasswd -B writes.
func writeUsers(t *testing.T, user, password string) string {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "users", []byte(user+":$2y$"+string(hash[4:])+"\n"))
}

// debugMessages splits the Debugging handler's output into its messages,
// each from its first line after the banner to the line before the end.
func debugMessages(out string) []string {
	const begin, end = "---------- MESSAGE FOLLOWS ----------\n", "------------ END MESSAGE ------------\n"
	var msgs []string
	for {
		_, rest, ok := strings.Cut(out, begin)
		if !ok {
			return msgs
		}
		msg, after, ok := strings.Cut(rest, end)
		if !ok {
			return msgs
		}
		msgs = append(msgs, msg)
		out = after
	}
}

// countLines counts the lines of s that contain all of parts.
func countLines(s string, parts ...string) int {
	n := 0
	for _, line := range strings.Split(s, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			n++
		}
	}
	return n
}

// sourceFile is the message smtp-source sends with -F, as LF lines: it
// dot-stuffs them, ends each with CRLF and adds one CRLF at the end.
const sourceFile = "Subject: smtp-source\nX-Test: from a file\n\n.leading dot\n.\n..two dots\nlast line\n"

// sourceDelivered is what the handler must receive for sourceFile.
var sourceDelivered = strings.ReplaceAll(sourceFile, "\n", "\r\n") + "\r\n"

// TestSmtpSource: Postfix's smtp-source sends 1000 messages over 20
// sessions at once; all 1000 reach the Maildir, each byte for byte as sent
// (dot-stuffed lines included), in one session per message or in 20
// persistent ones (-d), as the session logs show.
func TestSmtpSource(t *testing.T) {
	t.Parallel()
	source := testkit.Program(t, "/usr/sbin/smtp-source")
	file := writeFile(t, "message.txt", []byte(sourceFile))
	for _, c := range []struct {
		name     string
		flags    []string
		sessions int
	}{
		{"a session per message", nil, 1000},
		{"persistent sessions", []string{"-d"}, 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, dir := startMailbox(t, "-dd", "-l", "127.0.0.1:0")
			args := append([]string{"-s", "20", "-m", "1000", "-F", file, "-f", "a@example.com", "-t", "b@example.com",
				"-M", "source.example"}, c.flags...)
			mustRun(t, source, append(args, p.addr)...)
			msgs := delivered(t, dir)
			if len(msgs) != 1000 {
				t.Fatalf("%d messages delivered, want 1000", len(msgs))
			}
			for i, m := range msgs {
				if string(m) != sourceDelivered {
					t.Fatalf("message %d: %q, want %q", i, m, sourceDelivered)
				}
			}
			p.stopOK(t, syscall.SIGTERM)
			logs := p.stderr.String()
			if n := countLines(logs, `msg="session ended"`, "cause=QUIT"); n != c.sessions {
				t.Fatalf("%d sessions ended with QUIT, want %d\n%.2000s", n, c.sessions, logs)
			}
		})
	}
}

// sourceHeader is the header smtp-source writes without -F; its Date and
// Message-Id vary (the Id is not unique: it counts messages not yet sent,
// across sessions).
var sourceHeader = regexp.MustCompile(`^From: <a@example\.com>\r\nTo: <b@example\.com>\r\nDate: [^\r\n]+\r\n` +
	`Message-Id: <[0-9a-f]+\.[0-9a-f]+\.[0-9a-f]+@source\.example>\r\nSubject: lmtp\r\n\r\n`)

// sourcePayload is the body smtp-source writes with -l n: n bytes of X in
// lines of 80 with CRLF, each line but the last led by a digit, then the
// CRLF of its last line.
func sourcePayload(n int) string {
	b := bytes.Repeat([]byte("X"), n)
	for i := 80; i < n; i += 80 {
		b[i-80] = "0123456789"[(i/80)%10]
		b[i-2], b[i-1] = '\r', '\n'
	}
	return string(b) + "\r\n"
}

// TestSmtpSourceLMTP: smtp-source -L over a Unix socket, three recipients
// a message, reading the three replies after each dot (it stops at the
// first that is not 2xx): all 1000 messages delivered with smtp-source's
// own header and payload.
func TestSmtpSourceLMTP(t *testing.T) {
	t.Parallel()
	source := testkit.Program(t, "/usr/sbin/smtp-source")
	sock := filepath.Join(t.TempDir(), "lmtp.sock")
	p, dir := startMailbox(t, "--lmtp", "--unix", sock)
	mustRun(t, source, "-L", "-d", "-s", "20", "-m", "1000", "-r", "3", "-l", "300", "-S", "lmtp",
		"-f", "a@example.com", "-t", "b@example.com", "-M", "source.example", "unix:"+sock)
	msgs := delivered(t, dir)
	if len(msgs) != 1000 {
		t.Fatalf("%d messages delivered, want 1000", len(msgs))
	}
	payload := sourcePayload(300)
	for i, m := range msgs {
		head := sourceHeader.Find(m)
		if head == nil || string(m[len(head):]) != payload {
			t.Fatalf("message %d: %q, want the header and %q", i, m, payload)
		}
	}
	p.stopOK(t, syscall.SIGTERM)
}

// pipelinedTogether reports whether swaks's transcript shows MAIL, every
// RCPT and DATA sent ("->") before the first reply to them ("<-").
func pipelinedTogether(transcript string, rcpts int) bool {
	sent := 0
	for _, line := range strings.Split(transcript, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "-> MAIL FROM:"), strings.HasPrefix(line, "-> RCPT TO:"), line == "-> DATA":
			sent++
		case strings.HasPrefix(line, "<-") && sent > 0:
			return sent == rcpts+2
		}
	}
	return false
}

// TestSwaksPipelining: swaks sends MAIL, both RCPTs and DATA in one go;
// the message arrives as given, its dot-stuffed line restored.
func TestSwaksPipelining(t *testing.T) {
	t.Parallel()
	p, dir := startMailbox(t, "-l", "127.0.0.1:0")
	out := mustRun(t, "swaks", "--server", p.addr, "--pipeline", "--helo", "swaks.example",
		"--from", "a@example.com", "--to", "b@example.com,c@example.com",
		"--data", "Subject: pipelined\nX-Test: yes\n\nfirst line\n.dot line\nlast line")
	if !strings.Contains(out, "<-  250-PIPELINING") || !pipelinedTogether(out, 2) {
		t.Fatalf("swaks did not pipeline:\n%s", out)
	}
	want := "Subject: pipelined\r\nX-Test: yes\r\n\r\nfirst line\r\n.dot line\r\nlast line\r\n"
	if got := deliveredOne(t, dir); string(got) != want {
		t.Fatalf("delivered %q, want %q\n%s", got, want, out)
	}
}

// TestSwaksSTARTTLS: with --tlscert and --tlskey, swaks --tls upgrades and
// sends the transaction inside TLS ("~>" lines); the message arrives.
func TestSwaksSTARTTLS(t *testing.T) {
	t.Parallel()
	cert, key := writeCert(t)
	p, dir := startMailbox(t, "--tlscert", cert, "--tlskey", key, "-l", "127.0.0.1:0")
	out := mustRun(t, "swaks", "--server", p.addr, "--tls", "--from", "a@example.com", "--to", "b@example.com",
		"--data", "Subject: over TLS\n\nsecret")
	if !strings.Contains(out, "=== TLS started") || !strings.Contains(out, " ~> MAIL FROM:<a@example.com>") {
		t.Fatalf("swaks did not send inside TLS:\n%s", out)
	}
	if got := deliveredOne(t, dir); string(got) != "Subject: over TLS\r\n\r\nsecret\r\n" {
		t.Fatalf("delivered %q", got)
	}
}

// TestSwaksAuth: AUTH PLAIN and LOGIN against an htpasswd file of bcrypt
// hashes, after STARTTLS (AUTH is not offered before it); a wrong
// password gets 535 and delivers nothing.
func TestSwaksAuth(t *testing.T) {
	t.Parallel()
	cert, key := writeCert(t)
	users := writeUsers(t, "alice", "s3cret")
	p, dir := startMailbox(t, "--tlscert", cert, "--tlskey", key, "--auth-file", users, "--auth-required", "-l", "127.0.0.1:0")
	send := func(mech, password string) (string, error) {
		return runTool(t, "", "swaks", "--server", p.addr, "--tls", "--auth", mech, "--auth-user", "alice",
			"--auth-password", password, "--from", "a@example.com", "--to", "b@example.com",
			"--data", "Subject: "+mech+"\n\nauthenticated")
	}
	t.Run("clients", func(t *testing.T) {
		for _, mech := range []string{"PLAIN", "LOGIN"} {
			t.Run(mech, func(t *testing.T) {
				t.Parallel()
				out, err := send(mech, "s3cret")
				if err != nil || !strings.Contains(out, "~> AUTH "+mech) || !strings.Contains(out, "<~  235 ") {
					t.Fatalf("AUTH %s: %v\n%s", mech, err, out)
				}
			})
		}
		t.Run("wrong password", func(t *testing.T) {
			t.Parallel()
			out, err := send("PLAIN", "wrong")
			if err == nil || !strings.Contains(out, "<~* 535 ") || strings.Contains(out, "MAIL FROM") {
				t.Fatalf("wrong password: %v\n%s", err, out)
			}
		})
		t.Run("before STARTTLS", func(t *testing.T) {
			t.Parallel()
			out, err := runTool(t, "", "swaks", "--server", p.addr, "--auth", "PLAIN", "--auth-user", "alice",
				"--auth-password", "s3cret", "--from", "a@example.com", "--to", "b@example.com")
			if err == nil || !strings.Contains(out, "<-  250-STARTTLS") || strings.Contains(out, "AUTH ") {
				t.Fatalf("AUTH before STARTTLS: %v\n%s", err, out)
			}
		})
	})
	var subjects []string
	for _, m := range delivered(t, dir) {
		subjects = append(subjects, strings.SplitN(string(m), "\r\n", 2)[0])
	}
	sort.Strings(subjects)
	if strings.Join(subjects, "|") != "Subject: LOGIN|Subject: PLAIN" {
		t.Fatalf("delivered %q", subjects)
	}
}

// TestSwaksAttachment: swaks --attach makes a multipart/mixed message; the
// delivered MIME has the text body and the attachment, whose base64
// decodes to the file's bytes, every byte value among them.
func TestSwaksAttachment(t *testing.T) {
	t.Parallel()
	content := make([]byte, 3*256)
	for i := range content {
		content[i] = byte(i * 7)
	}
	file := writeFile(t, "blob.bin", content)
	p, dir := startMailbox(t, "-l", "127.0.0.1:0")
	mustRun(t, "swaks", "--server", p.addr, "--from", "a@example.com", "--to", "b@example.com",
		"--header", "Subject: attachment", "--body", "see the attachment", "--attach", "@"+file)
	msg, err := mail.ReadMessage(bytes.NewReader(deliveredOne(t, dir)))
	if err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/mixed" || msg.Header.Get("Subject") != "attachment" {
		t.Fatalf("Content-Type %q (%v), Subject %q", msg.Header.Get("Content-Type"), err, msg.Header.Get("Subject"))
	}
	parts := readParts(t, multipart.NewReader(msg.Body, params["boundary"]))
	if len(parts) != 2 || !strings.HasPrefix(parts[0].contentType, "text/plain") || strings.TrimSpace(string(parts[0].body)) != "see the attachment" {
		t.Fatalf("parts %+v", parts)
	}
	if mt, _, _ := mime.ParseMediaType(parts[1].contentType); mt != "application/octet-stream" || parts[1].filename != "blob.bin" || !bytes.Equal(parts[1].body, content) {
		t.Fatalf("attachment %q named %q: %d bytes, equal %v", parts[1].contentType, parts[1].filename,
			len(parts[1].body), bytes.Equal(parts[1].body, content))
	}
}

type mimePart struct {
	contentType, filename string
	body                  []byte // decoded
}

// readParts reads every part, decoding base64 (multipart.Reader decodes
// only quoted-printable).
func readParts(t *testing.T, r *multipart.Reader) []mimePart {
	t.Helper()
	var parts []mimePart
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			body = base64.NewDecoder(base64.StdEncoding, part)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, mimePart{part.Header.Get("Content-Type"), part.FileName(), b})
	}
}

// eightBit is text with UTF-8 and bytes that are not UTF-8 at all.
const eightBit = "caf\xc3\xa9 \xe2\x82\xac na\xefve \xff\xfe raw"

// TestSwaks8BITMIME: swaks (ESMTP) sends a body of 8-bit bytes; they reach
// the Maildir unchanged. swaks has no way to declare BODY=8BITMIME, so
// smtplib declares it, and the Debugging output shows it among the mail
// options, with the body's UTF-8 intact.
func TestSwaks8BITMIME(t *testing.T) {
	t.Parallel()
	t.Run("swaks", func(t *testing.T) {
		t.Parallel()
		p, dir := startMailbox(t, "-l", "127.0.0.1:0")
		out := mustRun(t, "swaks", "--server", p.addr, "--protocol", "ESMTP", "--from", "a@example.com", "--to", "b@example.com",
			"--data", "Subject: 8bit\n\n"+eightBit)
		if !strings.Contains(out, "<-  250-8BITMIME") {
			t.Fatalf("8BITMIME not offered:\n%s", out)
		}
		if got := deliveredOne(t, dir); string(got) != "Subject: 8bit\r\n\r\n"+eightBit+"\r\n" {
			t.Fatalf("delivered %q", got)
		}
	})
	t.Run("BODY=8BITMIME", func(t *testing.T) {
		t.Parallel()
		p := startCLI(t, "-n", "-l", "127.0.0.1:0")
		host, port := hostPort(t, p.addr)
		python(t, `
import smtplib, sys
s = smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=10)
s.ehlo()
assert s.has_extn("8bitmime")
s.sendmail("a@example.com", ["b@example.com"], "Subject: 8bit\r\n\r\ncafé € naïve\r\n".encode(), mail_options=["BODY=8BITMIME"])
s.quit()
`, host, port)
		p.stopOK(t, syscall.SIGINT)
		msgs := debugMessages(p.stdout.String())
		if len(msgs) != 1 || !strings.HasPrefix(msgs[0], "mail options: ['SIZE=") || !strings.Contains(msgs[0], "'BODY=8BITMIME']\n") ||
			!strings.HasSuffix(msgs[0], "\ncafé € naïve\n") {
			t.Fatalf("printed:\n%s", p.stdout.String())
		}
	})
}

// TestCurl: curl uploads a message over smtp://, over smtps:// (verifying
// the certificate given to --smtpscert), and over STARTTLS with AUTH
// (--user, PLAIN and LOGIN); each arrives byte for byte, dot-stuffing
// undone. A wrong password is refused and delivers nothing.
func TestCurl(t *testing.T) {
	t.Parallel()
	body := "Subject: curl\r\n\r\nfirst\r\n.dot line\r\n..two dots\r\nlast\r\n"
	file := writeFile(t, "mail.txt", []byte(body))
	upload := func(url string, extra ...string) []string {
		return append([]string{"-sS", url, "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com",
			"--mail-rcpt", "c@example.com", "--upload-file", file}, extra...)
	}
	t.Run("smtp", func(t *testing.T) {
		t.Parallel()
		p, dir := startMailbox(t, "-l", "127.0.0.1:0")
		mustRun(t, "curl", upload("smtp://"+p.addr+"/curl.example")...)
		if got := deliveredOne(t, dir); string(got) != body {
			t.Fatalf("delivered %q", got)
		}
	})
	t.Run("smtps", func(t *testing.T) {
		t.Parallel()
		cert, key := writeCert(t)
		p, dir := startMailbox(t, "--smtpscert", cert, "--smtpskey", key, "-l", "127.0.0.1:0")
		mustRun(t, "curl", upload("smtps://"+p.addr+"/curl.example", "--cacert", cert)...)
		if got := deliveredOne(t, dir); string(got) != body {
			t.Fatalf("delivered %q", got)
		}
		// the same without trusting it: refused by curl before any mail
		if out, err := runTool(t, "", "curl", upload("smtps://"+p.addr+"/curl.example")...); err == nil {
			t.Fatalf("curl trusted a self-signed certificate:\n%s", out)
		}
		if n := len(delivered(t, dir)); n != 1 {
			t.Fatalf("%d messages", n)
		}
	})
	t.Run("AUTH over STARTTLS", func(t *testing.T) {
		t.Parallel()
		cert, key := writeCert(t)
		users := writeUsers(t, "alice", "s3cret")
		p, dir := startMailbox(t, "--tlscert", cert, "--tlskey", key, "--auth-file", users, "--auth-required", "-l", "127.0.0.1:0")
		url := "smtp://" + p.addr + "/curl.example"
		for _, mech := range []string{"PLAIN", "LOGIN"} {
			out := mustRun(t, "curl", upload(url, "--ssl-reqd", "-k", "--user", "alice:s3cret", "--login-options", "AUTH="+mech, "-v")...)
			if !strings.Contains(out, "> AUTH "+mech) || !strings.Contains(out, "< 235 ") {
				t.Fatalf("AUTH %s:\n%s", mech, out)
			}
		}
		out, err := runTool(t, "", "curl", upload(url, "--ssl-reqd", "-k", "--user", "alice:wrong")...)
		if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 67 { // CURLE_LOGIN_DENIED
			t.Fatalf("wrong password: %v\n%s", err, out)
		}
		msgs := delivered(t, dir)
		if len(msgs) != 2 || string(msgs[0]) != body || string(msgs[1]) != body {
			t.Fatalf("delivered %q", msgs)
		}
	})
}

// sClient drives openssl s_client as a person at a terminal would: each
// line is written once the reply before it has come.
type sClient struct {
	t      *testing.T
	stdin  io.WriteCloser
	stdout *bufio.Reader
	seen   strings.Builder // the server's lines, for failures
	stderr testkit.Buffer
}

// expect reads the server's lines up to the last line of a reply with
// code, failing on any other code.
func (c *sClient) expect(code string) {
	c.t.Helper()
	for {
		line, err := c.stdout.ReadString('\n')
		c.seen.WriteString(line)
		if err != nil {
			c.t.Fatalf("waiting for %s: %v\n%s\nstderr:\n%s", code, err, c.seen.String(), c.stderr.String())
		}
		if !strings.HasPrefix(line, code) {
			c.t.Fatalf("want %s, got %q\n%s", code, line, c.seen.String())
		}
		if len(line) > 3 && line[3] == ' ' {
			return
		}
	}
}

func (c *sClient) send(lines ...string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, strings.Join(lines, "\r\n")+"\r\n"); err != nil {
		c.t.Fatal(err)
	}
}

// TestOpenSSLStartTLS: openssl s_client -starttls smtp, verifying the
// certificate against -CAfile, carries a whole transaction through the TLS
// session; the message arrives as sent.
func TestOpenSSLStartTLS(t *testing.T) {
	t.Parallel()
	cert, key := writeCert(t)
	p, dir := startMailbox(t, "--tlscert", cert, "--tlskey", key, "-l", "127.0.0.1:0")
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, testkit.Program(t, "openssl"), "s_client", "-starttls", "smtp", "-connect", p.addr,
		"-CAfile", cert, "-verify_return_error", "-verify_hostname", "localhost", "-quiet")
	c := &sClient{t: t}
	cmd.Stderr = &c.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.stdin, c.stdout = stdin, bufio.NewReader(stdout)
	c.send("EHLO ossl.example")
	c.expect("250")
	c.send("MAIL FROM:<a@example.com>")
	c.expect("250")
	c.send("RCPT TO:<b@example.com>")
	c.expect("250")
	c.send("DATA")
	c.expect("354")
	c.send("Subject: openssl", "", "through s_client", "..stuffed", ".")
	c.expect("250")
	c.send("QUIT")
	c.expect("221")
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("s_client: %v\n%s", err, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), "verify return:1") {
		t.Fatalf("no verification:\n%s", c.stderr.String())
	}
	if got := deliveredOne(t, dir); string(got) != "Subject: openssl\r\n\r\nthrough s_client\r\n.stuffed\r\n" {
		t.Fatalf("delivered %q", got)
	}
}

// startHAProxy runs HAProxy in front of backend, one frontend per mode
// ("send-proxy", "send-proxy-v2") relaying with that PROXY header; each
// frontend's address.
func startHAProxy(t *testing.T, backend string, modes ...string) map[string]string {
	t.Helper()
	bin := testkit.Program(t, "haproxy")
	cfg := "global\n  maxconn 64\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
	fronts := map[string]string{}
	for i, mode := range modes {
		fronts[mode] = freeAddr(t)
		cfg += fmt.Sprintf("frontend f%d\n  bind %s\n  default_backend b%d\nbackend b%d\n  server s1 %s %s\n",
			i, fronts[mode], i, i, backend, mode)
	}
	path := writeFile(t, "haproxy.cfg", []byte(cfg))
	var logs testkit.Buffer
	cmd := exec.Command(bin, "-db", "-f", path)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	for _, front := range fronts {
		waitAccepting(t, front, exited, &logs)
	}
	return fronts
}

// freeAddr is a loopback address free when called, for HAProxy, which
// cannot say which port it picked.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitAccepting waits until HAProxy accepts on addr.
func waitAccepting(t *testing.T, addr string, exited <-chan error, logs *testkit.Buffer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("haproxy exited: %v\n%s", err, logs.String())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy does not listen on %s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHAProxy: HAProxy in front of gosmtpd --proxy-protocol, with PROXY v1
// and v2. The client connects to HAProxy from 127.0.0.2; the message's
// X-Peer and the session log name that address and port, not HAProxy's.
func TestHAProxy(t *testing.T) {
	t.Parallel()
	p := startCLI(t, "-n", "-dd", "--proxy-protocol", "5s", "-l", "127.0.0.1:0")
	modes := []string{"send-proxy", "send-proxy-v2"}
	fronts := startHAProxy(t, p.addr, modes...)
	clients := map[string]string{}
	for _, mode := range modes {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}
		nc, err := d.Dial("tcp", fronts[mode])
		if err != nil {
			t.Fatal(err)
		}
		clients[mode] = nc.LocalAddr().String()
		if err := sendOver(nc, "Subject: "+mode+"\r\n\r\nvia haproxy\r\n"); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
	}
	p.stopOK(t, syscall.SIGTERM)
	printed := map[string]string{}
	for _, m := range debugMessages(p.stdout.String()) {
		_, subject, _ := strings.Cut(m, "Subject: ")
		subject, _, _ = strings.Cut(subject, "\n")
		printed[subject] = m
	}
	for _, mode := range modes {
		host, port := hostPort(t, clients[mode])
		// net/smtp declares BODY=8BITMIME, which gosmtpd offers
		want := "mail options: ['BODY=8BITMIME']\n\nSubject: " + mode + "\nX-Peer: ('" + host + "', " + port + ")\n\nvia haproxy\n"
		if printed[mode] != want {
			t.Errorf("%s: printed %q, want %q\n%s", mode, printed[mode], want, p.stdout.String())
		}
		// the session is logged under the client's address once the PROXY
		// header has named it
		if n := countLines(p.stderr.String(), `msg="session ended"`, "peer="+clients[mode]+" ", "cause=QUIT"); n != 1 {
			t.Errorf("%s: %d sessions of %s logged\n%s", mode, n, clients[mode], p.stderr.String())
		}
	}
}

// sendOver delivers one message with net/smtp over nc and quits.
func sendOver(nc net.Conn, body string) error {
	c, err := smtp.NewClient(nc, "127.0.0.1")
	if err != nil {
		nc.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello("client.example"); err != nil {
		return err
	}
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
	if _, err := io.WriteString(w, body); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
