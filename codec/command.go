package codec

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
func (v Verb) String() string { panic("TODO") }

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
func ParseCommand(line []byte) (Command, error) { panic("TODO") }

// LooksLikeHTTP reports whether a command line is an HTTP request line
// (GET, POST, HEAD, PUT, CONNECT, OPTIONS followed by a space): a
// cross-protocol attempt the core answers with an error and a close.
func LooksLikeHTTP(line []byte) bool { panic("TODO") }
