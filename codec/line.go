package codec

import "bytes"

// SplitLine finds the first CRLF-terminated line in buf. It returns the line
// without its CRLF and the number of bytes it used (line plus CRLF); line is a
// prefix of buf, valid as long as buf is. When buf holds no CRLF, line is nil
// and n is 0: the caller reads more (and enforces its length limit).
//
// Only CRLF ends a line. A bare LF, or a bare CR, stays inside the line, where
// ParseCommand rejects it with ErrBadLine: treating LF as a separator is what
// lets "EHLO a\nX-Injected: 1" smuggle a second command (ATTACKS.md T-02).
func SplitLine(buf []byte) (line []byte, n int) {
	for off := 0; ; {
		i := bytes.IndexByte(buf[off:], '\n')
		if i < 0 {
			return nil, 0
		}
		i += off
		if i > 0 && buf[i-1] == '\r' {
			return buf[:i-1], i + 1
		}
		off = i + 1
	}
}
