package handlers

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// Debugging prints each message to W (stdout when nil) exactly as aiosmtpd's
// Debugging handler does: a banner, the mail options (upper-cased, as a
// Python list) and
// a blank line when there are any, the message with its lines ended by LF
// and an X-Peer line before the first empty line, and a closing banner.
//
// On a terminal, control characters and invalid UTF-8 in the message are
// printed as Go escapes (\x1b), so that a message cannot drive the
// terminal; elsewhere (a pipe, a file) the bytes are aiosmtpd's exactly.
//
// A message is printed only once it has arrived whole: a client that hangs
// up halfway, or a message refused for its size, prints nothing. Until then
// it is held in memory (up to MemoryLimit) and in an unlinked temporary
// file beyond.
type Debugging struct {
	W io.Writer
	// MaxSize refuses messages longer than this with 552 5.3.4; 0 leaves
	// the limit to the server (its MaxMessageSize).
	MaxSize int64
	// MemoryLimit is how much of a message is held in memory; 0:
	// DefaultMemoryLimit.
	MemoryLimit int64

	mu sync.Mutex // one message at a time, never interleaved
}

// HandleDATA prints the message once it has ended.
func (d *Debugging) HandleDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	sp, err := readSpool(msg, d.MemoryLimit, d.MaxSize, "")
	if err != nil {
		return err
	}
	defer sp.Close()
	w := d.W
	if w == nil {
		w = os.Stdout
	}
	if isTerminal(w) {
		w = &escapingWriter{w: w}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := bufio.NewWriter(w)
	printEnvelope(out, e)
	if err := printContent(out, sp.Reader(), "X-Peer: "+pyPeer(s.Peer)+"\n"); err != nil {
		return err
	}
	out.WriteString("------------ END MESSAGE ------------\n")
	return out.Flush()
}

// printEnvelope writes the banner and the options, as aiosmtpd does.
func printEnvelope(out *bufio.Writer, e *hooks.Envelope) {
	out.WriteString("---------- MESSAGE FOLLOWS ----------\n")
	separate := false
	if len(e.MailOptions) > 0 {
		fmt.Fprintf(out, "mail options: %s\n", pyList(upper(e.MailOptions)))
		separate = true
	}
	if anyRcptOptions(e.RcptOptions) {
		lists := make([]string, len(e.RcptOptions))
		for i, o := range e.RcptOptions {
			lists[i] = pyList(upper(o))
		}
		fmt.Fprintf(out, "rcpt options: [%s]\n", strings.Join(lists, ", "))
		separate = true
	}
	if separate {
		out.WriteByte('\n')
	}
}

// upper upper-cases parameters, as aiosmtpd stores them.
func upper(opts []string) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = strings.ToUpper(o)
	}
	return out
}

func anyRcptOptions(opts [][]string) bool {
	for _, o := range opts {
		if len(o) > 0 {
			return true
		}
	}
	return false
}

// printContent writes the message as Python's bytes.splitlines and print
// do: every CRLF, CR or LF ends a line, each line is decoded as UTF-8 with
// replacement and printed with LF, and peerLine goes before the first empty
// line (a message without one gets none).
func printContent(out *bufio.Writer, msg io.Reader, peerLine string) error {
	lw := &lineWriter{out: out, peerLine: peerLine, inHeaders: true}
	if _, err := io.Copy(lw, msg); err != nil {
		return err
	}
	lw.finish()
	return nil
}

// lineWriter renders a message line by line as it is written to it, with
// a bounded buffer whatever the length of a line.
type lineWriter struct {
	out       *bufio.Writer
	peerLine  string
	inHeaders bool
	lineLen   int  // bytes of the current line so far
	afterCR   bool // the last byte was a CR: an LF now completes its CRLF
	carry     []byte
	buf       []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if w.afterCR && p[0] == '\n' {
			p = p[1:]
		}
		w.afterCR = false
		i := 0
		for i < len(p) && p[i] != '\r' && p[i] != '\n' {
			i++
		}
		w.text(p[:i], false)
		if i == len(p) {
			break
		}
		w.afterCR = p[i] == '\r'
		w.endLine()
		p = p[i+1:]
	}
	return n, nil
}

// text prints part of a line, holding back a UTF-8 sequence cut in two.
func (w *lineWriter) text(p []byte, final bool) {
	w.lineLen += len(p)
	in := p
	if len(w.carry) > 0 {
		in = append(w.carry, p...)
	}
	w.buf, w.carry = appendReplaced(w.buf[:0], in, final)
	w.carry = append([]byte(nil), w.carry...)
	w.out.Write(w.buf)
}

func (w *lineWriter) endLine() {
	w.text(nil, true)
	if w.inHeaders && w.lineLen == 0 {
		w.out.WriteString(w.peerLine)
		w.inHeaders = false
	}
	w.out.WriteByte('\n')
	w.lineLen = 0
}

// finish ends a last line that had no line break.
func (w *lineWriter) finish() {
	if w.lineLen > 0 {
		w.endLine()
	}
}
