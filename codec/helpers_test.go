package codec

// isSubslice reports whether inner shares outer's memory and lies within
// outer's length: a view into the input, not a copy of equal bytes. An empty
// inner is a sub-slice of anything.
func isSubslice(outer, inner []byte) bool {
	if len(inner) == 0 {
		return true
	}
	for i := range outer {
		if &outer[i] == &inner[0] {
			return i+len(inner) <= len(outer)
		}
	}
	return false
}
