package codec

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
func ParsePath(arg []byte, opt PathOptions) (p Path, rest []byte, err error) { panic("TODO") }
