package handlers

import "testing"

// The expected values are what Python 3 prints for the same input.
func TestPyRepr(t *testing.T) {
	for in, want := range map[string]string{
		`a'b`:                         `"a'b"`,
		`x"`:                          `'x"'`,
		`both'"`:                      `'both\'"'`,
		"\x00\x7f\u00a0\u200b😀 é\t\n": `'\x00\x7f\xa0\u200b😀 é\t\n'`,
		"\xff":                        `'\udcff'`,
	} {
		if got := pyRepr(in); got != want {
			t.Errorf("pyRepr(%q) = %s, want %s", in, got, want)
		}
	}
}

// Python's b.decode("utf-8", "replace"): one U+FFFD per maximal subpart.
func TestAppendReplaced(t *testing.T) {
	for in, want := range map[string]string{
		"\xe2\x82":       "\ufffd",
		"\xf0\x80":       "\ufffd\ufffd",
		"\xed\xa0\x80":   "\ufffd\ufffd\ufffd",
		"ok\xc3\xa9\xff": "ok\u00e9\ufffd",
		"\x80\x81\x90\x9f\xa0\xbf\xc0\xc1\xf5\xfe\xff": "\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd",
	} {
		out, carry := appendReplaced(nil, []byte(in), true)
		if string(out) != want || carry != nil {
			t.Errorf("%q: got %q carry %q, want %q", in, out, carry, want)
		}
	}
	out, carry := appendReplaced(nil, []byte("a\xe2\x82"), false)
	if string(out) != "a" || string(carry) != "\xe2\x82" {
		t.Errorf("cut sequence: got %q carry %q", out, carry)
	}
}
