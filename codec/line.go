package codec

import "bytes"

// SplitLine finds the first CRLF-terminated line in buf. It returns the line
// without its CRLF and the number of bytes it used (line plus CRLF). When buf
// holds no CRLF, n is 0. A bare LF does not end a line (it stays inside the
// line, where ParseCommand rejects it).
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
