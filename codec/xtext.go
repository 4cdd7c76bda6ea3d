package codec

// DecodeXtext decodes an RFC 3461 §4 xtext (the values of AUTH=, ENVID=,
// ORCPT=) in place: printable ASCII but "+" and "=" stands for itself, and
// "+" followed by two upper-case hex digits for the octet they spell. It
// returns the decoded prefix of s (s's bytes are overwritten; out is valid
// as long as s is), or ok false when s is malformed. It never allocates.
func DecodeXtext(s []byte) (out []byte, ok bool) {
	w := 0
	for r := 0; r < len(s); r++ {
		ch := s[r]
		switch {
		case ch == '+':
			if r+2 >= len(s) {
				return nil, false
			}
			hi, okHi := unhex(s[r+1])
			lo, okLo := unhex(s[r+2])
			if !okHi || !okLo {
				return nil, false
			}
			ch = hi<<4 | lo
			r += 2
		case ch < '!' || ch > '~' || ch == '=':
			return nil, false
		}
		s[w] = ch
		w++
	}
	return s[:w], true
}

// unhex decodes an upper-case hex digit (RFC 3461 §4: hexchar is upper case).
func unhex(ch byte) (byte, bool) {
	switch {
	case ch >= '0' && ch <= '9':
		return ch - '0', true
	case ch >= 'A' && ch <= 'F':
		return ch - 'A' + 10, true
	}
	return 0, false
}

// IsXtext reports whether s is a well-formed RFC 3461 §4 xtext whose
// decoded octets are all printable US-ASCII (0x20 to 0x7E), as RFC 3461
// requires of ENVID (§4.4) and of an rfc822 ORCPT address (§4.2). Unlike
// DecodeXtext it leaves s as it is. It never allocates.
func IsXtext(s []byte) bool {
	for r := 0; r < len(s); r++ {
		ch := s[r]
		switch {
		case ch == '+':
			if r+2 >= len(s) {
				return false
			}
			hi, okHi := unhex(s[r+1])
			lo, okLo := unhex(s[r+2])
			if !okHi || !okLo {
				return false
			}
			if v := hi<<4 | lo; v < ' ' || v > '~' {
				return false
			}
			r += 2
		case ch < '!' || ch > '~' || ch == '=':
			return false
		}
	}
	return true
}
