package load

import (
	"bytes"
	"fmt"
)

// payload holds every byte a session writes, built once per run and shared
// read-only by all sessions.
type payload struct {
	hello    []byte   // EHLO or LHLO line
	startTLS []byte   // STARTTLS line
	mail     []byte   // MAIL FROM line
	rcpts    [][]byte // one RCPT TO line per recipient
	data     []byte   // DATA line
	envelope []byte   // mail, rcpts and data in one buffer (Pipelined)
	body     []byte   // the message, dot-stuffed, with its terminating dot line
	batch    []byte   // Window whole transactions back to back (Full)
	txnLen   int      // length of one whole transaction in batch
	quit     []byte   // QUIT line
	msgSize  int      // message bytes counted for throughput: body without the dot line
}

// lineLen is the length of a filler line, CRLF included, as mail
// generators wrap text.
const lineLen = 78

func newPayload(c Config) *payload {
	p := &payload{
		hello:    []byte("EHLO load.example\r\n"),
		startTLS: []byte("STARTTLS\r\n"),
		mail:     []byte("MAIL FROM:<sender@load.example>\r\n"),
		data:     []byte("DATA\r\n"),
		quit:     []byte("QUIT\r\n"),
	}
	if c.LMTP {
		p.hello = []byte("LHLO load.example\r\n")
	}
	p.envelope = append(p.envelope, p.mail...)
	for i := range c.Rcpts {
		rcpt := fmt.Appendf(nil, "RCPT TO:<rcpt%d@load.example>\r\n", i)
		p.rcpts = append(p.rcpts, rcpt)
		p.envelope = append(p.envelope, rcpt...)
	}
	p.envelope = append(p.envelope, p.data...)
	p.body = messageOf(c.Size)
	p.msgSize = len(p.body) - len(".\r\n")
	if c.Mode == Full {
		p.txnLen = len(p.envelope) + len(p.body)
		p.batch = make([]byte, 0, c.Window*p.txnLen)
		for range c.Window {
			p.batch = append(append(p.batch, p.envelope...), p.body...)
		}
	}
	return p
}

// messageOf returns a message of size bytes (at least its header, and up to
// two bytes more when the last line would be empty), made of CRLF-terminated
// lines none of which starts with a dot, followed by the ".\r\n" that ends
// DATA.
func messageOf(size int) []byte {
	const header = "From: <sender@load.example>\r\nTo: <rcpt0@load.example>\r\n" +
		"Subject: load\r\nMessage-ID: <load@load.example>\r\n\r\n"
	var b bytes.Buffer
	b.Grow(max(size, len(header)) + 3)
	b.WriteString(header)
	for row := 0; b.Len() < size; row++ {
		n := min(lineLen, size-b.Len())
		if n < 3 { // a line needs a character before its CRLF
			n = 3
		}
		for i := range n - 2 {
			b.WriteByte('a' + byte((row+i)%26))
		}
		b.WriteString("\r\n")
	}
	b.WriteString(".\r\n")
	return b.Bytes()
}
