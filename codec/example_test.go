package codec_test

import (
	"fmt"

	"github.com/gosmtpd/gosmtpd/codec"
)

func ExampleParseCommand() {
	buf := []byte("MAIL FROM: <@relay.example:alice@example.com> SIZE=1024 BODY=8BITMIME\r\nRCPT TO:<bob@example.org>\r\n")
	line, n := codec.SplitLine(buf)
	cmd, err := codec.ParseCommand(line)
	if err != nil {
		fmt.Println(err)
		return
	}
	path, rest, err := codec.ParsePath(cmd.Arg, codec.PathOptions{AllowNull: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	params, err := codec.ParseParams(rest, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	size, _ := params.Get("SIZE")
	fmt.Printf("%v from %s (domain %s), SIZE %s; next command at byte %d\n", cmd.Verb, path.Mailbox, path.Domain, size, n)
	// Output: MAIL from alice@example.com (domain example.com), SIZE 1024; next command at byte 71
}

func ExampleParsePath() {
	for _, arg := range []string{"<>", "<\"first last\"@[IPv6:2001:db8::1]>", "<a..b@example.com>", "<jösé@example.com>"} {
		p, _, err := codec.ParsePath([]byte(arg), codec.PathOptions{AllowNull: true})
		switch {
		case err != nil:
			fmt.Printf("%s: %v\n", arg, err)
		case p.IsNull():
			fmt.Printf("%s: the null path\n", arg)
		default:
			fmt.Printf("%s: local %s, domain %s\n", arg, p.Local, p.Domain)
		}
	}
	// Output:
	// <>: the null path
	// <"first last"@[IPv6:2001:db8::1]>: local "first last", domain [IPv6:2001:db8::1]
	// <a..b@example.com>: codec: malformed address
	// <jösé@example.com>: codec: non-ASCII address without SMTPUTF8
}

func ExampleReply_AppendTo() {
	ehlo := codec.Reply{Code: 250, Text: "mx.example", More: []string{"PIPELINING", "8BITMIME"}}
	bad := codec.Reply{Code: 550, Enhanced: "5.1.1", Text: "no such user\r\n250 2.0.0 OK"}
	out := ehlo.AppendTo(nil, true)
	out = bad.AppendTo(out, true)
	fmt.Printf("%q\n", out)
	// Output: "250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n550 5.1.1 no such user  250 2.0.0 OK\r\n"
}
