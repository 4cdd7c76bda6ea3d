package codec

import (
	"testing"
)

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
