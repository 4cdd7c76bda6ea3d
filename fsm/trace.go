package fsm

import (
	"bytes"

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
	c.cfg.trace(line)
}

// hideInitialResponse keeps an AUTH command's verb and mechanism and
// replaces whatever follows them. It splits at tabs too, and hides all but
// the verb of a line that does not start "AUTH ": a secret in a malformed
// AUTH is still one.
func hideInitialResponse(line []byte) []byte {
	verb, rest := cutField(line)
	mech, rest := cutField(rest)
	if len(verb) != 4 {
		mech, rest = nil, line
	}
	if len(bytes.Trim(rest, " \t")) == 0 {
		return line
	}
	shown := append([]byte(nil), line[:4]...)
	if len(mech) > 0 {
		shown = append(append(shown, ' '), mech...)
	}
	return append(append(shown, ' '), hidden...)
}

// cutField splits s at its first space or tab.
func cutField(s []byte) (field, rest []byte) {
	if i := bytes.IndexAny(s, " \t"); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, nil
}
