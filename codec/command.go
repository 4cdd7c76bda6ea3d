package codec

import "bytes"

// Verb identifies a command. Unknown verbs are VerbUnknown; the raw name is
// in Command.Name.
type Verb uint8

const (
	VerbUnknown Verb = iota
	VerbHELO
	VerbEHLO
	VerbLHLO
	VerbMAIL
	VerbRCPT
	VerbDATA
	VerbBDAT
	VerbRSET
	VerbNOOP
	VerbQUIT
	VerbVRFY
	VerbEXPN
	VerbHELP
	VerbSTARTTLS
	VerbAUTH
	NumVerbs // the number of verbs, for tables indexed by Verb
)

// String returns the command name in upper case ("UNKNOWN" for VerbUnknown
// and for values outside the enumeration).
func (v Verb) String() string {
	if v < NumVerbs {
		return verbNames[v]
	}
	return "UNKNOWN"
}

var verbNames = [NumVerbs]string{"UNKNOWN", "HELO", "EHLO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT",
	"RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH"}

// lookupVerb finds a verb by name, ignoring ASCII case.
func lookupVerb(name []byte) Verb {
	if len(name) < 4 || len(name) > 8 {
		return VerbUnknown
	}
	for v := VerbHELO; v < NumVerbs; v++ {
		if EqualFold(name, verbNames[v]) {
			return v
		}
	}
	return VerbUnknown
}

// Command is one parsed command line, without its CRLF. Name is the verb as
// sent (any case); Arg is the rest of the line after the single space that
// follows the verb, with trailing spaces and tabs removed (empty when there is
// none). For MAIL and RCPT, Arg starts after "FROM:" / "TO:" (any case), with
// any spaces after the colon removed, as many clients send "MAIL FROM: <a@b>".
//
// Both slices point into the line passed to ParseCommand and are valid as
// long as that line is.
type Command struct {
	Verb Verb
	Name []byte
	Arg  []byte
}

// ParseCommand parses one command line (without CRLF). The verb ends at the
// first space or at the end of the line and is matched ignoring case. It never
// allocates.
//
// It returns ErrBadLine, and a zero Command, for a line that holds a bare CR,
// a bare LF or a NUL: such a byte is never a command separator (Exim
// CVE-2020-28021) and must not reach a header or a log. It returns
// ErrBadSyntax for MAIL without "FROM:" or RCPT without "TO:"; Verb and Name
// are then set, so that the caller can answer with that command's syntax
// error.
func ParseCommand(line []byte) (Command, error) {
	if hasControl(line) {
		return Command{}, ErrBadLine
	}
	name, arg, _ := cutByteMore(line, ' ')
	arg = bytes.TrimRight(arg, " \t")
	cmd := Command{Verb: lookupVerb(name), Name: name, Arg: arg}
	switch cmd.Verb {
	case VerbMAIL:
		return cutKeyword(cmd, "FROM:")
	case VerbRCPT:
		return cutKeyword(cmd, "TO:")
	}
	return cmd, nil
}

// hasControl reports whether line holds a CR, an LF or a NUL.
// Three vectorised scans beat one byte loop on lines of any useful length.
func hasControl(line []byte) bool {
	return bytes.IndexByte(line, '\r') >= 0 || bytes.IndexByte(line, '\n') >= 0 ||
		bytes.IndexByte(line, 0) >= 0
}

// cutKeyword removes "FROM:" or "TO:" and the spaces after it from Arg.
func cutKeyword(cmd Command, kw string) (Command, error) {
	if !hasPrefixFold(cmd.Arg, kw) {
		return cmd, ErrBadSyntax
	}
	cmd.Arg = bytes.TrimLeft(cmd.Arg[len(kw):], " ")
	return cmd, nil
}

// LooksLikeHTTP reports whether a command line is an HTTP request line (GET,
// POST, HEAD, PUT, DELETE, CONNECT or OPTIONS, upper case as HTTP requires,
// followed by a space): a cross-protocol attempt (ALPACA) that the core
// answers with an error and a close.
func LooksLikeHTTP(line []byte) bool {
	for _, m := range httpMethods {
		if len(line) > len(m) && string(line[:len(m)]) == m && line[len(m)] == ' ' {
			return true
		}
	}
	return false
}

var httpMethods = [...]string{"GET", "POST", "HEAD", "PUT", "DELETE", "CONNECT", "OPTIONS"}
