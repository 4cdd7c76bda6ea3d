package gosmtpd_test

// A person at a terminal: nc without -C sends LF line ends, and a person
// types a bare mailbox. Both are answered at once, as aiosmtpd and Postfix
// 3.9 answer them (a bare LF ends a command line; only CRLF.CRLF ends DATA).

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/smtptest"
)

// terminal is nc connected to a server, typed into line by line as a person
// types: each line is sent only once the previous reply has arrived.
type terminal struct {
	t     *testing.T
	in    io.WriteCloser
	lines chan string
}

func openTerminal(t *testing.T, addr string, ncArgs ...string) *terminal {
	t.Helper()
	host, port := splitAddr(t, addr)
	cmd := exec.Command(testkit.Program(t, "nc"), append(ncArgs, host, port)...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, in: in, lines: make(chan string, 64)}
	go func() {
		defer close(term.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			term.lines <- strings.TrimSuffix(sc.Text(), "\r")
		}
	}()
	t.Cleanup(func() { in.Close(); cmd.Process.Kill(); cmd.Wait() })
	return term
}

// expect waits, as a person would, a few seconds for a reply whose last
// line starts with want.
func (term *terminal) expect(want string) {
	term.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case line, ok := <-term.lines:
			if !ok {
				term.t.Fatalf("connection closed waiting for %q", want)
			}
			if len(line) > 3 && line[3] == '-' {
				continue
			}
			if !strings.HasPrefix(line, want) {
				term.t.Fatalf("got %q, want %q", line, want)
			}
			return
		case <-timeout:
			term.t.Fatalf("no reply within 5 s, want %q", want)
		}
	}
}

func (term *terminal) typeLine(line, eol string) {
	term.t.Helper()
	if _, err := io.WriteString(term.in, line+eol); err != nil {
		term.t.Fatal(err)
	}
}

// TestNetcatWithoutCRLF: nc without -C sends LF alone. Each command is
// answered at once, a bare mailbox is taken, and "HELO me\nNOOP\n" is two
// commands. A message needs CRLF.CRLF, which nc without -C cannot send: the
// lone "." is data, and the session is still in DATA when QUIT is typed.
func TestNetcatWithoutCRLF(t *testing.T) {
	srv := smtptest.NewServer(t)
	term := openTerminal(t, srv.Addr)
	term.expect("220 ")
	term.typeLine("HELO me\nNOOP", "\n")
	term.expect("250 ")
	term.expect("250 ")
	term.typeLine("MAIL FROM:anne@example.org", "\n")
	term.expect("250 ")
	term.typeLine("RCPT TO:bob@example.org", "\n")
	term.expect("250 ")
	term.typeLine("RSET", "\n")
	term.expect("250 ")
	term.typeLine("QUIT", "\n")
	term.expect("221 ")
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages, want none", n)
	}
}

// TestNetcatWithCRLF: the README's test mail by hand, nc -C, with a bare
// mailbox as a person types it.
func TestNetcatWithCRLF(t *testing.T) {
	srv := smtptest.NewServer(t)
	term := openTerminal(t, srv.Addr, "-C")
	term.expect("220 ")
	for _, step := range []struct{ line, want string }{
		{"EHLO me", "250 "},
		{"MAIL FROM:anne@example.org", "250 "},
		{"RCPT TO:<bob@example.org>", "250 "},
		{"DATA", "354 "},
		{"Subject: typed by hand\n\nhello\n.", "250 "},
		{"QUIT", "221 "},
	} {
		term.typeLine(strings.ReplaceAll(step.line, "\n", "\r\n"), "\n")
		term.expect(step.want)
	}
	msg := only(t, srv)
	if msg.MailFrom != "anne@example.org" || len(msg.RcptTos) != 1 || msg.RcptTos[0] != "bob@example.org" {
		t.Fatalf("envelope %q -> %q", msg.MailFrom, msg.RcptTos)
	}
	if want := "Subject: typed by hand\r\n\r\nhello\r\n"; string(msg.Data) != want {
		t.Fatalf("message %q, want %q", msg.Data, want)
	}
}

// TestStartTLSBeforeEHLO: STARTTLS as the first command gets 220, as in
// aiosmtpd and Postfix; after the handshake the client greets.
func TestStartTLSBeforeEHLO(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.StartTLS)
	nc, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	c := testkit.NewClient(t, nc)
	c.Expect("220 ")
	c.Send("STARTTLS")
	c.Expect("220 ")
	tc := tls.Client(nc, srv.TLSClientConfig())
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c = testkit.NewClient(t, tc)
	c.Send("EHLO client.test")
	c.Expect("250 ")
	c.Send("QUIT")
	c.Expect("221 ")
}
