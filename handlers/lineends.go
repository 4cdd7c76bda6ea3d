package handlers

import "io"

// crlfWriter writes a message with every line end made CRLF: a bare LF
// becomes CRLF, as Postfix 3.9's smtpd_forbid_bare_newline = normalize
// reads it, and so does a bare CR. The server keeps bare CR and LF as data
// (only CRLF.CRLF ends a message), but an upstream server may take either
// for a line end: "\r.\r\n" inside a relayed body would then end the
// message there and let the rest be read as commands (outbound SMTP
// smuggling, CVE-2023-51764). Made CRLF, every line is dot-stuffed by the
// DotWriter after this one, so no look-alike survives.
type crlfWriter struct {
	w         io.Writer
	pendingCR bool   // the last byte written was a CR whose successor is not known yet
	buf       []byte // scratch, reused
}

func (c *crlfWriter) Write(p []byte) (int, error) {
	out := c.buf[:0]
	for _, b := range p {
		switch {
		case c.pendingCR && b == '\n':
			out = append(out, '\r', '\n')
			c.pendingCR = false
			continue
		case c.pendingCR:
			out = append(out, '\r', '\n') // a bare CR
			c.pendingCR = false
		}
		switch b {
		case '\r':
			c.pendingCR = true
		case '\n':
			out = append(out, '\r', '\n') // a bare LF
		default:
			out = append(out, b)
		}
	}
	c.buf = out[:0]
	if _, err := c.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes a CR held back at the end of the message, as a line end.
func (c *crlfWriter) Flush() error {
	if !c.pendingCR {
		return nil
	}
	c.pendingCR = false
	_, err := c.w.Write([]byte("\r\n"))
	return err
}
