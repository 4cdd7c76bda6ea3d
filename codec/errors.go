package codec

import "errors"

// Parse errors. They are sentinels, compared with ==, and each calls for one
// reply from the core.
var (
	// ErrBadSyntax: the command or its path or parameters break the grammar
	// (501 5.5.4, or 501 5.1.7 for a path).
	ErrBadSyntax = errors.New("codec: syntax error")
	// ErrBadLine: a bare CR, a bare LF or a NUL inside a command line
	// (500 5.5.2; ATTACKS.md T-02, T-26).
	ErrBadLine = errors.New("codec: bare CR, LF or NUL in command line")
	// ErrBadAddress: a mailbox that breaks RFC 5321 §4.1.2 or its length
	// limits (553 5.1.3).
	ErrBadAddress = errors.New("codec: malformed address")
	// ErrNonASCII: non-ASCII bytes in a path without SMTPUTF8 (553 5.6.7).
	ErrNonASCII = errors.New("codec: non-ASCII address without SMTPUTF8")
	// ErrBadUTF8: invalid UTF-8 in a path under SMTPUTF8 (553 5.6.7).
	ErrBadUTF8 = errors.New("codec: invalid UTF-8")
	// ErrBadBase64: a SASL response that is not padded standard base64
	// (501 5.5.2).
	ErrBadBase64 = errors.New("codec: invalid base64")
)
