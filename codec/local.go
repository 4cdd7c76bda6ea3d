package codec

import "strings"

// isLocalPart reports whether l is a Dot-string or a Quoted-string (RFC 5321
// §4.1.2). Bytes >= 0x80 have been vetted by checkUTF8 and count as atext
// and qtext (RFC 6531 §3.3).
func isLocalPart(l []byte) bool {
	if len(l) == 0 {
		return false
	}
	if l[0] == '"' {
		return isQuotedString(l)
	}
	return isDotString(l)
}

// isDotString: Atom *("." Atom), no empty atom (so no leading, trailing or
// doubled dot).
func isDotString(l []byte) bool {
	for more := true; more; {
		var atom []byte
		atom, l, more = cutByteMore(l, '.')
		if len(atom) == 0 {
			return false
		}
		for _, ch := range atom {
			if !isAtext(ch) {
				return false
			}
		}
	}
	return true
}

func isAtext(ch byte) bool {
	return isAlnum(ch) || ch >= 0x80 || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", ch) >= 0
}

// isQuotedString: DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE, where qtext
// is printable ASCII but '"' and '\', plus space, and a quoted pair is '\'
// before any printable ASCII or space.
func isQuotedString(l []byte) bool {
	if len(l) < 2 || l[len(l)-1] != '"' {
		return false
	}
	for i := 1; i < len(l)-1; i++ {
		ch := l[i]
		switch {
		case ch == '\\':
			i++
			if i >= len(l)-1 || l[i] < ' ' || l[i] > '~' {
				return false
			}
		case ch == '"' || ch < ' ' || ch == 0x7f:
			return false
		}
	}
	return true
}

// lastAtOutsideQuotes returns the index of the "@" that separates the local
// part from the domain, or -1.
func lastAtOutsideQuotes(m []byte) int {
	quoted, at := false, -1
	for i := 0; i < len(m); i++ {
		switch m[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case '@':
			if !quoted {
				at = i
			}
		}
	}
	return at
}
