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

// String returns the command name in upper case ("UNKNOWN" for VerbUnknown).
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
// follows the verb, with trailing spaces removed ("" when there is none).
// For MAIL and RCPT, Arg starts after "FROM:" / "TO:" (any case, with any
// spaces after the colon removed, as many clients send them).
// Both slices point into the line passed to ParseCommand.
type Command struct {
	Verb Verb
	Name []byte
	Arg  []byte
}

// ParseCommand parses one command line (without CRLF). It never allocates.
// It returns ErrBadSyntax for MAIL without "FROM:" or RCPT without "TO:", and
// ErrBadLine for a line containing a bare CR, a bare LF or a NUL (never a
// command separator: Exim CVE-2020-28021).
func ParseCommand(line []byte) (Command, error) {
	for _, ch := range line {
		if ch == '\r' || ch == '\n' || ch == 0 {
			return Command{}, ErrBadLine
		}
	}
	name, arg := line, []byte(nil)
	if i := bytes.IndexByte(line, ' '); i >= 0 {
		name, arg = line[:i], line[i+1:]
	}
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

// cutKeyword removes "FROM:" or "TO:" and the spaces after it from Arg.
func cutKeyword(cmd Command, kw string) (Command, error) {
	if len(cmd.Arg) < len(kw) || !EqualFold(cmd.Arg[:len(kw)], kw) {
		return cmd, ErrBadSyntax
	}
	cmd.Arg = bytes.TrimLeft(cmd.Arg[len(kw):], " ")
	return cmd, nil
}

// LooksLikeHTTP reports whether a command line is an HTTP request line
// (GET, POST, HEAD, PUT, CONNECT, OPTIONS followed by a space): a
// cross-protocol attempt the core answers with an error and a close.
func LooksLikeHTTP(line []byte) bool {
	for _, m := range httpMethods {
		if len(line) > len(m) && string(line[:len(m)]) == m && line[len(m)] == ' ' {
			return true
		}
	}
	return false
}

var httpMethods = [...]string{"GET", "POST", "HEAD", "PUT", "CONNECT", "OPTIONS", "DELETE"}
