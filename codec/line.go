package codec

// SplitLine finds the first CRLF-terminated line in buf. It returns the line
// without its CRLF and the number of bytes it used (line plus CRLF). When buf
// holds no CRLF, n is 0. A bare LF does not end a line (it stays inside the
// line, where ParseCommand rejects it).
func SplitLine(buf []byte) (line []byte, n int) { panic("TODO") }
