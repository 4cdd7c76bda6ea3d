package main

import (
	"net/textproto"
	"strings"
	"syscall"
	"testing"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/handlers"
)

func TestParseArgsExtensions(t *testing.T) {
	o, err := parseArgs([]string{"--enable", "dsn,RRVS,binarymime,mt-priority", "--max-rcpts", "5"})
	if err != nil {
		t.Fatal(err)
	}
	want := fsm.ExtDSN | fsm.ExtRRVS | fsm.ExtMTPriority | fsm.ExtLimits
	if o.enable != want || !o.binaryMIME || o.maxRcpts != 5 {
		t.Errorf("got enable %b binarymime %v max-rcpts %d", o.enable, o.binaryMIME, o.maxRcpts)
	}
	for _, args := range [][]string{
		{"--enable", "bogus"}, {"--enable", "pipelining"}, {"--enable", "dsn,"}, {"--enable"},
		{"--max-rcpts", "0"}, {"--max-rcpts", "-1"}, {"--max-rcpts", "x"},
	} {
		if _, err := parseArgs(args); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// TestCLIEnableDSN: --enable and --max-rcpts reach the EHLO reply, DSN's
// parameters are taken, the recipient limit holds, and the Debugging
// handler prints the options.
func TestCLIEnableDSN(t *testing.T) {
	t.Parallel()
	p := startCLI(t, "-n", "-c", "debugging", "stderr", "-l", "127.0.0.1:0", "--enable", "dsn,deliverby", "--max-rcpts", "2")
	c, err := textproto.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, _, err := c.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		cmd  string
		code int
		want string
	}{
		{"EHLO client.example", 250, "\nDSN\nDELIVERBY\nLIMITS RCPTMAX=2\n"},
		{"MAIL FROM:<a@example.com> RET=HDRS ENVID=x1 BY=60;N", 250, ""},
		{"RCPT TO:<b@example.com> NOTIFY=NEVER", 250, ""},
		{"RCPT TO:<c@example.com> NOTIFY=NEVER,DELAY", 501, ""},
		{"RCPT TO:<c@example.com>", 250, ""},
		{"RCPT TO:<d@example.com>", 452, ""},
		{"DATA", 354, ""},
		{"Subject: dsn\r\n\r\nhi\r\n.", 250, ""},
		{"QUIT", 221, ""},
	} {
		c.PrintfLine("%s", step.cmd)
		code, msg, _ := c.ReadResponse(0)
		if code != step.code || !strings.Contains("\n"+msg+"\n", step.want) {
			t.Fatalf("%s: %d %q, want %d %q", step.cmd, code, msg, step.code, step.want)
		}
	}
	stopOK(t, p, syscall.SIGTERM)
	out := p.Stderr.String()
	for _, want := range []string{"mail options: ['RET=HDRS', 'ENVID=X1', 'BY=60;N']\n", "rcpt options: [['NOTIFY=NEVER'], []]\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

func TestParseArgsRelay(t *testing.T) {
	o, err := parseArgs([]string{"-c", "proxy", "mx", "25", "--relay-networks", "192.0.2.0/24,2001:db8::1", "--relay-domains", "example.com,.example.org", "--relay-tls-insecure"})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.relayNetworks) != 2 || o.relayNetworks[1].String() != "2001:db8::1/128" || len(o.relayDomains) != 2 || !o.relayInsecure {
		t.Errorf("got %v %v %v", o.relayNetworks, o.relayDomains, o.relayInsecure)
	}
	if _, err := parseArgs([]string{"--relay-networks", "192.0.2.0/33"}); err == nil {
		t.Error("a bad prefix was accepted")
	}
	o, _ = parseArgs([]string{"-c", "sink", "--relay-domains", "example.com"})
	if _, err := handler(o, nil, nil); err == nil {
		t.Error("--relay-domains without -c proxy was accepted")
	}
}

// TestCLIXClient: --xclient and --xforward trust the networks given: XCLIENT
// is listed and answered with a new greeting, and the Debugging handler's
// X-Peer names the client XCLIENT gave.
func TestCLIXClient(t *testing.T) {
	t.Parallel()
	p := startCLI(t, "-n", "-c", "debugging", "stderr", "-l", "127.0.0.1:0", "--xclient", "127.0.0.0/8", "--xforward", "192.0.2.1")
	c, err := textproto.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.ReadResponse(220)
	for _, step := range []struct {
		cmd  string
		code int
	}{
		{"EHLO proxy.example", 250}, {"XFORWARD ADDR=192.0.2.7", 550},
		{"XCLIENT ADDR=198.51.100.7 PORT=2525", 220}, {"EHLO client.example", 250},
		{"MAIL FROM:<a@example.com>", 250}, {"RCPT TO:<b@example.com>", 250},
		{"DATA", 354}, {"Subject: via proxy\r\n\r\nhi\r\n.", 250}, {"QUIT", 221},
	} {
		c.PrintfLine("%s", step.cmd)
		if code, msg, _ := c.ReadResponse(0); code != step.code {
			t.Fatalf("%s: %d %s, want %d", step.cmd, code, msg, step.code)
		}
	}
	stopOK(t, p, syscall.SIGTERM)
	if !strings.Contains(p.Stderr.String(), "X-Peer: ('198.51.100.7', 2525)\n") {
		t.Errorf("no X-Peer for the XCLIENT's client in\n%s", p.Stderr.String())
	}
}

func TestRelayUser(t *testing.T) {
	t.Setenv("GOSMTPD_RELAY_PASSWORD", "s3cret")
	o, err := parseArgs([]string{"-c", "proxy", "mx.example", "25", "--relay-user", "relay"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := handler(o, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := h.(*handlers.Proxy); !ok || p.Username != "relay" || p.Password != "s3cret" {
		t.Fatalf("got %#v", h)
	}
}
