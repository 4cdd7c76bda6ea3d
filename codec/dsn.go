package codec

import "unicode/utf8"

// The syntax of the Delivery Status Notification parameters (RFC 3461 §4)
// and of the RFC 6533 "utf-8" address type of ORCPT.

// Notify is the set of conditions of RCPT's NOTIFY= parameter (RFC 3461
// §4.1), as a bit mask.
type Notify uint8

const (
	NotifyNever Notify = 1 << iota
	NotifySuccess
	NotifyFailure
	NotifyDelay
)

// MaxENVID is the longest ENVID= value (RFC 3461 §4.4: 100 characters).
const MaxENVID = 100

// MaxORCPT is the longest ORCPT= value (RFC 3461 §4.2: 500 characters).
const MaxORCPT = 500

// ParseNotify parses NOTIFY's value: NEVER alone, or a comma-separated list
// of SUCCESS, FAILURE and DELAY in any case. NEVER combined with another
// keyword, an unknown keyword or an empty item is malformed (ok false). It
// never allocates.
func ParseNotify(v []byte) (n Notify, ok bool) {
	for more := len(v) > 0; more; {
		var item []byte
		item, v, more = cutByteMore(v, ',')
		switch {
		case EqualFold(item, "NEVER"):
			n |= NotifyNever
		case EqualFold(item, "SUCCESS"):
			n |= NotifySuccess
		case EqualFold(item, "FAILURE"):
			n |= NotifyFailure
		case EqualFold(item, "DELAY"):
			n |= NotifyDelay
		default:
			return 0, false
		}
	}
	if n == 0 || n&NotifyNever != 0 && n != NotifyNever {
		return 0, false
	}
	return n, true
}

// IsRET reports whether v is RET's value, FULL or HDRS in any case (RFC 3461
// §4.3).
func IsRET(v []byte) bool { return EqualFold(v, "FULL") || EqualFold(v, "HDRS") }

// IsENVID reports whether v is a valid ENVID= value: xtext of printable
// ASCII, at most MaxENVID characters (RFC 3461 §4.4).
func IsENVID(v []byte) bool { return len(v) <= MaxENVID && IsXtext(v) }

// SplitORCPT splits ORCPT's value, addr-type ";" address (RFC 3461 §4.2),
// and checks the address's encoding: xtext of printable ASCII for every
// type but "utf-8", whose address is RFC 6533's utf-8-addr-xtext, or
// utf-8-addr-unitext when utf8 is true (SMTPUTF8 is in effect for the
// transaction). addr-type is an atom; the value is at most MaxORCPT long.
// The returned slices point into v. It never allocates.
func SplitORCPT(v []byte, utf8 bool) (addrType, addr []byte, ok bool) {
	addrType, addr, found := cutByteMore(v, ';')
	if !found || len(v) > MaxORCPT || !isAtom(addrType) || len(addr) == 0 {
		return nil, nil, false
	}
	valid := IsXtext(addr)
	if EqualFold(addrType, "utf-8") {
		valid = isUTF8AddrText(addr, utf8)
	}
	if !valid {
		return nil, nil, false
	}
	return addrType, addr, true
}

// isAtom reports whether b is an RFC 5322 atom: atext characters only.
func isAtom(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, ch := range b {
		if ch >= 0x80 || !isAtext(ch) {
			return false
		}
	}
	return true
}

// isUTF8AddrText checks RFC 6533 §3's utf-8-addr-xtext (unicode false) or
// utf-8-addr-unitext (unicode true): QCHAR, that is printable ASCII but
// "+", "=" and "\", or an EmbeddedUnicodeChar "\x{HEXPOINT}"; unitext also
// allows non-ASCII UTF-8.
func isUTF8AddrText(b []byte, unicode bool) bool {
	for len(b) > 0 {
		ch := b[0]
		switch {
		case ch == '\\':
			n, ok := embeddedUnicodeChar(b)
			if !ok {
				return false
			}
			b = b[n:]
		case ch >= 0x80:
			r, n := utf8.DecodeRune(b)
			if !unicode || r == utf8.RuneError {
				return false
			}
			b = b[n:]
		case ch < '!' || ch > '~' || ch == '+' || ch == '=':
			return false
		default:
			b = b[1:]
		}
	}
	return true
}

// embeddedUnicodeChar measures "\x{HEXPOINT}" at the start of b: 2 to 6
// upper-case hex digits naming a code point that is not ASCII-printable
// without the escape rules' help, no leading zero, no surrogate, at most
// 10FFFF (RFC 6533 §3).
func embeddedUnicodeChar(b []byte) (int, bool) {
	if len(b) < 6 || b[1] != 'x' || b[2] != '{' {
		return 0, false
	}
	end := 3
	var cp rune
	for end < len(b) && b[end] != '}' {
		d, ok := unhex(b[end])
		if !ok || end-3 == 6 {
			return 0, false
		}
		cp = cp<<4 | rune(d)
		end++
	}
	digits := end - 3
	if end == len(b) || digits < 2 || b[3] == '0' && digits > 2 {
		return 0, false
	}
	if cp > 0x10FFFF || cp >= 0xD800 && cp <= 0xDFFF {
		return 0, false
	}
	return end + 1, true
}
