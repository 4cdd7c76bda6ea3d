package codec

import "bytes"

// SplitLine finds the first CRLF-terminated line in buf. It returns the line
// without its CRLF and the number of bytes it used (line plus CRLF); line is a
// prefix of buf, valid as long as buf is. When buf holds no CRLF, line is nil
// and n is 0: the caller reads more (and enforces its length limit).
//
// Only CRLF ends a line. A bare LF, or a bare CR, stays inside the line, where
// ParseCommand rejects it with ErrBadLine. This is the strict framing of RFC
// 5321 §2.3.8; SplitLineLF is the one a server's command reader uses.
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

// SplitLineLF finds the first line in buf ended by an LF, with or without a
// CR before it. It returns the line without its end (the LF and one CR
// before it), the number of bytes it used, and bare: the line ended in a LF
// with no CR. line is a prefix of buf, valid as long as buf is; with no LF in
// buf, line is nil and n is 0.
//
// This is how Postfix 3.9 (smtpd_forbid_bare_newline = normalize), aiosmtpd
// and Go's textproto read command lines: a person typing into nc without -C
// gets answers. It is safe for commands, where a line is one command whatever
// ends it: "EHLO a\nX-Injected: 1" is two commands, each judged on its own,
// never text hidden inside the first (T-02 in ATTACKS.md). It is never used
// for a message body: there only CRLF.CRLF ends the data (SMTP smuggling).
// A bare CR inside the line is left in it, for ParseCommand to refuse.
func SplitLineLF(buf []byte) (line []byte, n int, bare bool) {
	i := bytes.IndexByte(buf, '\n')
	if i < 0 {
		return nil, 0, false
	}
	if i > 0 && buf[i-1] == '\r' {
		return buf[:i-1], i + 1, false
	}
	return buf[:i], i + 1, true
}
