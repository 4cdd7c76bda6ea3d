package main

// curl and openssl s_client against the binary, over smtp://, smtps://
// and STARTTLS, each message read back from the Maildir.

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

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
		mustRun(t, "curl", upload("smtp://"+p.Addr+"/curl.example")...)
		if got := deliveredOne(t, dir); string(got) != body {
			t.Fatalf("delivered %q", got)
		}
	})
	t.Run("smtps", func(t *testing.T) {
		t.Parallel()
		cert, key := writeCert(t)
		p, dir := startMailbox(t, "--smtpscert", cert, "--smtpskey", key, "-l", "127.0.0.1:0")
		mustRun(t, "curl", upload("smtps://"+p.Addr+"/curl.example", "--cacert", cert)...)
		if got := deliveredOne(t, dir); string(got) != body {
			t.Fatalf("delivered %q", got)
		}
		// the same without trusting it: refused by curl before any mail
		if out, err := runTool(t, "", "curl", upload("smtps://"+p.Addr+"/curl.example")...); err == nil {
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
		url := "smtp://" + p.Addr + "/curl.example"
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
	cmd := exec.CommandContext(ctx, testkit.Program(t, "openssl"), "s_client", "-starttls", "smtp", "-connect", p.Addr,
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
