package codec

import "bytes"

// DotEncoder applies dot-stuffing: it doubles a "." at the start of every
// line and, on Close, appends the end-of-data marker (with a CRLF first when
// the message did not end with one). DotDecoder inverts it for every message
// that ends in CRLF. Used by the Proxy handler, the bench client and tests.
//
// As in DotDecoder, lines start only after CRLF: bare CR and bare LF pass
// through as data and start no line, so a dot after them is not doubled. A
// receiver that (against RFC 5321) takes a bare LF for a line ending could
// therefore see LF "." LF as an end of data: whoever relays a message that
// DotDecoder flagged Bare must refuse it or normalise its line endings first.
type DotEncoder struct {
	midLine bool // the last byte written was not the LF of a CRLF
	lastCR  bool // the last byte written was CR
}

// Append appends the dot-stuffed form of p to dst and returns the extended
// slice (dst's array when it has room). p is not retained.
func (e *DotEncoder) Append(dst, p []byte) []byte {
	if len(p) == 0 {
		return dst
	}
	done := 0 // p[:done] is in dst
	atStart := !e.midLine
	for i := 0; ; {
		if atStart && i < len(p) && p[i] == '.' {
			dst = append(dst, p[done:i+1]...)
			done = i // the dot goes out a second time with the rest
		}
		lf := bytes.IndexByte(p[i:], '\n')
		if lf < 0 {
			break
		}
		lf += i
		atStart = lf > 0 && p[lf-1] == '\r' || lf == 0 && e.lastCR
		i = lf + 1
		if i == len(p) {
			break
		}
	}
	e.midLine = !(atStart && p[len(p)-1] == '\n')
	e.lastCR = p[len(p)-1] == '\r'
	return append(dst, p[done:]...)
}

// Close appends the end-of-data marker to dst and readies e for a new message.
func (e *DotEncoder) Close(dst []byte) []byte {
	if e.midLine {
		dst = append(dst, "\r\n"...)
	}
	*e = DotEncoder{}
	return append(dst, ".\r\n"...)
}
