package codec

// ParseBDAT parses the argument of BDAT: "chunk-size [LAST]" (RFC 3030 §2),
// case-insensitive LAST after exactly one space, the size in at most 20
// decimal digits (leading zeros allowed) that fit an int64. ok is false for
// anything else.
func ParseBDAT(arg []byte) (size int64, last bool, ok bool) {
	num, rest, hasRest := cutByteMore(arg, ' ')
	if hasRest {
		if !EqualFold(rest, "LAST") {
			return 0, false, false
		}
		last = true
	}
	size, ok = ParseSize(num)
	if !ok {
		return 0, false, false
	}
	return size, last, true
}
