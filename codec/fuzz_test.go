package codec

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The seed corpora are in testdata/fuzz/<FuzzName>/.

func FuzzParseCommand(f *testing.F) {
	f.Fuzz(func(t *testing.T, line []byte) {
		cmd, err := ParseCommand(line)
		if hasControl(line) != (err == ErrBadLine) {
			t.Fatalf("ParseCommand(%q): %v", line, err)
		}
		if err == ErrBadLine {
			if cmd.Name != nil || cmd.Arg != nil || cmd.Verb != VerbUnknown {
				t.Fatalf("ParseCommand(%q): refused line gave %+v", line, cmd)
			}
			return
		}
		if !isSubslice(line, cmd.Name) || !isSubslice(line, cmd.Arg) {
			t.Fatalf("ParseCommand(%q): Name %q or Arg %q is not a view into the line", line, cmd.Name, cmd.Arg)
		}
		if cmd.Verb != VerbUnknown && !EqualFold(cmd.Name, cmd.Verb.String()) {
			t.Fatalf("ParseCommand(%q): verb %v from name %q", line, cmd.Verb, cmd.Name)
		}
		if bytes.HasSuffix(cmd.Arg, []byte(" ")) || bytes.HasSuffix(cmd.Arg, []byte("\t")) {
			t.Fatalf("ParseCommand(%q): Arg %q keeps trailing blanks", line, cmd.Arg)
		}
		if err != nil && (err != ErrBadSyntax || cmd.Verb != VerbMAIL && cmd.Verb != VerbRCPT) {
			t.Fatalf("ParseCommand(%q): %v for %v", line, err, cmd.Verb)
		}
	})
}

func FuzzParsePath(f *testing.F) {
	f.Fuzz(func(t *testing.T, arg []byte, flags uint8) {
		opt := PathOptions{AllowNull: flags&1 != 0, AllowUTF8: flags&2 != 0, AllowNoBracket: flags&4 != 0, LocalOnly: flags&8 != 0}
		p, rest, err := ParsePath(arg, opt)
		if err != nil {
			if p.Raw != nil || rest != nil || !isPathError(err) {
				t.Fatalf("ParsePath(%q, %+v): %v with %+v %q", arg, opt, err, p, rest)
			}
			return
		}
		checkPath(t, arg, opt, p, rest)
		bracketed := append(append([]byte("<"), p.Raw...), '>')
		again, more, err := ParsePath(bracketed, opt)
		if err != nil || len(more) != 0 || !bytes.Equal(again.Mailbox, p.Mailbox) ||
			!bytes.Equal(again.Local, p.Local) || !bytes.Equal(again.Domain, p.Domain) {
			t.Fatalf("ParsePath(%q) gave Mailbox %q; re-parsing %q gave %q, %v", arg, p.Mailbox, bracketed, again.Mailbox, err)
		}
	})
}

func isPathError(err error) bool {
	return err == ErrBadSyntax || err == ErrBadAddress || err == ErrNonASCII || err == ErrBadUTF8
}

// checkPath asserts what every accepted path satisfies.
func checkPath(t *testing.T, arg []byte, opt PathOptions, p Path, rest []byte) {
	t.Helper()
	if !isSubslice(arg, p.Raw) || !isSubslice(arg, rest) || !isSubslice(p.Raw, p.Mailbox) ||
		!isSubslice(p.Mailbox, p.Local) || !isSubslice(p.Mailbox, p.Domain) {
		t.Fatalf("ParsePath(%q): parts are not views into the argument: %+v %q", arg, p, rest)
	}
	if len(p.Raw) > maxPath-2 || len(p.Domain) > maxDomain {
		t.Fatalf("ParsePath(%q): over the limits of RFC 5321: %+v", arg, p)
	}
	if p.UTF8 != !isASCII(p.Raw) || p.UTF8 && (!opt.AllowUTF8 || !utf8.Valid(p.Raw)) {
		t.Fatalf("ParsePath(%q, %+v): UTF8 %v", arg, opt, p.UTF8)
	}
	if p.IsNull() && (!opt.AllowNull || !bytes.HasPrefix(arg, []byte("<>"))) || len(p.Domain) == 0 && !p.IsNull() && !opt.LocalOnly {
		t.Fatalf("ParsePath(%q, %+v): %+v", arg, opt, p)
	}
	if i := bytes.IndexFunc(p.Raw, func(r rune) bool { return r < ' ' || r == 0x7f }); i >= 0 {
		t.Fatalf("ParsePath(%q): control byte in the path %q", arg, p.Raw)
	}
}

func FuzzParams(f *testing.F) {
	f.Fuzz(func(t *testing.T, s []byte, allowUTF8 bool) {
		p, err := ParseParams(s, allowUTF8)
		if err != nil {
			if err != ErrBadSyntax || p.Len() != 0 {
				t.Fatalf("ParseParams(%q): %v with %d params", s, err, p.Len())
			}
			return
		}
		for i := 0; i < p.Len(); i++ {
			param := p.At(i)
			if !isSubslice(s, param.Key) || !isSubslice(s, param.Value) || !isKeyword(param.Key) {
				t.Fatalf("ParseParams(%q): parameter %d is %q=%q", s, i, param.Key, param.Value)
			}
			if first, _ := p.Get(string(param.Key)); !bytes.Equal(first, firstValue(&p, param.Key)) {
				t.Fatalf("ParseParams(%q): Get(%q) = %q", s, param.Key, first)
			}
			checkValueDecoders(t, param.Value)
		}
		formatted := formatParams(&p)
		again, err := ParseParams([]byte(formatted), allowUTF8)
		if err != nil || formatParams(&again) != formatted {
			t.Fatalf("ParseParams(%q) gave %q; re-parsing gave %q, %v", s, formatted, formatParams(&again), err)
		}
	})
}

// firstValue finds the value of the first parameter with the key, by brute force.
func firstValue(p *Params, key []byte) []byte {
	for i := 0; i < p.Len(); i++ {
		if strings.EqualFold(string(p.At(i).Key), string(key)) {
			return p.At(i).Value
		}
	}
	return nil
}

// checkValueDecoders compares ParseSize with strconv and checks that
// DecodeXtext reads back its own canonical encoding.
func checkValueDecoders(t *testing.T, v []byte) {
	t.Helper()
	n, ok := ParseSize(v)
	m, err := strconv.ParseInt(string(v), 10, 64)
	allDigits := len(v) > 0 && len(v) <= 20 && bytes.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' }) < 0
	if ok != (err == nil && allDigits) || ok && n != m {
		t.Fatalf("ParseSize(%q) = %d, %v; strconv says %d, %v", v, n, ok, m, err)
	}
	decoded, ok := DecodeXtext(append([]byte(nil), v...))
	if !ok {
		return
	}
	encoded := encodeXtext(decoded)
	if again, ok := DecodeXtext(encoded); !ok || !bytes.Equal(again, decoded) {
		t.Fatalf("DecodeXtext(%q) = %q, but its encoding %q decodes to %q, %v", v, decoded, encodeXtext(decoded), again, ok)
	}
}

// encodeXtext is the canonical xtext encoding of RFC 3461 §4.
func encodeXtext(b []byte) []byte {
	var out []byte
	for _, ch := range b {
		if ch < '!' || ch > '~' || ch == '+' || ch == '=' {
			out = fmt.Appendf(out, "+%02X", ch)
		} else {
			out = append(out, ch)
		}
	}
	return out
}

var replyLine = regexp.MustCompile(`^[2-5][0-9][0-9]([ -][^\r\n]*)?$`)

func FuzzReply(f *testing.F) {
	f.Fuzz(func(t *testing.T, code int, enh, text, more string, enhanced bool) {
		r := Reply{Code: code, Enhanced: enh, Text: text}
		if more != "" {
			r.More = strings.Split(more, "|") // one line per "|"-separated piece
		}
		out := r.AppendTo([]byte("prefix"), enhanced)
		if !bytes.HasPrefix(out, []byte("prefix")) || !bytes.HasSuffix(out, []byte("\r\n")) {
			t.Fatalf("%+v: %q lost its prefix or its final CRLF", r, out)
		}
		lines := strings.Split(string(out[len("prefix"):len(out)-2]), "\r\n")
		if len(lines) != 1+len(r.More) {
			t.Fatalf("%+v: %d lines in %q", r, len(lines), out)
		}
		want := strconv.Itoa(code)
		if code < 200 || code > 599 {
			want = "451"
		}
		for i, l := range lines {
			last := i == len(lines)-1
			if !replyLine.MatchString(l) || l[:3] != want || len(l) > 3 && (l[3] == ' ') != last || len(l) == 3 && !last {
				t.Fatalf("%+v: line %d %q of %q is malformed", r, i, l, out)
			}
		}
	})
}

func FuzzBase64(f *testing.F) {
	f.Fuzz(func(t *testing.T, data, text []byte) {
		encoded := AppendBase64(nil, data)
		decoded, err := DecodeBase64(encoded)
		if err != nil || !bytes.Equal(decoded, data) {
			t.Fatalf("round trip of %q: %q, %v", data, decoded, err)
		}
		want, stdErr := base64.StdEncoding.DecodeString(string(text))
		got, err := DecodeBase64(append([]byte(nil), text...))
		switch {
		case string(text) == "=":
			if err != nil || got == nil || len(got) != 0 {
				t.Fatalf(`DecodeBase64("=") = %q, %v`, got, err)
			}
		case bytes.ContainsAny(text, "\r\n"):
			if err == nil {
				t.Fatalf("DecodeBase64(%q) accepted a line break", text)
			}
		case (err == nil) != (stdErr == nil) || err == nil && !bytes.Equal(got, want):
			t.Fatalf("DecodeBase64(%q) = %q, %v; encoding/base64 says %q, %v", text, got, err, want, stdErr)
		case err != nil && err != ErrBadBase64:
			t.Fatalf("DecodeBase64(%q): %v", text, err)
		}
	})
}
