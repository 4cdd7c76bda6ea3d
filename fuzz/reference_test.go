package fuzz

import (
	"bytes"
	"fmt"
	"strconv"
)

// This file is the reference the server is checked against, written for
// clarity and independently of package codec: the reply grammar, the
// dot-unstuffing of a DATA body and the BDAT command.

// reply is one reply of the server: its code and its lines without CRLF.
type reply struct {
	code  int
	lines []string
}

func (r reply) String() string { return fmt.Sprintf("%q", r.lines) }

// parseReplies splits the server's output into replies (RFC 5321 §4.2):
// lines "ddd-text" continue a reply, "ddd text" or "ddd" end it, every
// line of a reply has the same code and ends with CRLF, and no line holds
// a CR or LF of its own. An error names the first breach.
func parseReplies(out []byte) ([]reply, error) {
	var replies []reply
	var cur *reply
	for len(out) > 0 {
		i := bytes.Index(out, []byte("\r\n"))
		if i < 0 {
			return replies, fmt.Errorf("output ends inside a line: %q", out)
		}
		line := out[:i]
		out = out[i+2:]
		if bytes.ContainsAny(line, "\r\n") {
			return replies, fmt.Errorf("bare CR or LF inside reply line %q", line)
		}
		code, more, err := replyLine(line)
		if err != nil {
			return replies, err
		}
		if cur == nil {
			replies = append(replies, reply{code: code})
			cur = &replies[len(replies)-1]
		} else if code != cur.code {
			return replies, fmt.Errorf("line %q continues a %d reply", line, cur.code)
		}
		cur.lines = append(cur.lines, string(line))
		if !more {
			cur = nil
		}
	}
	if cur != nil {
		return replies, fmt.Errorf("output ends inside reply %v", *cur)
	}
	return replies, nil
}

// replyLine parses "ddd", "ddd text" or "ddd-text".
func replyLine(line []byte) (code int, more bool, err error) {
	if len(line) < 3 || line[0] < '2' || line[0] > '5' || !isDigit(line[1]) || !isDigit(line[2]) {
		return 0, false, fmt.Errorf("malformed reply line %q", line)
	}
	code, _ = strconv.Atoi(string(line[:3]))
	if len(line) == 3 {
		return code, false, nil
	}
	switch line[3] {
	case ' ':
		return code, false, nil
	case '-':
		return code, true, nil
	}
	return 0, false, fmt.Errorf("malformed reply line %q", line)
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// refUnstuff decodes a DATA body (RFC 5321 §4.5.2) line by line: the input
// is CRLF-terminated lines, the first one starting the body; the line "."
// ends it; any other line that starts with a dot loses that dot; every
// other byte, bare CR and LF included, is data. It returns the message and
// the number of bytes up to and including the terminating ".\r\n"; ok is
// false when the input ends first.
func refUnstuff(in []byte) (msg []byte, n int, ok bool) {
	msg = []byte{}
	for n < len(in) {
		i := bytes.Index(in[n:], []byte("\r\n"))
		if i < 0 {
			return nil, 0, false
		}
		line := in[n : n+i]
		n += i + 2
		if string(line) == "." {
			return msg, n, true
		}
		line = bytes.TrimPrefix(line, []byte("."))
		msg = append(msg, line...)
		msg = append(msg, "\r\n"...)
	}
	return nil, 0, false
}

// refBDAT parses a BDAT command line (RFC 3030): "BDAT" in any case, one
// space, the chunk size in at most 20 digits that fit an int64, and
// optionally one space and "LAST" in any case; trailing spaces and tabs do
// not count; the line may hold no CR, LF or NUL and be at most maxLine
// octets. ok is false for any other line.
func refBDAT(line []byte, maxLine int) (size int64, last, ok bool) {
	if len(line) > maxLine || bytes.ContainsAny(line, "\r\n\x00") {
		return 0, false, false
	}
	verb, arg, _ := bytes.Cut(line, []byte(" "))
	if !bytes.EqualFold(verb, []byte("BDAT")) {
		return 0, false, false
	}
	arg = bytes.TrimRight(arg, " \t")
	num, word, hasWord := bytes.Cut(arg, []byte(" "))
	if hasWord && !bytes.EqualFold(word, []byte("LAST")) {
		return 0, false, false
	}
	if len(num) == 0 || len(num) > 20 || bytes.ContainsFunc(num, func(r rune) bool { return r < '0' || r > '9' }) {
		return 0, false, false
	}
	size, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		return 0, false, false
	}
	return size, hasWord, true
}

// isCommand reports whether line is the command verb, in any case, alone
// or followed by a space.
func isCommand(line []byte, verb string) bool {
	return len(line) >= len(verb) && bytes.EqualFold(line[:len(verb)], []byte(verb)) &&
		(len(line) == len(verb) || line[len(verb)] == ' ')
}
