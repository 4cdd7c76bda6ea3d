package codec

// Reply is one SMTP reply: a three-digit code, an optional RFC 3463 enhanced
// status code ("2.1.0") and text. Text and More are single lines; the encoder
// replaces any CR or LF in them with a space, so handler text can never inject
// a second reply (reply injection). More holds the further lines of a
// multi-line reply (the EHLO capability list, HELP).
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

// Error renders the reply's first line, as the client would see it.
func (r Reply) Error() string { return string(r.AppendTo(nil, true)) }

// AppendTo appends the wire form of r (every line ending in CRLF) to dst.
// The enhanced code is written only when enhanced is true and r has one.
// A code outside 200..599 is written as 451 (a handler bug must not make a
// malformed reply).
func (r Reply) AppendTo(dst []byte, enhanced bool) []byte {
	code := r.Code
	if code < 200 || code > 599 {
		code = 451
	}
	last := len(r.More)
	dst = r.appendLine(dst, code, enhanced, r.Text, last == 0)
	for i, l := range r.More {
		dst = r.appendLine(dst, code, enhanced, l, i == last-1)
	}
	return dst
}

func (r Reply) appendLine(dst []byte, code int, enhanced bool, text string, final bool) []byte {
	dst = append(dst, byte('0'+code/100), byte('0'+code/10%10), byte('0'+code%10))
	sep := byte('-')
	if final {
		sep = ' '
	}
	if text == "" && !(enhanced && r.Enhanced != "") {
		if !final {
			dst = append(dst, sep)
		}
		return append(dst, "\r\n"...)
	}
	dst = append(dst, sep)
	if enhanced && r.Enhanced != "" {
		dst = appendSafe(dst, r.Enhanced)
		if text != "" {
			dst = append(dst, ' ')
		}
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
