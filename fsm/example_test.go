package fsm_test

import (
	"fmt"
	"strings"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
)

// A driver in a few lines: the core is fed bytes and decisions and says
// what to do next. This one plays a whole pipelined transaction from a
// string, answers the RCPT question itself, collects the message from
// ActBody, and prints the replies the core queued. A real driver reads a
// socket where this one takes the next part of the script (see package
// transport).
func ExampleConn() {
	cfg := fsm.Config{Hostname: "mx.example", Hooks: fsm.HookSet(0).With(fsm.HookRCPT).With(fsm.HookDATA)}
	core := fsm.NewConn(&cfg)
	input := []string{
		"EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n",
		"RCPT TO:<bob@example.net>\r\nRCPT TO:<eve@example.net>\r\nDATA\r\n",
		"Subject: hi\r\n\r\n..a line that starts with a dot\r\n.\r\nQUIT\r\n",
	}
	var out, body strings.Builder
	for {
		a := core.Next()
		switch a.Kind {
		case fsm.ActNeedData:
			out.Write(core.AppendOutbound(nil))
			if len(input) == 0 {
				core.ReceiveEOF()
				continue
			}
			core.Receive([]byte(input[0]))
			input = input[1:]
		case fsm.ActAsk:
			var d fsm.Decision // the zero Decision takes the core's default reply
			if a.Ask.Hook == fsm.HookRCPT && string(a.Ask.Path.Mailbox) == "eve@example.net" {
				d.Reply = codec.Reply{Code: 550, Enhanced: "5.1.1", Text: "no such user"}
			}
			core.Resolve(d)
		case fsm.ActBody:
			body.Write(a.Data) // dot-unstuffed, valid until the next call
		case fsm.ActClose:
			out.Write(core.AppendOutbound(nil))
			fmt.Print(strings.ReplaceAll(out.String(), "\r\n", "\n"))
			fmt.Printf("message: %q, session ended: %v\n", body.String(), a.Err)
			return
		}
	}
	// Output:
	// 220 mx.example gosmtpd
	// 250-mx.example
	// 250-SIZE 33554432
	// 250-8BITMIME
	// 250-PIPELINING
	// 250-ENHANCEDSTATUSCODES
	// 250-CHUNKING
	// 250 HELP
	// 250 2.1.0 OK
	// 250 2.1.5 OK
	// 550 5.1.1 no such user
	// 354 End data with <CR><LF>.<CR><LF>
	// 250 2.0.0 OK
	// 221 2.0.0 Bye
	// message: "Subject: hi\r\n\r\n.a line that starts with a dot\r\n", session ended: <nil>
}
