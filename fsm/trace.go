package fsm

import (
	"bytes"
	"slices"

	"github.com/gosmtpd/gosmtpd/codec"
)

// hidden stands for a secret in a traced line.
var hidden = []byte("***")

// traceLine shows line, a command or a SASL response, to Config.Trace with
// its secrets hidden.
func (c *Conn) traceLine(line []byte) {
	switch {
	case c.phase == phaseAuth && !bytes.Equal(line, []byte("*")):
		line = hidden
	case len(line) >= 4 && codec.EqualFold(line[:4], "AUTH"):
		line = hideInitialResponse(line)
	}
	c.trace(line)
}

// hideInitialResponse keeps an AUTH command's verb and mechanism and
// replaces whatever follows them. Only a well-formed mechanism name
// (RFC 4422: up to 20 letters, digits, '-' and '_') after one space is
// shown: in a malformed AUTH, anything after the verb may be a secret.
func hideInitialResponse(line []byte) []byte {
	verb, rest := line[:4], line[4:]
	if len(rest) == 0 {
		return line
	}
	mech, tail, _ := bytes.Cut(rest[min(1, len(rest)):], []byte(" "))
	if rest[0] != ' ' || !isMechanismName(mech) {
		return slices.Concat(verb, []byte(" "), hidden)
	}
	if len(bytes.Trim(tail, " ")) == 0 {
		return line
	}
	return slices.Concat(verb, []byte(" "), mech, []byte(" "), hidden)
}

// isMechanismName reports whether b is a SASL mechanism name (RFC 4422 §3.1).
func isMechanismName(b []byte) bool {
	if len(b) == 0 || len(b) > 20 {
		return false
	}
	for _, ch := range b {
		if !('A' <= ch && ch <= 'Z' || 'a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '_') {
			return false
		}
	}
	return true
}
