package codec

import "errors"

// Parse errors. The core maps each to its reply.
var (
	ErrBadSyntax  = errors.New("codec: syntax error")
	ErrBadLine    = errors.New("codec: bare CR, LF or NUL in command line")
	ErrBadAddress = errors.New("codec: malformed address")
	ErrNonASCII   = errors.New("codec: non-ASCII address without SMTPUTF8")
	ErrBadUTF8    = errors.New("codec: invalid UTF-8")
	ErrBadBase64  = errors.New("codec: invalid base64")
)
