package codec

import "bytes"

// Reply is one SMTP reply: a three-digit code, an optional RFC 3463 enhanced
// status code ("2.1.0") and text. Text and More are single lines; the encoder
// replaces any CR, LF or NUL in them with a space, so that handler text can
// never inject a second reply (reply injection, ATTACKS.md T-32). More holds
// the further lines of a multi-line reply (the EHLO capability list, HELP).
//
// The zero Reply means "no reply chosen": the core then uses its default.
// Reply implements error so that handlers can return one.
type Reply struct {
	Code     int
	Enhanced string
	Text     string
	More     []string
}

// IsZero reports whether no reply was chosen.
func (r Reply) IsZero() bool { return r.Code == 0 }

// Positive reports whether r is a 2xx or 3xx reply.
func (r Reply) Positive() bool { return r.Code >= 200 && r.Code < 400 }

// Error renders the reply's first line as the client would see it, without
// its CRLF: "550 5.1.1 no such user".
func (r Reply) Error() string {
	line := r.AppendTo(nil, true)
	if i := bytes.Index(line, []byte("\r\n")); i >= 0 {
		line = line[:i]
	}
	return string(line)
}

// AppendTo appends the wire form of r to dst and returns the extended slice;
// it allocates only when dst lacks the capacity. Every line ends in CRLF and
// carries the code, followed by "-" on all lines but the last and by a space
// on the last (RFC 5321 §4.2.1): "250-first\r\n250-more\r\n250 last\r\n".
// The enhanced code follows the code on every line when enhanced is true and
// r has one. A line with neither text nor enhanced code is the bare code
// ("250\r\n", or "250-\r\n" before another line).
//
// A code outside 200..599 is written as 451: a handler bug must not produce
// a malformed reply.
func (r Reply) AppendTo(dst []byte, enhanced bool) []byte {
	code := r.Code
	if code < 200 || code > 599 {
		code = 451
	}
	enh := r.Enhanced
	if !enhanced {
		enh = ""
	}
	dst = appendReplyLine(dst, code, enh, r.Text, len(r.More) == 0)
	for i, text := range r.More {
		dst = appendReplyLine(dst, code, enh, text, i == len(r.More)-1)
	}
	return dst
}

// appendReplyLine appends one line of a reply; final selects the separator.
func appendReplyLine(dst []byte, code int, enh, text string, final bool) []byte {
	dst = append(dst, byte('0'+code/100), byte('0'+code/10%10), byte('0'+code%10))
	switch {
	case !final:
		dst = append(dst, '-')
	case enh == "" && text == "":
		return append(dst, "\r\n"...)
	default:
		dst = append(dst, ' ')
	}
	dst = appendSafe(dst, enh)
	if enh != "" && text != "" {
		dst = append(dst, ' ')
	}
	dst = appendSafe(dst, text)
	return append(dst, "\r\n"...)
}

// appendSafe appends s with CR, LF and NUL replaced by a space, so that no
// text can end a reply line early (reply injection).
func appendSafe(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '\r' || ch == '\n' || ch == 0 {
			ch = ' '
		}
		dst = append(dst, ch)
	}
	return dst
}
