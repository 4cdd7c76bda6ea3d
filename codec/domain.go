package codec

import "bytes"

// isDomain reports whether d is a domain name or an address literal, the
// two forms RFC 5321 §4.1.2 allows after the "@" of a mailbox.
func isDomain(d []byte) bool {
	if len(d) > 0 && d[0] == '[' {
		return isAddressLiteral(d)
	}
	return isDomainName(d)
}

// isDomainName: sub-domain *("." sub-domain), each label 1 to 63 octets of
// letters, digits and hyphens, neither starting nor ending with a hyphen (RFC
// 5321 §4.1.2, RFC 1035 §2.3.4). Bytes >= 0x80 have been vetted by checkUTF8
// and are taken as part of a U-label (RFC 6531 §3.3).
func isDomainName(d []byte) bool {
	if len(d) == 0 {
		return false
	}
	for more := true; more; {
		var label []byte
		label, d, more = cutByteMore(d, '.')
		if !isLabel(label) {
			return false
		}
	}
	return true
}

func isLabel(l []byte) bool {
	if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, ch := range l {
		if !isAlnum(ch) && ch != '-' && ch < 0x80 {
			return false
		}
	}
	return true
}

// isAddressLiteral: "[" IPv4 "]" or "[IPv6:" IPv6 "]" (RFC 5321 §4.1.3; the
// tag, like every ABNF string, in any case). A General-address-literal with
// another tag is refused: RFC 5321 admits only tags registered with IANA, and
// IPv6 is the only one there is.
func isAddressLiteral(d []byte) bool {
	if len(d) < 3 || d[len(d)-1] != ']' {
		return false
	}
	lit := d[1 : len(d)-1]
	if hasPrefixFold(lit, "IPv6:") {
		return isIPv6(lit[len("IPv6:"):])
	}
	return isIPv4(lit)
}

// IsIPv4 reports whether b is an IPv4 address as address literals write
// it: four decimal octets 0-255 of one to three digits each. It never
// allocates.
func IsIPv4(b []byte) bool { return isIPv4(b) }

// IsIPv6 reports whether b is an IPv6 address as address literals write it
// after their "IPv6:" tag (see isIPv6). It never allocates.
func IsIPv6(b []byte) bool { return isIPv6(b) }

// isIPv4: four decimal octets 0-255 of one to three digits each.
func isIPv4(b []byte) bool {
	for i := 0; i < 4; i++ {
		var octet []byte
		var dot bool
		octet, b, dot = cutByteMore(b, '.')
		n, ok := ParseSize(octet)
		if !ok || len(octet) > 3 || n > 255 || dot != (i < 3) {
			return false
		}
	}
	return true
}

// isIPv6: eight groups of one to four hex digits, or fewer around a single
// "::" that stands for at least one zero group (RFC 4291 §2.2; RFC 5321's
// grammar is stricter, at least two, but senders format addresses with the
// system's own routines). The last two groups may be written as an IPv4
// address.
func isIPv6(b []byte) bool {
	head, tail, compressed := bytes.Cut(b, []byte("::"))
	if !compressed {
		n, ok := countGroups(head, true)
		return ok && n == 8
	}
	if bytes.Contains(tail, []byte("::")) {
		return false
	}
	nh, okHead := countGroups(head, false)
	nt, okTail := countGroups(tail, true)
	return okHead && okTail && nh+nt <= 7
}

// countGroups counts the colon-separated hex groups of b, empty for none. When
// v4 is true the last group may be an IPv4 address, which counts as two.
func countGroups(b []byte, v4 bool) (n int, ok bool) {
	if len(b) == 0 {
		return 0, true
	}
	for more := true; more; {
		var g []byte
		g, b, more = cutByteMore(b, ':')
		switch {
		case v4 && !more && bytes.IndexByte(g, '.') >= 0:
			if !isIPv4(g) {
				return 0, false
			}
			n += 2
		case len(g) == 0 || len(g) > 4 || !isHex(g):
			return 0, false
		default:
			n++
		}
	}
	return n, true
}
