package handlers

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// Debugging prints each message to W (stdout when nil) as aiosmtpd's
// Debugging handler does: a banner, the mail options, the headers with an
// X-Peer line added after them, the body, and a closing banner. The message
// is streamed, never held whole.
type Debugging struct {
	W  io.Writer
	mu sync.Mutex // one message at a time, never interleaved
}

// HandleDATA prints the message.
func (d *Debugging) HandleDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	w := d.W
	if w == nil {
		w = os.Stdout
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := bufio.NewWriter(w)
	fmt.Fprintln(out, "---------- MESSAGE FOLLOWS ----------")
	if len(e.MailOptions) > 0 {
		fmt.Fprintf(out, "mail options: %s\n\n", strings.Join(e.MailOptions, " "))
	}
	err := printMessage(out, msg, s.Peer)
	fmt.Fprintln(out, "------------ END MESSAGE ------------")
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	return err
}

// printMessage copies the message line by line with CRLF turned into LF,
// adding X-Peer at the end of the headers.
func printMessage(out *bufio.Writer, msg io.Reader, peer string) error {
	r := bufio.NewReader(msg)
	inHeaders := true
	for {
		line, err := r.ReadSlice('\n')
		if len(line) > 0 || err == nil {
			text := bytes.TrimRight(line, "\r\n")
			if inHeaders && len(text) == 0 {
				fmt.Fprintf(out, "X-Peer: %s\n", peer)
				inHeaders = false
			}
			out.Write(text)
			if len(line) > 0 && line[len(line)-1] == '\n' {
				out.WriteByte('\n')
			}
		}
		switch err {
		case nil, bufio.ErrBufferFull:
			continue
		case io.EOF:
			if inHeaders {
				fmt.Fprintf(out, "X-Peer: %s\n", peer)
			}
			return nil
		default:
			return err
		}
	}
}
