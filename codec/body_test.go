package codec

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// bodyCase is one input after the 354 reply and what decoding it whole must
// give. n < 0 stands for len(in).
type bodyCase struct {
	name    string
	in      string
	body    string
	n       int
	done    bool
	flags   string // "bare", "null", "long", space-separated; "" for none
	maxLine int
}

var bodyCases = []bodyCase{
	{"no input", "", "", 0, false, "", 0},
	{"empty message", ".\r\n", "", 3, true, "", 0},
	{"lone dot", ".", "", 0, false, "", 0},
	{"lone dot and CR", ".\r", "", 0, false, "", 0},
	{"dot after a line", "a\r\n.", "a\r\n", 3, false, "", 0},
	{"dot and CR after a line", "a\r\n.\r", "a\r\n", 3, false, "", 0},
	{"one line", "a\r\n.\r\n", "a\r\n", -1, true, "", 0},
	{"pipelined command after the end", "a\r\n.\r\nMAIL FROM:<x@y>\r\n", "a\r\n", 6, true, "", 0},
	{"unfinished line", "abc", "abc", -1, false, "", 0},
	{"final CR is pending", "abc\r", "abc\r", -1, false, "", 0},
	{"blank lines", "\r\n\r\n.\r\n", "\r\n\r\n", -1, true, "", 0},

	// Dot-stuffing (RFC 5321 §4.5.2).
	{"stuffed dot line", "..\r\n.\r\n", ".\r\n", -1, true, "", 0},
	{"stuffed dot line mid-message", "a\r\n..\r\nb\r\n.\r\n", "a\r\n.\r\nb\r\n", -1, true, "", 0},
	{"two stuffed dots", "...\r\n.\r\n", "..\r\n", -1, true, "", 0},
	{"stuffed text", "a\r\n..b\r\n.\r\n", "a\r\n.b\r\n", -1, true, "", 0},
	{"unstuffed leading dot is removed", ".abc\r\n.\r\n", "abc\r\n", -1, true, "", 0},
	{"dots not at a line start", "a.b.\r\n.\r\n", "a.b.\r\n", -1, true, "", 0},
	{"dot before CRLF ends nothing", "abc.\r\n", "abc.\r\n", -1, false, "", 0},
	{"dot before CRLF then the end", "abc.\r\n.\r\n", "abc.\r\n", -1, true, "", 0},
	{"stuffed dots on every line", "..a\r\n..b\r\n..\r\n.\r\n", ".a\r\n.b\r\n.\r\n", -1, true, "", 0},
	{"dot dot at the end of input", "a\r\n..", "a\r\n.", -1, false, "", 0},

	// Binary and NUL (T-26): data, byte for byte.
	{"binary", "\x00\x01\x7f\x80\xfe\xff\r\n.\r\n", "\x00\x01\x7f\x80\xfe\xff\r\n", -1, true, "null", 0},
	{"NUL line", "\x00\r\n.\r\n", "\x00\r\n", -1, true, "null", 0},
	{"NUL at a line start", "a\r\n\x00.\r\n.\r\n", "a\r\n\x00.\r\n", -1, true, "null", 0},
	{"high bytes", "\xc3\xa9t\xc3\xa9\r\n.\r\n", "\xc3\xa9t\xc3\xa9\r\n", -1, true, "", 0},

	// Line length (RFC 5321 §4.5.3.1.6): octets without CRLF or a stuffed dot.
	{"998 octets", strings.Repeat("x", 998) + "\r\n.\r\n", strings.Repeat("x", 998) + "\r\n", -1, true, "", 998},
	{"999 octets", strings.Repeat("x", 999) + "\r\n.\r\n", strings.Repeat("x", 999) + "\r\n", -1, true, "long", 998},
	{"998 octets after a stuffed dot", "." + strings.Repeat(".", 998) + "\r\n.\r\n", strings.Repeat(".", 998) + "\r\n", -1, true, "", 998},
	{"long unfinished line", strings.Repeat("x", 999), strings.Repeat("x", 999), -1, false, "long", 998},
	{"unfinished line at the limit with CR", strings.Repeat("x", 998) + "\r", strings.Repeat("x", 998) + "\r", -1, false, "", 998},
	{"bare CR counts in the line", strings.Repeat("x", 997) + "\ry\r\n.\r\n", strings.Repeat("x", 997) + "\ry\r\n", -1, true, "bare long", 998},
	{"bare LF does not end a line", "xxx\nxxx\r\n.\r\n", "xxx\nxxx\r\n", -1, true, "bare long", 6},
	{"no limit", strings.Repeat("x", 5000) + "\r\n.\r\n", strings.Repeat("x", 5000) + "\r\n", -1, true, "", 0},
	{"a long line then short ones", "xxxx\r\na\r\n.\r\n", "xxxx\r\na\r\n", -1, true, "long", 3},

	// Bare line endings are data and flagged.
	{"bare LF", "a\nb\r\n.\r\n", "a\nb\r\n", -1, true, "bare", 0},
	{"bare CR", "a\rb\r\n.\r\n", "a\rb\r\n", -1, true, "bare", 0},
	{"LF first", "\n.\r\n", "\n.\r\n", -1, false, "bare", 0},
	{"CR CR LF", "a\r\r\n.\r\n", "a\r\r\n", -1, true, "bare", 0},
	{"LF CR LF", "a\n\r\n.\r\n", "a\n\r\n", -1, true, "bare", 0},

	// SMTP smuggling (T-01): only CRLF "." CRLF ends the data.
	{"LF.LF", "a\n.\nMAIL FROM:<s@x>\r\n.\r\n", "a\n.\nMAIL FROM:<s@x>\r\n", -1, true, "bare", 0},
	{"LF.CRLF", "a\n.\r\nMAIL FROM:<s@x>\r\n.\r\n", "a\n.\r\nMAIL FROM:<s@x>\r\n", -1, true, "bare", 0},
	{"CRLF.LF", "a\r\n.\nMAIL FROM:<s@x>\r\n.\r\n", "a\r\n\nMAIL FROM:<s@x>\r\n", -1, true, "bare", 0},
	{"CR.CRLF", "a\r.\r\nMAIL FROM:<s@x>\r\n.\r\n", "a\r.\r\nMAIL FROM:<s@x>\r\n", -1, true, "bare", 0},
	{"CRLF.CR", "a\r\n.\rMAIL FROM:<s@x>\r\n.\r\n", "a\r\n\rMAIL FROM:<s@x>\r\n", -1, true, "bare", 0},
	{"CRLF.CR CRLF", "a\r\n.\r\r\n.\r\n", "a\r\n\r\r\n", -1, true, "bare", 0},
	{"CR.CR", "a\r.\rMAIL FROM:<s@x>\r\n.\r\n", "a\r.\rMAIL FROM:<s@x>\r\n", -1, true, "bare", 0},
	{"LF.LF first", ".\nMAIL\r\n.\r\n", "\nMAIL\r\n", -1, true, "bare", 0},
	{"CRLF NUL.CRLF", "a\r\n\x00.\r\nb\r\n.\r\n", "a\r\n\x00.\r\nb\r\n", -1, true, "null", 0},
	{"CRLF space.CRLF", "a\r\n .\r\n.\r\n", "a\r\n .\r\n", -1, true, "", 0},
	{"CRLF.space CRLF", "a\r\n. \r\n.\r\n", "a\r\n \r\n", -1, true, "", 0},
	{"LF.LF never ends", "a\n.\n", "a\n.\n", -1, false, "bare", 0},
	{"CR.CR never ends", "a\r.\r", "a\r.\r", -1, false, "bare", 0},
}

// flagsOf names the flags of r in the order bodyCase uses.
func flagsOf(r bodyResult) string {
	var names []string
	for _, f := range []struct {
		on   bool
		name string
	}{{r.bare, "bare"}, {r.null, "null"}, {r.longLine, "long"}} {
		if f.on {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, " ")
}

func (c bodyCase) want() bodyResult {
	n := c.n
	if n < 0 {
		n = len(c.in)
	}
	return bodyResult{body: []byte(c.body), n: n, done: c.done}
}

// sameBody reports how got differs from want, or "" if it does not.
func sameBody(got, want bodyResult, wantFlags string) string {
	switch {
	case !bytes.Equal(got.body, want.body):
		return fmt.Sprintf("body %q, want %q", got.body, want.body)
	case got.n != want.n || got.done != want.done:
		return fmt.Sprintf("n %d done %v, want %d %v", got.n, got.done, want.n, want.done)
	case flagsOf(got) != wantFlags:
		return fmt.Sprintf("flags %q, want %q", flagsOf(got), wantFlags)
	}
	return ""
}

func TestDotDecodeWhole(t *testing.T) {
	for _, c := range bodyCases {
		got, breach := decodeFed([]byte(c.in), nil, c.maxLine)
		if breach != "" {
			t.Errorf("%s: %s", c.name, breach)
		}
		if diff := sameBody(got, c.want(), c.flags); diff != "" {
			t.Errorf("%s: %s", c.name, diff)
		}
		if diff := sameBody(refDecode([]byte(c.in), c.maxLine), c.want(), c.flags); diff != "" {
			t.Errorf("%s: reference decoder: %s", c.name, diff)
		}
	}
}

// Every case fed in pieces of every fixed size, and cut in two and in three
// at every pair of points, decodes as it does whole: this puts the
// terminator, the CRLF before it and every stuffed dot across calls.
func TestDotDecodePieces(t *testing.T) {
	for _, c := range bodyCases {
		in := []byte(c.in)
		for size := 1; size < min(len(in), 80); size++ {
			got, breach := decodeFed(in, []byte{byte(size - 1)}, c.maxLine)
			if diff := breach + sameBody(got, c.want(), c.flags); diff != "" {
				t.Errorf("%s: pieces of %d: %s", c.name, size, diff)
			}
		}
		if len(in) > 40 {
			continue // long lines: fixed sizes were enough
		}
		for i := 0; i <= len(in); i++ {
			for j := i; j <= len(in); j++ {
				got, breach := decodeCut(in, c.maxLine, i, j)
				if diff := breach + sameBody(got, c.want(), c.flags); diff != "" {
					t.Errorf("%s: cut at %d and %d: %s", c.name, i, j, diff)
				}
			}
		}
	}
}

// decodeCut decodes in as three pieces cut at i and j (0 <= i <= j <= len).
func decodeCut(in []byte, maxLine, i, j int) (bodyResult, string) {
	var sizes []byte
	for _, size := range []int{i, j - i, len(in) - j} {
		if size > 0 {
			sizes = append(sizes, byte(size-1))
		}
	}
	sizes = append(sizes, 255) // anything left over after a short piece
	return decodeFed(in, sizes, maxLine)
}

// The end of data is found wherever the reads split it, and nothing of the
// pipelined command after it is consumed or changed.
func TestDotDecodeTerminatorSplit(t *testing.T) {
	const msg = "Subject: x\r\n\r\n..dot\r\nlast\r\n.\r\nQUIT\r\n"
	end := strings.Index(msg, "\r\n.\r\n") + 5
	for cut := 0; cut <= len(msg); cut++ {
		var d DotDecoder
		first := []byte(msg[:cut])
		out, n, done := d.Decode(first)
		body := string(out)
		if !done {
			second := append(first[n:], msg[cut:]...)
			var m int
			out, m, done = d.Decode(second)
			body += string(out)
			if rest := string(second[m:]); done && rest != "QUIT\r\n" {
				t.Errorf("cut %d: left %q after the end", cut, rest)
			}
			n += m
		}
		if !done || n != end || body != "Subject: x\r\n\r\n.dot\r\nlast\r\n" {
			t.Errorf("cut %d: body %q n %d done %v", cut, body, n, done)
		}
	}
}

// Decode on an empty buffer changes nothing, in every state.
func TestDotDecodeEmpty(t *testing.T) {
	for _, prefix := range []string{"", "a", "a\r", "a\r\n", "a\n"} {
		var d DotDecoder
		d.Decode([]byte(prefix))
		before := d
		if out, n, done := d.Decode(nil); len(out) != 0 || n != 0 || done || d != before {
			t.Errorf("after %q: Decode(nil) = %q %d %v, state %+v -> %+v", prefix, out, n, done, before, d)
		}
	}
}

func TestDotDecoderReset(t *testing.T) {
	d := DotDecoder{MaxLine: 3}
	d.Decode([]byte("\x00abcd\ne\r"))
	if !d.Null || !d.Bare || !d.LongLine {
		t.Fatalf("flags not set: %+v", d)
	}
	d.Reset()
	if d != (DotDecoder{MaxLine: 3}) {
		t.Errorf("after Reset: %+v", d)
	}
	if _, n, done := d.Decode([]byte(".\r\n")); !done || n != 3 {
		t.Errorf("after Reset the first byte does not start a line: %d %v", n, done)
	}
}

// After the end of data, the next Decode starts a new message at a line
// start: the fsm resets between messages, but the decoder must not need it.
func TestDotDecodeTwoMessages(t *testing.T) {
	var d DotDecoder
	buf := []byte("a\r\n.\r\n.b\r\n.\r\n")
	out, n, done := d.Decode(buf)
	if string(out) != "a\r\n" || n != 6 || !done {
		t.Fatalf("first: %q %d %v", out, n, done)
	}
	out, m, done := d.Decode(buf[n:])
	if string(out) != "b\r\n" || m != 7 || !done {
		t.Errorf("second: %q %d %v", out, m, done)
	}
}

func TestDotEncode(t *testing.T) {
	for _, c := range []struct{ msg, wire string }{
		{"", ".\r\n"},
		{"a", "a\r\n.\r\n"},
		{"a\r\n", "a\r\n.\r\n"},
		{"\r\n", "\r\n.\r\n"},
		{".", "..\r\n.\r\n"},
		{".\r\n", "..\r\n.\r\n"},
		{"..\r\n", "...\r\n.\r\n"},
		{".a\r\n.b\r\n", "..a\r\n..b\r\n.\r\n"},
		{"a\r\n.", "a\r\n..\r\n.\r\n"},
		{"a.\r\nb.", "a.\r\nb.\r\n.\r\n"},
		{"a\n.b", "a\n.b\r\n.\r\n"}, // a bare LF starts no line
		{"a\r.b", "a\r.b\r\n.\r\n"}, // nor does a bare CR
		{"a\r", "a\r\r\n.\r\n"},     // the CR stays data
		{"a\n", "a\n\r\n.\r\n"},     // so does the LF
		{"\x00\xff\r\n", "\x00\xff\r\n.\r\n"},
		{"a\r\n.\r\n", "a\r\n..\r\n.\r\n"}, // a message cannot end itself
	} {
		msg := []byte(c.msg)
		for cut := 0; cut <= len(msg); cut++ {
			for cut2 := cut; cut2 <= len(msg); cut2++ {
				var e DotEncoder
				wire := e.Append(nil, msg[:cut])
				wire = e.Append(wire, msg[cut:cut2])
				wire = e.Close(e.Append(wire, msg[cut2:]))
				if string(wire) != c.wire {
					t.Errorf("%q cut at %d, %d: %q, want %q", c.msg, cut, cut2, wire, c.wire)
				}
			}
		}
	}
}

func TestDotEncoderCloseResets(t *testing.T) {
	var e DotEncoder
	first := e.Close(e.Append(nil, []byte("a")))
	second := e.Close(e.Append(nil, []byte(".b\r\n")))
	if string(first) != "a\r\n.\r\n" || string(second) != "..b\r\n.\r\n" {
		t.Errorf("%q then %q", first, second)
	}
}

func TestParseBDATGrammar(t *testing.T) {
	type result struct {
		size int64
		last bool
		ok   bool
	}
	bad := result{}
	for _, c := range []struct {
		arg  string
		want result
	}{
		{"123", result{123, false, true}},
		{"123 LAST", result{123, true, true}},
		{"0 last", result{0, true, true}},
		{"7 LaSt", result{7, true, true}},
		{"007", result{7, false, true}},
		{"00000000000000000042 LAST", result{42, true, true}},
		{"9223372036854775807", result{1<<63 - 1, false, true}},
		{"9223372036854775808", bad},
		{"99999999999999999999", bad},
		{"000000000000000000001", bad}, // 21 digits
		{"", bad},
		{"LAST", bad},
		{" 1", bad},
		{"1 ", bad},
		{"1  LAST", bad},
		{"1 LAST ", bad},
		{"1\tLAST", bad},
		{"1 LASTX", bad},
		{"1 LAS", bad},
		{"1 LAST LAST", bad},
		{"1 LA\xc5\xbfT", bad},
		{"1 L\x00ST", bad},
		{"1 LAST\r", bad},
		{"-1", bad},
		{"+1", bad},
		{"1x", bad},
		{"1.0", bad},
		{"0x10", bad},
		{"\xef\xbc\x91", bad}, // a fullwidth digit one
	} {
		size, last, ok := ParseBDAT([]byte(c.arg))
		if got := (result{size, last, ok}); got != c.want {
			t.Errorf("ParseBDAT(%q) = %+v, want %+v", c.arg, got, c.want)
		}
	}
}

func TestBodyZeroAllocations(t *testing.T) {
	wire := []byte("a\r\n..b\r\n\x00c\nd\r\n.\r\n")
	buf := make([]byte, len(wire))
	d := DotDecoder{MaxLine: 998}
	if n := testing.AllocsPerRun(100, func() {
		copy(buf, wire)
		d.Reset()
		d.Decode(buf)
	}); n != 0 {
		t.Errorf("Decode allocates %v times", n)
	}
	var e DotEncoder
	dst := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() {
		dst = e.Close(e.Append(dst[:0], []byte(".a\r\nb\r\n.")))
	}); n != 0 {
		t.Errorf("Append and Close allocate %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { ParseBDAT([]byte("123 LAST")) }); n != 0 {
		t.Errorf("ParseBDAT allocates %v times", n)
	}
}
