package codec

import (
	"strings"
	"testing"
)

var (
	optNone    = PathOptions{}
	optNull    = PathOptions{AllowNull: true}
	optUTF8    = PathOptions{AllowUTF8: true}
	optLocal   = PathOptions{LocalOnly: true}
	optNoBrack = PathOptions{AllowNoBracket: true}
)

type pathCase struct {
	arg     string
	opt     PathOptions
	mailbox string // want Mailbox, and Local and Domain split at the last "@"
	rest    string
	err     error
}

var pathCases = []pathCase{
	{"<a@b.c>", optNone, "a@b.c", "", nil},
	{"<a@b.c> SIZE=1  BODY=8BITMIME", optNone, "a@b.c", "SIZE=1  BODY=8BITMIME", nil},
	{"<a@b.c>   SIZE=1", optNone, "a@b.c", "SIZE=1", nil},
	{"<first.last+tag@sub.example.org>", optNone, "first.last+tag@sub.example.org", "", nil},
	{"<!#$%&'*+-/=?^_`{|}~@x.y>", optNone, "!#$%&'*+-/=?^_`{|}~@x.y", "", nil},
	{"<a@localhost>", optNone, "a@localhost", "", nil},
	{"<a@x-1.example>", optNone, "a@x-1.example", "", nil},
	{"<A@B.C>", optNone, "A@B.C", "", nil},

	// The null path.
	{"<>", optNull, "", "", nil},
	{"<> BODY=7BIT", optNull, "", "BODY=7BIT", nil},
	{"<>", optNone, "", "", ErrBadSyntax},

	// Source routes are checked and left out of Mailbox.
	{"<@r1.x,@r2.y:a@b.c>", optNone, "a@b.c", "", nil},
	{"<@r1.x:a@b.c>", optNone, "a@b.c", "", nil},
	{"<@r1.x,:a@b.c>", optNone, "", "", ErrBadAddress},
	{"<@r1.x,,@r2.y:a@b.c>", optNone, "", "", ErrBadAddress},
	{"<@:a@b.c>", optNone, "", "", ErrBadAddress},
	{"<@r1.x>", optNone, "", "", ErrBadAddress},
	{"<@r1.x:>", optNone, "", "", ErrBadAddress},
	{"<@[1.2.3.4]:a@b.c>", optNone, "", "", ErrBadAddress},
	{"<r1.x:a@b.c>", optNone, "", "", ErrBadAddress},
	{"<@r1.x,r2.y:a@b.c>", optNone, "", "", ErrBadAddress},

	// Quoted local parts and quoted pairs.
	{`<"a b"@c.d>`, optNone, `"a b"@c.d`, "", nil},
	{`<"a>b"@c.d>`, optNone, `"a>b"@c.d`, "", nil},
	{`<"a@b"@c.d>`, optNone, `"a@b"@c.d`, "", nil},
	{`<"a\"b"@c.d>`, optNone, `"a\"b"@c.d`, "", nil},
	{`<"a\\"@c.d>`, optNone, `"a\\"@c.d`, "", nil},
	{`<""@c.d>`, optNone, `""@c.d`, "", nil},
	{`<"a"b"@c.d>`, optNone, "", "", ErrBadSyntax},
	{`<"a\"@c.d>`, optNone, "", "", ErrBadSyntax},
	{"<\"a\x01\"@c.d>", optNone, "", "", ErrBadAddress},
	{"<\"a\\\x01\"@c.d>", optNone, "", "", ErrBadAddress},
	{`<"a".b@c.d>`, optNone, "", "", ErrBadAddress},
	{`<a."b"@c.d>`, optNone, "", "", ErrBadAddress},

	// Dot-strings.
	{"<a..b@c.d>", optNone, "", "", ErrBadAddress},
	{"<.a@c.d>", optNone, "", "", ErrBadAddress},
	{"<a.@c.d>", optNone, "", "", ErrBadAddress},
	{"<a b@c.d>", optNone, "", "", ErrBadAddress},
	{"<a(b)@c.d>", optNone, "", "", ErrBadAddress},
	{"<@c.d>", optNone, "", "", ErrBadAddress},
	{"<a@b@c.d>", optNone, "", "", ErrBadAddress},

	// Domains.
	{"<a@>", optNone, "", "", ErrBadAddress},
	{"<a@-b.c>", optNone, "", "", ErrBadAddress},
	{"<a@b-.c>", optNone, "", "", ErrBadAddress},
	{"<a@b..c>", optNone, "", "", ErrBadAddress},
	{"<a@.b.c>", optNone, "", "", ErrBadAddress},
	{"<a@b.c.>", optNone, "", "", ErrBadAddress},
	{"<a@b_c.d>", optNone, "", "", ErrBadAddress},
	{"<a@" + strings.Repeat("x", 63) + ".c>", optNone, "a@" + strings.Repeat("x", 63) + ".c", "", nil},
	{"<a@" + strings.Repeat("x", 64) + ".c>", optNone, "", "", ErrBadAddress},

	// Address literals.
	{"<a@[192.0.2.1]>", optNone, "a@[192.0.2.1]", "", nil},
	{"<a@[0.0.0.0]>", optNone, "a@[0.0.0.0]", "", nil},
	{"<a@[255.255.255.255]>", optNone, "a@[255.255.255.255]", "", nil},
	{"<a@[300.1.1.1]>", optNone, "", "", ErrBadAddress},
	{"<a@[1.2.3]>", optNone, "", "", ErrBadAddress},
	{"<a@[1.2.3.4.5]>", optNone, "", "", ErrBadAddress},
	{"<a@[1.2.3.]>", optNone, "", "", ErrBadAddress},
	{"<a@[1..2.3]>", optNone, "", "", ErrBadAddress},
	{"<a@[0001.2.3.4]>", optNone, "", "", ErrBadAddress},
	{"<a@[]>", optNone, "", "", ErrBadAddress},
	{"<a@[1.2.3.4>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6:2001:db8::1]>", optNone, "a@[IPv6:2001:db8::1]", "", nil},
	{"<a@[ipv6:2001:DB8::1]>", optNone, "a@[ipv6:2001:DB8::1]", "", nil},
	{"<a@[IPv6:1:2:3:4:5:6:7:8]>", optNone, "a@[IPv6:1:2:3:4:5:6:7:8]", "", nil},
	{"<a@[IPv6:::]>", optNone, "a@[IPv6:::]", "", nil},
	{"<a@[IPv6:::1]>", optNone, "a@[IPv6:::1]", "", nil},
	{"<a@[IPv6:1::]>", optNone, "a@[IPv6:1::]", "", nil},
	{"<a@[IPv6:1:2:3:4:5:6::7]>", optNone, "a@[IPv6:1:2:3:4:5:6::7]", "", nil},
	{"<a@[IPv6:::ffff:192.0.2.1]>", optNone, "a@[IPv6:::ffff:192.0.2.1]", "", nil},
	{"<a@[IPv6:1:2:3:4:5:6:192.0.2.1]>", optNone, "a@[IPv6:1:2:3:4:5:6:192.0.2.1]", "", nil},
	{"<a@[IPv6:1:2:3:4:5:6:7]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6:1:2:3:4:5:6:7:8:9]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6:1:2:3:4:5:6:7::8]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6::::]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6:1:::2]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6:1::2::3]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6:1::2:]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6::1::]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6:12345::1]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6:g::1]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6:1.2.3.4::1]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6:1:2:3:4:5:6:7:1.2.3.4]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6:]>", optNone, "", "", ErrBadAddress},
	{"<a@[IPv6:192.0.2.1]>", optNone, "", "", ErrBadAddress},
	{"<a@[x-tag:abc]>", optNone, "", "", ErrBadAddress},
	{"<a@[a b]>", optNone, "", "", ErrBadAddress},

	// <Postmaster> without a domain (RCPT only).
	{"<Postmaster>", optLocal, "Postmaster", "", nil},
	{"<postMASTER>", optLocal, "postMASTER", "", nil},
	{"<Postmaster>", optNone, "", "", ErrBadAddress},
	{"<bob>", optLocal, "", "", ErrBadAddress},
	{"<Postmaster@example.org>", optLocal, "Postmaster@example.org", "", nil},

	// Bare addresses for lenient clients.
	{"a@b.c", optNoBrack, "a@b.c", "", nil},
	{"a@b.c SIZE=1", optNoBrack, "a@b.c", "SIZE=1", nil},
	{"<a@b.c> SIZE=1", optNoBrack, "a@b.c", "SIZE=1", nil},
	{"a@b.c>", optNoBrack, "", "", ErrBadSyntax},
	{"a@b.c> SIZE=1", optNoBrack, "", "", ErrBadSyntax},
	{"<a@b.c", optNoBrack, "", "", ErrBadSyntax},
	{"a@b.c", optNone, "", "", ErrBadSyntax},
	{" a@b.c", PathOptions{AllowNoBracket: true, AllowNull: true}, "", "", ErrBadSyntax},
	{"", PathOptions{AllowNoBracket: true, AllowNull: true}, "", "", ErrBadSyntax},

	// Framing.
	{"", optNull, "", "", ErrBadSyntax},
	{"<", optNull, "", "", ErrBadSyntax},
	{"<a@b.c", optNone, "", "", ErrBadSyntax},
	{"<a@b.c>x", optNone, "", "", ErrBadSyntax},
	{"<a@b.c>,<d@e.f>", optNone, "", "", ErrBadSyntax},
	{"<a@b.c>\tSIZE=1", optNone, "", "", ErrBadSyntax},
	{" <a@b.c>", optNone, "", "", ErrBadSyntax},
	{"<<a@b.c>>", optNone, "", "", ErrBadSyntax},

	// Limits of RFC 5321 §4.5.3.1: not its 64 octets of a local part (SRS
	// and VERP addresses pass them), but the path's 256 with the brackets.
	{"<" + strings.Repeat("l", 64) + "@b.c>", optNone, strings.Repeat("l", 64) + "@b.c", "", nil},
	{"<" + strings.Repeat("l", 250) + "@b.c>", optNone, strings.Repeat("l", 250) + "@b.c", "", nil},
	{"<" + strings.Repeat("l", 251) + "@b.c>", optNone, "", "", ErrBadAddress},
	{"<SRS0=HHH=TT=example.org=" + strings.Repeat("verp-", 12) + "user@forwarder.example>", optNone,
		"SRS0=HHH=TT=example.org=" + strings.Repeat("verp-", 12) + "user@forwarder.example", "", nil},
	{"<a@" + longDomain(252) + ">", optNone, "a@" + longDomain(252), "", nil},
	{"<ab@" + longDomain(252) + ">", optNone, "", "", ErrBadAddress},
	{"<a@" + longDomain(254) + ">", optNone, "", "", ErrBadAddress},

	// T-25: non-ASCII needs SMTPUTF8 and valid UTF-8.
	{"<jösé@b.c>", optNone, "", "", ErrNonASCII},
	{"<jösé@b.c>", optUTF8, "jösé@b.c", "", nil},
	{"<a@bücher.example>", optUTF8, "a@bücher.example", "", nil},
	{"<\"jö sé\"@b.c>", optUTF8, "\"jö sé\"@b.c", "", nil},
	{"<a@bücher.example>", optNone, "", "", ErrNonASCII},
	{"<@bücher.example:a@b.c>", optNone, "", "", ErrNonASCII},
	{"<\xff\xfe@x>", optNone, "", "", ErrNonASCII},
	{"<\xff\xfe@x>", optUTF8, "", "", ErrBadUTF8},
	{"<a@b\xc3\x28.c>", optUTF8, "", "", ErrBadUTF8},
	{"<\xed\xa0\x80@b.c>", optUTF8, "", "", ErrBadUTF8}, // a UTF-16 surrogate
}

// longDomain returns a valid domain name of exactly n octets.
func longDomain(n int) string {
	var b strings.Builder
	for n > 63 {
		k := min(62, n-2) // leave room for a dot and a last label
		b.WriteString(strings.Repeat("d", k) + ".")
		n -= k + 1
	}
	b.WriteString(strings.Repeat("d", n))
	return b.String()
}

func TestParsePath(t *testing.T) {
	for _, tc := range pathCases {
		arg := []byte(tc.arg)
		p, rest, err := ParsePath(arg, tc.opt)
		if err != tc.err || string(p.Mailbox) != tc.mailbox || string(rest) != tc.rest {
			t.Errorf("ParsePath(%q, %+v) = %q %q %v; want %q %q %v", tc.arg, tc.opt, p.Mailbox, rest, err, tc.mailbox, tc.rest, tc.err)
			continue
		}
		if err != nil {
			if p.Raw != nil || rest != nil {
				t.Errorf("ParsePath(%q): failure returned %+v %q", tc.arg, p, rest)
			}
			continue
		}
		checkPathParts(t, tc, arg, p, rest)
	}
}

func checkPathParts(t *testing.T, tc pathCase, arg []byte, p Path, rest []byte) {
	t.Helper()
	local, domain := tc.mailbox, ""
	if i := strings.LastIndexByte(tc.mailbox, '@'); i >= 0 {
		local, domain = tc.mailbox[:i], tc.mailbox[i+1:]
	}
	if string(p.Local) != local || string(p.Domain) != domain {
		t.Errorf("ParsePath(%q): Local %q Domain %q; want %q %q", tc.arg, p.Local, p.Domain, local, domain)
	}
	if p.IsNull() != (tc.mailbox == "") || p.UTF8 != !isASCII(arg) {
		t.Errorf("ParsePath(%q): IsNull %v UTF8 %v", tc.arg, p.IsNull(), p.UTF8)
	}
	if !isSubslice(arg, p.Raw) || !isSubslice(p.Raw, p.Mailbox) || !isSubslice(p.Mailbox, p.Local) ||
		!isSubslice(p.Mailbox, p.Domain) || !isSubslice(arg, rest) {
		t.Errorf("ParsePath(%q): parts are not views into the argument", tc.arg)
	}
}

func TestLongDomain(t *testing.T) {
	for _, n := range []int{1, 63, 64, 65, 127, 252, 254} {
		if d := longDomain(n); len(d) != n || !isDomainName([]byte(d)) {
			t.Errorf("longDomain(%d) = %q (%d octets)", n, d, len(d))
		}
	}
}

func TestPathLimit(t *testing.T) {
	// A source route counts towards the 256 octets of the path.
	route := "@" + longDomain(200) + ",@" + longDomain(40) + ":"
	for _, tc := range []struct {
		raw int // octets between the brackets
		err error
	}{{254, nil}, {255, ErrBadAddress}} {
		mailbox := "a@" + longDomain(tc.raw-len(route)-2)
		p, _, err := ParsePath([]byte("<"+route+mailbox+">"), optNone)
		if err != tc.err || err == nil && string(p.Mailbox) != mailbox {
			t.Errorf("path of %d octets: %q, %v; want %v", tc.raw+2, p.Mailbox, err, tc.err)
		}
	}
}
