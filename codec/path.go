package codec

import (
	"bytes"
	"unicode/utf8"
)

// Limits of RFC 5321 §4.5.3.1, in octets. Its 64-octet local part is not
// enforced: the section asks for no limits where possible, and real SRS and
// VERP addresses pass 64 octets (Postfix, Exim and aiosmtpd take them). The
// path limit bounds the local part instead; a domain is bounded by DNS.
const (
	maxDomain = 255
	maxPath   = 256 // with the angle brackets
)

// Path is a parsed reverse-path or forward-path (RFC 5321 §4.1.2). All slices
// point into the argument passed to ParsePath and are valid as long as it is.
type Path struct {
	Raw     []byte // the whole path between < and >, source route included
	Mailbox []byte // local@domain, the source route removed; empty for <>
	Local   []byte // the local part as sent (quotes and quoted pairs kept)
	Domain  []byte // the domain or address literal ([1.2.3.4], [IPv6:...]); empty for <postmaster>
	UTF8    bool   // non-ASCII bytes occur in Raw (allowed only under SMTPUTF8)
}

// IsNull reports whether the path is the null reverse-path <>.
func (p Path) IsNull() bool { return len(p.Mailbox) == 0 }

// PathOptions says what ParsePath accepts beyond a plain <local@domain>.
type PathOptions struct {
	AllowNull      bool // <> (MAIL only)
	AllowUTF8      bool // non-ASCII, valid UTF-8 local parts and domains (RFC 6531 SMTPUTF8)
	AllowNoBracket bool // a bare address without <>, ending at the first space, holding no < or > (lenient clients)
	LocalOnly      bool // "postmaster" without a domain, in any case (RFC 5321 §4.1.1.3 RCPT TO:<Postmaster>)
}

// ParsePath parses a path at the start of arg and returns it and the rest of
// arg after it (the ESMTP parameters, leading spaces removed; a sub-slice of
// arg). A source route (<@a,@b:user@c>) is checked and left out of Mailbox.
// It never allocates.
//
// Errors, and the replies they call for:
//   - ErrBadSyntax: no path, no closing ">", text glued to the ">", or <>
//     without AllowNull (501 5.5.4 or 5.1.7).
//   - ErrBadAddress: a mailbox that breaks the grammar of RFC 5321 §4.1.2 or
//     the limits of §4.5.3.1: domain 255, path 256 octets with its brackets
//     (553 5.1.3); a local part may take all the path has room for.
//   - ErrNonASCII: non-ASCII bytes without AllowUTF8 (553 5.6.7).
//   - ErrBadUTF8: invalid UTF-8 with AllowUTF8 (553 5.6.7).
func ParsePath(arg []byte, opt PathOptions) (p Path, rest []byte, err error) {
	raw, rest, err := cutPath(arg, opt.AllowNoBracket)
	if err != nil {
		return Path{}, nil, err
	}
	if len(raw) == 0 {
		if !opt.AllowNull {
			return Path{}, nil, ErrBadSyntax
		}
		return Path{Raw: raw}, rest, nil
	}
	if len(raw) > maxPath-2 {
		return Path{}, nil, ErrBadAddress
	}
	if err := checkUTF8(raw, opt.AllowUTF8); err != nil {
		return Path{}, nil, err
	}
	p = Path{Raw: raw, UTF8: !isASCII(raw)}
	mailbox, ok := skipSourceRoute(raw)
	if !ok || !p.setMailbox(mailbox, opt.LocalOnly) {
		return Path{}, nil, ErrBadAddress
	}
	return p, rest, nil
}

// cutPath splits arg into the path between its angle brackets and what
// follows it. A ">" inside a quoted local part does not end the path.
func cutPath(arg []byte, noBracket bool) (raw, rest []byte, err error) {
	if len(arg) == 0 {
		return nil, nil, ErrBadSyntax
	}
	if arg[0] != '<' {
		if !noBracket || arg[0] == ' ' {
			return nil, nil, ErrBadSyntax // an empty bare address is not <>
		}
		raw, rest, _ = cutByteMore(arg, ' ')
		if bytes.ContainsAny(raw, "<>") {
			return nil, nil, ErrBadSyntax // a half-bracketed path, "a@b.c>"
		}
		return raw, bytes.TrimLeft(rest, " "), nil
	}
	end := closingBracket(arg)
	if end < 0 {
		return nil, nil, ErrBadSyntax
	}
	rest = arg[end+1:]
	if len(rest) > 0 && rest[0] != ' ' {
		return nil, nil, ErrBadSyntax
	}
	return arg[1:end], bytes.TrimLeft(rest, " "), nil
}

// closingBracket returns the index of the ">" that closes the path opened by
// arg[0], skipping quoted strings and their quoted pairs, or -1.
func closingBracket(arg []byte) int {
	quoted := false
	for i := 1; i < len(arg); i++ {
		switch ch := arg[i]; {
		case quoted && ch == '\\':
			i++
		case ch == '"':
			quoted = !quoted
		case ch == '>' && !quoted:
			return i
		}
	}
	return -1
}

// skipSourceRoute returns the mailbox after an optional "@a,@b:" route (RFC
// 5321 §4.1.2 A-d-l: domains only, no address literals); ok is false when the
// route is malformed.
func skipSourceRoute(raw []byte) (mailbox []byte, ok bool) {
	if raw[0] != '@' {
		return raw, true
	}
	route, mailbox, found := cutByteMore(raw, ':')
	if !found {
		return nil, false
	}
	for more := true; more; {
		var hop []byte
		hop, route, more = cutByteMore(route, ',')
		if len(hop) < 2 || hop[0] != '@' || !isDomainName(hop[1:]) {
			return nil, false
		}
	}
	return mailbox, true
}

// setMailbox checks m as local@domain (or as a bare postmaster when
// localOnly) and records its parts.
func (p *Path) setMailbox(m []byte, localOnly bool) bool {
	at := lastAtOutsideQuotes(m)
	if at < 0 {
		if localOnly && EqualFold(m, "postmaster") {
			p.Mailbox, p.Local = m, m
			return true
		}
		return false
	}
	local, domain := m[:at], m[at+1:]
	if len(domain) > maxDomain || !isLocalPart(local) || !isDomain(domain) {
		return false
	}
	p.Mailbox, p.Local, p.Domain = m, local, domain
	return true
}

// checkUTF8 vets the non-ASCII bytes of b: refused without SMTPUTF8, and
// valid UTF-8 with it.
func checkUTF8(b []byte, allow bool) error {
	switch {
	case isASCII(b):
		return nil
	case !allow:
		return ErrNonASCII
	case !utf8.Valid(b):
		return ErrBadUTF8
	}
	return nil
}
