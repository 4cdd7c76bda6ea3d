package handlers

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file renders text the way Python does, so that Debugging prints
// exactly what aiosmtpd's prints: repr() of strings, lists and the peer
// tuple, and UTF-8 decoding with errors="replace".

// pyRepr is Python's repr of a str. Bytes that are not UTF-8 are shown as
// the surrogate escapes aiosmtpd keeps them as ('\udcff').
func pyRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			fmt.Fprintf(&b, `\udc%02x`, s[i])
		} else {
			writeReprRune(&b, r, quote)
		}
		i += n
	}
	b.WriteByte(quote)
	return b.String()
}

func writeReprRune(b *strings.Builder, r rune, quote byte) {
	switch {
	case r == '\\' || r == rune(quote):
		b.WriteByte('\\')
		b.WriteRune(r)
	case r == '\t':
		b.WriteString(`\t`)
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == ' ' || unicode.IsPrint(r):
		b.WriteRune(r)
	case r < 0x100:
		fmt.Fprintf(b, `\x%02x`, r)
	case r < 0x10000:
		fmt.Fprintf(b, `\u%04x`, r)
	default:
		fmt.Fprintf(b, `\U%08x`, r)
	}
}

// pyList is Python's repr of a list of str.
func pyList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = pyRepr(s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// pyPeer is Python's repr of the peer aiosmtpd's session holds: the
// socket address tuple, ('127.0.0.1', 5025) or ('::1', 5025, 0, 0), else
// the address as a string (a Unix socket's).
func pyPeer(peer string) string {
	ap, err := netip.ParseAddrPort(peer)
	switch {
	case err != nil:
		return pyRepr(peer)
	case ap.Addr().Is4() || ap.Addr().Is4In6():
		return fmt.Sprintf("(%s, %d)", pyRepr(ap.Addr().Unmap().String()), ap.Port())
	}
	return fmt.Sprintf("(%s, %d, 0, 0)", pyRepr(ap.Addr().WithZone("").String()), ap.Port())
}

// appendReplaced appends p decoded as UTF-8 with Python's errors="replace":
// one U+FFFD per maximal ill-formed subpart (Unicode §3.9), which is not Go's
// one per byte. A sequence cut off at the end of p is returned as carry, to
// be passed in front of the next piece; final marks the last piece.
func appendReplaced(dst, p []byte, final bool) (out, carry []byte) {
	for i := 0; i < len(p); {
		if p[i] < utf8.RuneSelf {
			dst = append(dst, p[i])
			i++
			continue
		}
		r, n := utf8.DecodeRune(p[i:])
		if r != utf8.RuneError || n > 1 {
			dst = append(dst, p[i:i+n]...)
			i += n
			continue
		}
		n = subpartLen(p[i:])
		if !final && i+n == len(p) && n < seqLen(p[i]) {
			return dst, p[i:]
		}
		dst = utf8.AppendRune(dst, utf8.RuneError)
		i += n
	}
	return dst, nil
}

// seqLen is the length of the sequence a lead byte starts, 1 for a byte
// that starts none.
func seqLen(lead byte) int {
	switch {
	case lead >= 0xC2 && lead <= 0xDF:
		return 2
	case lead >= 0xE0 && lead <= 0xEF:
		return 3
	case lead >= 0xF0 && lead <= 0xF4:
		return 4
	}
	return 1
}

// subpartLen is the length of the maximal ill-formed subpart at the start
// of p: the lead byte and the continuation bytes that could still have
// completed it.
func subpartLen(p []byte) int {
	want := seqLen(p[0])
	n := 1
	for n < want && n < len(p) && continuationOK(p[0], n, p[n]) {
		n++
	}
	return n
}

// continuationOK reports whether b may be byte i (1-based after the lead)
// of a well-formed sequence that starts with lead.
func continuationOK(lead byte, i int, b byte) bool {
	lo, hi := byte(0x80), byte(0xBF)
	if i == 1 {
		switch lead {
		case 0xE0:
			lo = 0xA0
		case 0xED:
			hi = 0x9F
		case 0xF0:
			lo = 0x90
		case 0xF4:
			hi = 0x8F
		}
	}
	return b >= lo && b <= hi
}
