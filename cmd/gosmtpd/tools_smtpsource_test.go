package main

// Postfix's smtp-source against the binary: 1000 messages over 20
// sessions, SMTP and LMTP, each counted and compared in the Maildir.

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

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
			mustRun(t, source, append(args, p.Addr)...)
			msgs := delivered(t, dir)
			if len(msgs) != 1000 {
				t.Fatalf("%d messages delivered, want 1000", len(msgs))
			}
			for i, m := range msgs {
				if string(m) != sourceDelivered {
					t.Fatalf("message %d: %q, want %q", i, m, sourceDelivered)
				}
			}
			stopOK(t, p, syscall.SIGTERM)
			logs := p.Stderr.String()
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
	stopOK(t, p, syscall.SIGTERM)
}
