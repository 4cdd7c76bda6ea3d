package codec

import (
	"bytes"
	"regexp"
	"testing"
)

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		line string
		verb Verb
		arg  string
		err  error
	}{
		{"EHLO client.example", VerbEHLO, "client.example", nil},
		{"ehlo   x  ", VerbEHLO, "  x", nil},
		{"MAIL FROM:<a@b.c> SIZE=10", VerbMAIL, "<a@b.c> SIZE=10", nil},
		{"mail from: <a@b.c>", VerbMAIL, "<a@b.c>", nil},
		{"MAIL TO:<a@b.c>", VerbMAIL, "TO:<a@b.c>", ErrBadSyntax},
		{"RCPT TO:<d@e.f>", VerbRCPT, "<d@e.f>", nil},
		{"RCPT", VerbRCPT, "", ErrBadSyntax},
		{"QUIT", VerbQUIT, "", nil},
		{"STARTTLS", VerbSTARTTLS, "", nil},
		{"XYZZY plugh", VerbUnknown, "plugh", nil},
		{"EHLO a\nX-Injected: 1", VerbUnknown, "", ErrBadLine},
		{"MAIL FROM:<a\x00b@c>", VerbUnknown, "", ErrBadLine},
		{"NOOP\rRSET", VerbUnknown, "", ErrBadLine},
	} {
		cmd, err := ParseCommand([]byte(tc.line))
		if err != tc.err || (err != ErrBadLine && (cmd.Verb != tc.verb || string(cmd.Arg) != tc.arg)) {
			t.Errorf("ParseCommand(%q) = %v %q, %v; want %v %q, %v", tc.line, cmd.Verb, cmd.Arg, err, tc.verb, tc.arg, tc.err)
		}
	}
}

func TestParsePath(t *testing.T) {
	for _, tc := range []struct {
		arg, mailbox, rest string
		opt                PathOptions
		err                error
	}{
		{"<a@b.c>", "a@b.c", "", PathOptions{}, nil},
		{"<a@b.c> SIZE=1  BODY=8BITMIME", "a@b.c", "SIZE=1  BODY=8BITMIME", PathOptions{}, nil},
		{"<>", "", "", PathOptions{AllowNull: true}, nil},
		{"<>", "", "", PathOptions{}, ErrBadSyntax},
		{"<@r1.x,@r2.y:a@b.c>", "a@b.c", "", PathOptions{}, nil},
		{`<"a>b"@c.d>`, `"a>b"@c.d`, "", PathOptions{}, nil},
		{`<"a\"b"@c.d>`, `"a\"b"@c.d`, "", PathOptions{}, nil},
		{"<a@[192.0.2.1]>", "a@[192.0.2.1]", "", PathOptions{}, nil},
		{"<a@[IPv6:2001:db8::1]>", "a@[IPv6:2001:db8::1]", "", PathOptions{}, nil},
		{"<a@[300.1.1.1]>", "", "", PathOptions{}, ErrBadAddress},
		{"<Postmaster>", "Postmaster", "", PathOptions{LocalOnly: true}, nil},
		{"<bob>", "", "", PathOptions{LocalOnly: true}, ErrBadAddress},
		{"a@b.c", "a@b.c", "", PathOptions{AllowNoBracket: true}, nil},
		{"a@b.c", "", "", PathOptions{}, ErrBadSyntax},
		{"<a@b.c", "", "", PathOptions{}, ErrBadSyntax},
		{"<a@b.c>x", "", "", PathOptions{}, ErrBadSyntax},
		{"<a..b@c.d>", "", "", PathOptions{}, ErrBadAddress},
		{"<a@-b.c>", "", "", PathOptions{}, ErrBadAddress},
		{"<jösé@b.c>", "", "", PathOptions{}, ErrNonASCII},
		{"<jösé@b.c>", "jösé@b.c", "", PathOptions{AllowUTF8: true}, nil},
		{"<\xff@b.c>", "", "", PathOptions{AllowUTF8: true}, ErrBadUTF8},
	} {
		p, rest, err := ParsePath([]byte(tc.arg), tc.opt)
		if err != tc.err || string(p.Mailbox) != tc.mailbox || string(rest) != tc.rest {
			t.Errorf("ParsePath(%q) = %q %q %v; want %q %q %v", tc.arg, p.Mailbox, rest, err, tc.mailbox, tc.rest, tc.err)
		}
	}
}

func TestReplyAppendTo(t *testing.T) {
	for _, tc := range []struct {
		r        Reply
		enhanced bool
		want     string
	}{
		{Reply{Code: 250, Enhanced: "2.0.0", Text: "OK"}, true, "250 2.0.0 OK\r\n"},
		{Reply{Code: 250, Enhanced: "2.0.0", Text: "OK"}, false, "250 OK\r\n"},
		{Reply{Code: 250, Text: "host", More: []string{"SIZE 10", "HELP"}}, true, "250-host\r\n250-SIZE 10\r\n250 HELP\r\n"},
		{Reply{Code: 550, Enhanced: "5.0.0", Text: "no\r\n250 2.0.0 OK"}, true, "550 5.0.0 no  250 2.0.0 OK\r\n"},
		{Reply{Code: 99, Text: "bad"}, false, "451 bad\r\n"},
		{Reply{Code: 250}, true, "250\r\n"},
	} {
		if got := string(tc.r.AppendTo(nil, tc.enhanced)); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.r, got, tc.want)
		}
	}
}

func TestParamsAndSize(t *testing.T) {
	p, err := ParseParams([]byte("SIZE=100 BODY=8BITMIME SMTPUTF8"), false)
	if err != nil || p.Len() != 3 {
		t.Fatalf("ParseParams: %v %d", err, p.Len())
	}
	if v, ok := p.Get("size"); !ok || string(v) != "100" {
		t.Errorf("Get(size) = %q %v", v, ok)
	}
	if v, ok := p.Get("SMTPUTF8"); !ok || v != nil {
		t.Errorf("Get(SMTPUTF8) = %q %v", v, ok)
	}
	for _, bad := range []string{"=x", "A=", "A=b=c", "-A=1", "A=\x7f"} {
		if _, err := ParseParams([]byte(bad), false); err == nil {
			t.Errorf("ParseParams(%q) accepted", bad)
		}
	}
	if n, ok := ParseSize([]byte("9223372036854775807")); !ok || n != 1<<63-1 {
		t.Errorf("ParseSize max = %d %v", n, ok)
	}
	for _, bad := range []string{"", "9223372036854775808", "1a", "-1"} {
		if _, ok := ParseSize([]byte(bad)); ok {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	if out, ok := DecodeXtext([]byte("a+2Bb+3D")); !ok || string(out) != "a+b=" {
		t.Errorf("DecodeXtext = %q %v", out, ok)
	}
	for _, bad := range []string{"a+2", "a+zz", "a=b", "a+2b"} {
		if _, ok := DecodeXtext([]byte(bad)); ok {
			t.Errorf("DecodeXtext(%q) accepted", bad)
		}
	}
}

func TestParseBDAT(t *testing.T) {
	for arg, want := range map[string]struct {
		size int64
		last bool
		ok   bool
	}{"5": {5, false, true}, "5 LAST": {5, true, true}, "0 last": {0, true, true},
		"": {0, false, false}, "5 FIRST": {0, false, false}, "x": {0, false, false}, "5  LAST": {0, false, false}} {
		s, l, ok := ParseBDAT([]byte(arg))
		if s != want.size || l != want.last || ok != want.ok {
			t.Errorf("ParseBDAT(%q) = %d %v %v", arg, s, l, ok)
		}
	}
}

// decodeAll decodes in pieces of at most step bytes as a caller does,
// re-presenting unconsumed bytes; it returns the body and the bytes used.
func decodeAll(in []byte, step int) (body []byte, used int, done bool, d DotDecoder) {
	var pending []byte
	for len(in) > 0 || len(pending) > 0 {
		n := min(step, len(in))
		buf := append(pending, in[:n]...)
		in = in[n:]
		out, k, fin := d.Decode(buf)
		body = append(body, out...)
		used += k
		pending = append([]byte(nil), buf[k:]...)
		if fin {
			return body, used, true, d
		}
		if n == 0 {
			break
		}
	}
	return body, used, false, d
}

func TestDotDecoder(t *testing.T) {
	for _, tc := range []struct{ in, body string }{
		{".\r\n", ""},
		{"a\r\n.\r\n", "a\r\n"},
		{"..a\r\n.\r\n", ".a\r\n"},
		{".a\r\n.\r\n", "a\r\n"},
		{"a.\r\n.\r\n", "a.\r\n"},
		{"a\n.\nb\r\n.\r\n", "a\n.\nb\r\n"},
		{"a\r\n.\nb\r\n.\r\n", "a\r\n\nb\r\n"},
		{"a\r.\r\nb\r\n.\r\n", "a\r.\r\nb\r\n"},
		{"a\r\n.\rb\r\n.\r\n", "a\r\n\rb\r\n"},
		{"\x00\xff\r\n.\r\n", "\x00\xff\r\n"},
	} {
		for step := 1; step <= len(tc.in); step++ {
			body, used, done, _ := decodeAll([]byte(tc.in), step)
			if !done || string(body) != tc.body || used != len(tc.in) {
				t.Errorf("%q step %d: %q used %d done %v; want %q", tc.in, step, body, used, done, tc.body)
			}
		}
	}
	_, _, _, d := decodeAll([]byte("a\nb\r\n.\r\n"), 100)
	if !d.Bare || d.Null {
		t.Errorf("flags after bare LF: %+v", d)
	}
}

var replyLine = regexp.MustCompile(`^[2-5][0-9][0-9]([ -][^\r\n]*)?$`)

func FuzzCommandLine(f *testing.F) {
	for _, s := range []string{"MAIL FROM:<a@b.c> SIZE=10", "RCPT TO:<\"x y\"@[1.2.3.4]>", "EHLO x", "BDAT 10 LAST"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		cmd, err := ParseCommand(line)
		if err != nil {
			return
		}
		if !within(line, cmd.Name) || !within(line, cmd.Arg) {
			t.Fatal("slices outside the input")
		}
		p, rest, err := ParsePath(cmd.Arg, PathOptions{AllowNull: true, AllowUTF8: true})
		if err != nil {
			return
		}
		if !within(p.Raw, p.Mailbox) || !within(p.Raw, p.Local) || !within(p.Raw, p.Domain) {
			t.Fatal("path parts outside Raw")
		}
		again, _, err := ParsePath(append(append([]byte("<"), p.Raw...), '>'), PathOptions{AllowNull: true, AllowUTF8: true})
		if err != nil || !bytes.Equal(again.Mailbox, p.Mailbox) {
			t.Fatalf("re-parsing <%s> gave %q, %v", p.Raw, again.Mailbox, err)
		}
		ParseParams(rest, true)
	})
}

func within(outer, inner []byte) bool {
	if len(inner) == 0 {
		return true
	}
	return &inner[0] == &outer[0] || bytes.Contains(outer, inner)
}

func FuzzReplyEncode(f *testing.F) {
	f.Add(250, "2.0.0", "OK", "more")
	f.Add(550, "5.0.0", "no\r\n250 OK", "")
	f.Fuzz(func(t *testing.T, code int, enh, text, more string) {
		r := Reply{Code: code, Enhanced: enh, Text: text}
		if more != "" {
			r.More = []string{more}
		}
		out := r.AppendTo(nil, true)
		if !bytes.HasSuffix(out, []byte("\r\n")) {
			t.Fatalf("%q does not end in CRLF", out)
		}
		for _, l := range bytes.Split(bytes.TrimSuffix(out, []byte("\r\n")), []byte("\r\n")) {
			if !replyLine.Match(l) {
				t.Fatalf("malformed reply line %q in %q", l, out)
			}
		}
	})
}

func FuzzBodyRoundTrip(f *testing.F) {
	f.Add([]byte("a\r\n.b\r\n..\r\n.\r\n"), uint8(3))
	f.Add([]byte("x\n.\n\r.\r"), uint8(1))
	f.Fuzz(func(t *testing.T, msg []byte, step uint8) {
		var e DotEncoder
		wire := e.Close(e.Append(nil, msg))
		want := msg
		if len(msg) > 0 && !bytes.HasSuffix(msg, []byte("\r\n")) {
			want = append(append([]byte{}, msg...), "\r\n"...)
		}
		body, used, done, _ := decodeAll(wire, int(step)%32+1)
		if !done || used != len(wire) || !bytes.Equal(body, want) {
			t.Fatalf("round trip of %q: wire %q, body %q, used %d/%d, done %v", msg, wire, body, used, len(wire), done)
		}
	})
}

func BenchmarkParseCommand(b *testing.B) {
	line := []byte("MAIL FROM:<alice@example.com> SIZE=1024 BODY=8BITMIME")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		cmd, _ := ParseCommand(line)
		_, rest, _ := ParsePath(cmd.Arg, PathOptions{AllowNull: true})
		ParseParams(rest, false)
	}
}
