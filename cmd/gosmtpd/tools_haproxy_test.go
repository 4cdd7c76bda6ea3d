package main

// HAProxy in front of the binary, sending PROXY v1 and v2.

import (
	"io"
	"net"
	"net/smtp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// TestHAProxy: HAProxy in front of gosmtpd --proxy-protocol, with PROXY v1
// and v2. The client connects to HAProxy from 127.0.0.2; the message's
// X-Peer and the session log name that address and port, not HAProxy's.
func TestHAProxy(t *testing.T) {
	t.Parallel()
	p := startCLI(t, "-n", "-dd", "--proxy-protocol", "5s", "-l", "127.0.0.1:0")
	modes := []string{"send-proxy", "send-proxy-v2"}
	fronts := testkit.HAProxy(t, p.Addr, modes...)
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
	stopOK(t, p, syscall.SIGTERM)
	printed := map[string]string{}
	for _, m := range debugMessages(p.Stdout.String()) {
		_, subject, _ := strings.Cut(m, "Subject: ")
		subject, _, _ = strings.Cut(subject, "\n")
		printed[subject] = m
	}
	for _, mode := range modes {
		host, port := hostPort(t, clients[mode])
		// net/smtp declares BODY=8BITMIME, which gosmtpd offers
		want := "mail options: ['BODY=8BITMIME']\n\nSubject: " + mode + "\nX-Peer: ('" + host + "', " + port + ")\n\nvia haproxy\n"
		if printed[mode] != want {
			t.Errorf("%s: printed %q, want %q\n%s", mode, printed[mode], want, p.Stdout.String())
		}
		// the session is logged under the client's address once the PROXY
		// header has named it
		if n := countLines(p.Stderr.String(), `msg="session ended"`, "peer="+clients[mode]+" ", "cause=QUIT"); n != 1 {
			t.Errorf("%s: %d sessions of %s logged\n%s", mode, n, clients[mode], p.Stderr.String())
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
