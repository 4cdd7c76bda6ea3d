package codec_test

import (
	"fmt"

	"github.com/gosmtpd/gosmtpd/codec"
)

// A driver reads the bytes after the 354 reply into a buffer and decodes
// them in place, keeping what Decode leaves unconsumed for the next read.
// Here the second read splits the end of data, and the client pipelined
// QUIT after it.
func ExampleDotDecoder() {
	reads := []string{"Subject: hi\r\n\r\n..signature\r\n", "bare\nLF\r\n.", "\r\nQUIT\r\n"}
	dec := codec.DotDecoder{MaxLine: 998}
	var buf, message []byte
	for _, read := range reads {
		buf = append(buf, read...)
		out, n, done := dec.Decode(buf)
		message = append(message, out...) // out is only valid until buf is reused
		buf = buf[:copy(buf, buf[n:])]
		if done {
			break
		}
	}
	fmt.Printf("%q\n", message)
	fmt.Printf("after the end: %q\n", buf)
	fmt.Println("bare line ending:", dec.Bare, "long line:", dec.LongLine)
	// Output:
	// "Subject: hi\r\n\r\n.signature\r\nbare\nLF\r\n"
	// after the end: "QUIT\r\n"
	// bare line ending: true long line: false
}

// DotEncoder is the other direction: a relay or a client dot-stuffs the
// message and closes it with the end of data.
func ExampleDotEncoder() {
	var enc codec.DotEncoder
	wire := enc.Append(nil, []byte(".hidden\r\nlast line"))
	wire = enc.Close(wire)
	fmt.Printf("%q\n", wire)
	// Output:
	// "..hidden\r\nlast line\r\n.\r\n"
}
