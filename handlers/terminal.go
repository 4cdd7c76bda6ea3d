package handlers

import (
	"io"
	"os"
	"strconv"
	"unicode/utf8"
)

// isTerminal reports whether w is a terminal (a character device: /dev/null
// is one too, which costs nothing).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// escapingWriter writes to a terminal what a message holds, with control
// characters (but tab and newline) and invalid UTF-8 written as Go escapes
// ("\x1b[2J" as the eight characters \x1b[2J): a message's bytes must not
// drive the terminal of whoever watches the server (the logs escape them
// likewise). A UTF-8 sequence cut between two writes is held until the
// next.
type escapingWriter struct {
	w     io.Writer
	carry []byte
	buf   []byte
}

func (e *escapingWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(e.carry) > 0 {
		p = append(e.carry, p...)
		e.carry = nil
	}
	e.buf = e.buf[:0]
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		if r == utf8.RuneError && size <= 1 && !utf8.FullRune(p) {
			e.carry = append([]byte(nil), p...) // the rest of it comes next
			break
		}
		e.buf = appendVisible(e.buf, p[:size], r)
		p = p[size:]
	}
	if _, err := e.w.Write(e.buf); err != nil {
		return 0, err
	}
	return n, nil
}

// appendVisible appends one rune's bytes b, escaped when it is a control
// character or not UTF-8.
func appendVisible(dst, b []byte, r rune) []byte {
	switch {
	case r == '\n' || r == '\t':
		return append(dst, b...)
	case r == utf8.RuneError && len(b) == 1:
		return append(dst, `\x`+strconv.FormatUint(uint64(b[0])|0x100, 16)[1:]...)
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		q := strconv.QuoteRuneToASCII(r)
		return append(dst, q[1:len(q)-1]...)
	}
	return append(dst, b...)
}
