package codec

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Path is a parsed reverse-path or forward-path (RFC 5321 §4.1.2). All slices
// point into the argument passed to ParsePath.
type Path struct {
	Raw     []byte // the whole path between < and >, source route included
	Mailbox []byte // local@domain, the source route removed; empty for <>
	Local   []byte // the local part as sent (quotes kept)
	Domain  []byte // the domain or address literal ([1.2.3.4], [IPv6:...])
	UTF8    bool   // non-ASCII bytes occur (allowed only under SMTPUTF8)
}

// IsNull reports whether the path is the null reverse-path <>.
func (p Path) IsNull() bool { return len(p.Mailbox) == 0 }

// PathOptions says what ParsePath accepts.
type PathOptions struct {
	AllowNull      bool // <> (MAIL only)
	AllowUTF8      bool // non-ASCII, valid UTF-8 local parts and domains (SMTPUTF8)
	AllowNoBracket bool // a bare address without <> (lenient clients)
	LocalOnly      bool // "postmaster" without a domain (RCPT TO:<Postmaster>)
}

// ParsePath parses a path at the start of arg and returns it and the rest of
// arg after it (the ESMTP parameters, leading spaces removed). Errors:
// ErrBadSyntax (malformed, 501), ErrBadAddress (a syntactically wrong mailbox,
// 553), ErrNonASCII (non-ASCII without AllowUTF8, 553 5.6.7), ErrBadUTF8
// (invalid UTF-8, 553 5.6.7).
func ParsePath(arg []byte, opt PathOptions) (p Path, rest []byte, err error) {
	raw, rest, err := cutPath(arg, opt.AllowNoBracket)
	if err != nil {
		return Path{}, nil, err
	}
	if len(raw) > 254 { // 256 with the brackets (RFC 5321 §4.5.3.1.3)
		return Path{}, nil, ErrBadAddress
	}
	p.Raw = raw
	if len(raw) == 0 {
		if !opt.AllowNull {
			return Path{}, nil, ErrBadSyntax
		}
		return p, rest, nil
	}
	mailbox := skipSourceRoute(raw)
	if mailbox == nil {
		return Path{}, nil, ErrBadAddress
	}
	if err := p.parseMailbox(mailbox, opt); err != nil {
		return Path{}, nil, err
	}
	return p, rest, nil
}

// cutPath splits arg into the path between its angle brackets and what
// follows it. A ">" inside a quoted local part does not end the path.
func cutPath(arg []byte, noBracket bool) (raw, rest []byte, err error) {
	if len(arg) == 0 || arg[0] != '<' {
		if !noBracket || len(arg) == 0 {
			return nil, nil, ErrBadSyntax
		}
		end := bytes.IndexByte(arg, ' ')
		if end < 0 {
			end = len(arg)
		}
		return arg[:end], bytes.TrimLeft(arg[end:], " "), nil
	}
	quoted := false
	for i := 1; i < len(arg); i++ {
		switch ch := arg[i]; {
		case quoted && ch == '\\':
			i++
		case ch == '"':
			quoted = !quoted
		case ch == '>' && !quoted:
			rest = arg[i+1:]
			if len(rest) > 0 && rest[0] != ' ' {
				return nil, nil, ErrBadSyntax
			}
			return arg[1:i], bytes.TrimLeft(rest, " "), nil
		}
	}
	return nil, nil, ErrBadSyntax
}

// skipSourceRoute returns the mailbox after an optional "@a,@b:" route, or
// nil when the route is malformed.
func skipSourceRoute(raw []byte) []byte {
	if raw[0] != '@' {
		return raw
	}
	colon := bytes.IndexByte(raw, ':')
	if colon < 0 {
		return nil
	}
	for route := raw[:colon]; len(route) > 0; {
		hop, tail := cutByte(route, ',')
		if len(hop) < 2 || hop[0] != '@' || !isDomain(hop[1:], false) {
			return nil
		}
		route = tail
	}
	return raw[colon+1:]
}

func (p *Path) parseMailbox(m []byte, opt PathOptions) error {
	at := lastAtOutsideQuotes(m)
	if at < 0 {
		if opt.LocalOnly && EqualFold(m, "postmaster") {
			p.Mailbox, p.Local = m, m
			return nil
		}
		return ErrBadAddress
	}
	local, domain := m[:at], m[at+1:]
	if err := checkUTF8(m, opt.AllowUTF8); err != nil {
		return err
	}
	p.UTF8 = !isASCII(m)
	if len(local) == 0 || len(local) > 64 || len(domain) > 255 || !isLocalPart(local) {
		return ErrBadAddress
	}
	if !isDomain(domain, true) {
		return ErrBadAddress
	}
	p.Mailbox, p.Local, p.Domain = m, local, domain
	return nil
}

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

func checkUTF8(m []byte, allow bool) error {
	if isASCII(m) {
		return nil
	}
	if !allow {
		return ErrNonASCII
	}
	if !utf8.Valid(m) {
		return ErrBadUTF8
	}
	return nil
}

func isASCII(b []byte) bool {
	for _, ch := range b {
		if ch >= 0x80 {
			return false
		}
	}
	return true
}

// isLocalPart: Dot-string or Quoted-string (RFC 5321 §4.1.2); bytes >= 0x80
// were vetted by checkUTF8 and count as atext (RFC 6531).
func isLocalPart(l []byte) bool {
	if l[0] == '"' {
		return isQuotedString(l)
	}
	for rest, more := l, true; more; {
		var atom []byte
		atom, rest, more = cutByteMore(rest, '.')
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

// cutByte splits b at the first sep; rest is empty when there is none.
func cutByte(b []byte, sep byte) (part, rest []byte) {
	part, rest, _ = cutByteMore(b, sep)
	return part, rest
}

// cutByteMore is cutByte that also reports whether sep was found.
func cutByteMore(b []byte, sep byte) (part, rest []byte, found bool) {
	if i := bytes.IndexByte(b, sep); i >= 0 {
		return b[:i], b[i+1:], true
	}
	return b, nil, false
}

func isAtext(ch byte) bool {
	return isAlnum(ch) || ch >= 0x80 || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", ch) >= 0
}

func isQuotedString(l []byte) bool {
	if len(l) < 2 || l[len(l)-1] != '"' {
		return false
	}
	for i := 1; i < len(l)-1; i++ {
		ch := l[i]
		switch {
		case ch == '\\':
			i++
			if i >= len(l)-1 || l[i] < 32 || l[i] > 126 {
				return false
			}
		case ch == '"' || ch < 32 || ch == 127:
			return false
		}
	}
	return true
}

// isDomain: a domain name, or (when literal) an address literal.
func isDomain(d []byte, literal bool) bool {
	if len(d) == 0 {
		return false
	}
	if d[0] == '[' {
		return literal && isAddressLiteral(d)
	}
	for rest, more := d, true; more; {
		var label []byte
		label, rest, more = cutByteMore(rest, '.')
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, ch := range label {
			if !isAlnum(ch) && ch != '-' && ch < 0x80 {
				return false
			}
		}
	}
	return true
}

// isAddressLiteral: [IPv4], [IPv6:...] or a General-address-literal.
func isAddressLiteral(d []byte) bool {
	if len(d) < 3 || d[len(d)-1] != ']' {
		return false
	}
	lit := d[1 : len(d)-1]
	if rest, ok := bytes.CutPrefix(lit, []byte("IPv6:")); ok {
		return isIPv6(rest)
	}
	if isIPv4(lit) {
		return true
	}
	tag, content, ok := bytes.Cut(lit, []byte(":"))
	return ok && len(tag) > 0 && len(content) > 0 && isDomain(tag, false)
}

// isIPv4: four decimal octets 0-255 (RFC 5321 §4.1.3).
func isIPv4(b []byte) bool {
	parts := 0
	for rest, more := b, true; more; parts++ {
		var p []byte
		p, rest, more = cutByteMore(rest, '.')
		n, ok := ParseSize(p)
		if !ok || n > 255 || len(p) > 3 {
			return false
		}
	}
	return parts == 4
}

// isIPv6: hex groups separated by colons, at most one "::", optionally ending
// in an IPv4 address (RFC 5321 §4.1.3).
func isIPv6(b []byte) bool {
	groups, gap := 0, bytes.Count(b, []byte("::"))
	if gap > 1 || len(b) < 2 {
		return false
	}
	for rest, more := b, true; more; {
		var g []byte
		g, rest, more = cutByteMore(rest, ':')
		switch {
		case len(g) == 0:
			continue
		case !more && bytes.IndexByte(g, '.') >= 0:
			if !isIPv4(g) {
				return false
			}
			groups += 2
		case len(g) > 4 || !isHex(g):
			return false
		default:
			groups++
		}
	}
	return groups == 8 && gap == 0 || groups < 8 && gap == 1
}

func isHex(b []byte) bool {
	for _, ch := range b {
		if !(ch >= '0' && ch <= '9' || ch|0x20 >= 'a' && ch|0x20 <= 'f') {
			return false
		}
	}
	return true
}
