package codec

import "bytes"

// EqualFold reports whether b equals the ASCII string s, ignoring ASCII case.
// Only the letters A-Z fold: "é" matches nothing but itself.
func EqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether b starts with the ASCII string prefix,
// ignoring ASCII case.
func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && EqualFold(b[:len(prefix)], prefix)
}

func isAlnum(ch byte) bool {
	return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
}

func isHex(b []byte) bool {
	for _, ch := range b {
		if !(ch >= '0' && ch <= '9' || ch|0x20 >= 'a' && ch|0x20 <= 'f') {
			return false
		}
	}
	return true
}

func isASCII(b []byte) bool {
	for _, ch := range b {
		if ch >= 0x80 {
			return false
		}
	}
	return true
}

// cutByteMore splits b at the first sep. found reports whether there was one;
// when there was not, part is b and rest is nil.
func cutByteMore(b []byte, sep byte) (part, rest []byte, found bool) {
	if i := bytes.IndexByte(b, sep); i >= 0 {
		return b[:i], b[i+1:], true
	}
	return b, nil, false
}
