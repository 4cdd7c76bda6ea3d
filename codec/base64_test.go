package codec

import "testing"

func TestDecodeBase64(t *testing.T) {
	long := make([]byte, 3000) // several decoding chunks
	for i := range long {
		long[i] = byte(i * 7)
	}
	for _, tc := range []struct {
		in   string
		want string // "!" for ErrBadBase64
	}{
		{"", ""},
		{"=", ""},
		{"AGFsaWNlAHNlY3JldA==", "\x00alice\x00secret"},
		{"YQ==", "a"},
		{"YWI=", "ab"},
		{"YWJj", "abc"},
		{"+/+/", "\xfb\xff\xbf"},
		{string(AppendBase64(nil, long)), string(long)},
		{"YQ", "!"},
		{"YQ=", "!"},
		{"YQ===", "!"},
		{"Y===", "!"},
		{"==", "!"},
		{"====", "!"},
		{"YQ==YQ==", "!"},
		{"Y=Q=", "!"},
		{"YW I=", "!"},
		{"YWI=\r\n", "!"},
		{"YW\nI=", "!"},
		{"YWI= ", "!"},
		{"YW-_", "!"},
		{"*", "!"},
		{"YWJj\x00", "!"},
		{"YWJjé===", "!"},
	} {
		s := []byte(tc.in)
		out, err := DecodeBase64(s)
		got := string(out)
		switch {
		case err != nil && err != ErrBadBase64:
			t.Errorf("DecodeBase64(%q): error %v", tc.in, err)
		case err != nil:
			got = "!"
		case len(out) > 0 && &out[0] != &s[0]:
			t.Errorf("DecodeBase64(%q) did not decode in place", tc.in)
		}
		if got != tc.want {
			t.Errorf("DecodeBase64(%.40q) = %.40q, want %.40q", tc.in, got, tc.want)
		}
	}
	if out, err := DecodeBase64([]byte("=")); err != nil || out == nil || len(out) != 0 {
		t.Errorf(`DecodeBase64("=") = %#v, %v; want an empty non-nil slice`, out, err)
	}
}

func TestAppendBase64(t *testing.T) {
	for in, want := range map[string]string{"": "", "a": "YQ==", "\x00alice\x00secret": "AGFsaWNlAHNlY3JldA=="} {
		if got := string(AppendBase64([]byte("AUTH PLAIN "), []byte(in))); got != "AUTH PLAIN "+want {
			t.Errorf("AppendBase64(%q) = %q", in, got)
		}
	}
}
