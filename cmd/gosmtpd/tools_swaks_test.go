package main

// swaks against the binary: pipelining, STARTTLS, AUTH, attachments and
// 8-bit bodies, each message read back from the Maildir.

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"sort"
	"strings"
	"syscall"
	"testing"
)

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
	out := mustRun(t, "swaks", "--server", p.Addr, "--pipeline", "--helo", "swaks.example",
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
	out := mustRun(t, "swaks", "--server", p.Addr, "--tls", "--from", "a@example.com", "--to", "b@example.com",
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
		return runTool(t, "", "swaks", "--server", p.Addr, "--tls", "--auth", mech, "--auth-user", "alice",
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
			out, err := runTool(t, "", "swaks", "--server", p.Addr, "--auth", "PLAIN", "--auth-user", "alice",
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
	mustRun(t, "swaks", "--server", p.Addr, "--from", "a@example.com", "--to", "b@example.com",
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
		out := mustRun(t, "swaks", "--server", p.Addr, "--protocol", "ESMTP", "--from", "a@example.com", "--to", "b@example.com",
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
		host, port := hostPort(t, p.Addr)
		python(t, `
import smtplib, sys
s = smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=10)
s.ehlo()
assert s.has_extn("8bitmime")
s.sendmail("a@example.com", ["b@example.com"], "Subject: 8bit\r\n\r\ncafé € naïve\r\n".encode(), mail_options=["BODY=8BITMIME"])
s.quit()
`, host, port)
		stopOK(t, p, syscall.SIGINT)
		msgs := debugMessages(p.Stdout.String())
		if len(msgs) != 1 || !strings.HasPrefix(msgs[0], "mail options: ['SIZE=") || !strings.Contains(msgs[0], "'BODY=8BITMIME']\n") ||
			!strings.HasSuffix(msgs[0], "\ncafé € naïve\n") {
			t.Fatalf("printed:\n%s", p.Stdout.String())
		}
	})
}
