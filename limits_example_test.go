package gosmtpd_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"log"
	"log/slog"
	"net"
	"os"
	"strings"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// The limits that keep one client from taking the server are on by
// default (50 sessions a client here lowered to 2); what they refuse, and
// every refused AUTH, is logged at Warn, in lines fail2ban can read.
func ExampleServer_limits() {
	hideVarying := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == "session" {
			return slog.Attr{} // differ from run to run
		}
		return a
	}
	srv := &gosmtpd.Server{Hostname: "mx.example", MaxConnectionsPerClient: 2,
		Authenticator: hooks.Passwords{"alice": "secret"}, AuthCleartext: true,
		Logger: slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: hideVarying}))}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	var sessions []*bufio.ReadWriter
	for range 3 {
		nc, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			log.Fatal(err)
		}
		defer nc.Close()
		rw := bufio.NewReadWriter(bufio.NewReader(nc), bufio.NewWriter(nc))
		greeting, _ := rw.ReadString('\n')
		fmt.Println("greeted:", strings.TrimSpace(greeting))
		sessions = append(sessions, rw)
	}
	first := sessions[0]
	for _, cmd := range []string{"EHLO client.example", "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00alice\x00guess"))} {
		fmt.Fprintf(first, "%s\r\n", cmd)
		first.Flush()
		for {
			line, _ := first.ReadString('\n')
			if len(line) < 4 || line[3] != '-' {
				fmt.Println("reply:", strings.TrimSpace(line))
				break
			}
		}
	}
	// Output:
	// greeted: 220 mx.example gosmtpd
	// greeted: 220 mx.example gosmtpd
	// level=WARN msg="connection refused: too many connections from one client" client=127.0.0.1 limit=2 suppressed=0
	// greeted: 421 4.7.0 mx.example Error: too many connections from your address
	// reply: 250 HELP
	// level=WARN msg="AUTH failed" client=127.0.0.1 mechanism=PLAIN user=alice
	// reply: 535 5.7.8 Authentication credentials invalid
}
