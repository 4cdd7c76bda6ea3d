package codec

import (
	"fmt"
	"strings"
	"testing"
)

// formatParams renders p as "key=value key" for comparisons.
func formatParams(p *Params) string {
	var items []string
	for i := 0; i < p.Len(); i++ {
		item := string(p.At(i).Key)
		if v := p.At(i).Value; v != nil {
			item += "=" + string(v)
		}
		items = append(items, item)
	}
	return strings.Join(items, " ")
}

func TestParseParams(t *testing.T) {
	sixteen := strings.Repeat("X ", MaxParams)
	for _, tc := range []struct {
		in   string
		utf8 bool
		want string // formatParams of the result, or "!" for ErrBadSyntax
	}{
		{"", false, ""},
		{"   ", false, ""},
		{"SIZE=100 BODY=8BITMIME SMTPUTF8", false, "SIZE=100 BODY=8BITMIME SMTPUTF8"},
		{"  SIZE=100   BODY=8BITMIME  ", false, "SIZE=100 BODY=8BITMIME"},
		{"AUTH=<> ENVID=a+2Bb", false, "AUTH=<> ENVID=a+2Bb"},
		{"X-1=~!", false, "X-1=~!"},
		{"9X=1", false, "9X=1"},
		{sixteen, false, strings.TrimSpace(sixteen)},
		{sixteen + "Y", false, "!"},
		{"=x", false, "!"},
		{"A=", false, "!"},
		{"A=b=c", false, "!"},
		{"-A=1", false, "!"},
		{"A_B=1", false, "!"},
		{"A=\x7f", false, "!"},
		{"A=\x01", false, "!"},
		{"A=b\tB=c", false, "!"},
		{"SIZE=1 A=", false, "!"},
		{"A=jösé", false, "!"},
		{"A=jösé", true, "A=jösé"},
		{"A=\xff", true, "!"},
		{"jösé=1", true, "!"},
	} {
		in := []byte(tc.in)
		p, err := ParseParams(in, tc.utf8)
		got := formatParams(&p)
		if err != nil {
			got = "!"
			if err != ErrBadSyntax || p.Len() != 0 {
				t.Errorf("ParseParams(%q): %v with %d params", tc.in, err, p.Len())
			}
		}
		if got != tc.want {
			t.Errorf("ParseParams(%q, %v) = %q, want %q", tc.in, tc.utf8, got, tc.want)
		}
		for i := 0; i < p.Len(); i++ {
			if !isSubslice(in, p.At(i).Key) || !isSubslice(in, p.At(i).Value) {
				t.Errorf("ParseParams(%q): parameter %d is not a view into the input", tc.in, i)
			}
		}
	}
}

func TestParamsGet(t *testing.T) {
	p, err := ParseParams([]byte("SIZE=100 smtputf8 Body=8BITMIME size=5"), false)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"SIZE": "100", "size": "100", "SMTPUTF8": "<nil>", "BODY": "8BITMIME", "RET": "absent", "SIZ": "absent", "": "absent"} {
		v, ok := p.Get(key)
		got := fmt.Sprintf("%s", v)
		switch {
		case !ok:
			got = "absent"
		case v == nil:
			got = "<nil>"
		}
		if got != want {
			t.Errorf("Get(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestParamsAtOutOfRange(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("At past Len did not panic")
		}
	}()
	p, _ := ParseParams([]byte("A"), false)
	p.At(1)
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "1024": 1024, "007": 7, "9223372036854775807": 1<<63 - 1,
		"00000000000000000001": 1,
		"":                     -1, "9223372036854775808": -1, "99999999999999999999": -1,
		"000000000000000000001": -1, "1a": -1, "-1": -1, "+1": -1, " 1": -1, "1 ": -1, "1.5": -1, "١": -1,
	} {
		n, ok := ParseSize([]byte(in))
		if !ok {
			n = -1
		}
		if n != want || ok != (want >= 0) {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, n, ok, want)
		}
	}
}

func TestDecodeXtext(t *testing.T) {
	for in, want := range map[string]string{
		"":               "",
		"abc":            "abc",
		"a+2Bb+3D":       "a+b=",
		"+2B":            "+",
		"+00+FF":         "\x00\xff",
		"<>":             "<>",
		"!~":             "!~",
		"a+2":            "!",
		"a+":             "!",
		"a+zz":           "!",
		"a+2b":           "!",
		"a=b":            "!",
		"a b":            "!",
		"a\x7f":          "!",
		"\xc3\xa9":       "!",
		"user+40example": "user@example",
	} {
		s := []byte(in)
		out, ok := DecodeXtext(s)
		got := string(out)
		if !ok {
			got = "!"
		}
		if got != want {
			t.Errorf("DecodeXtext(%q) = %q, want %q", in, got, want)
		}
		if ok && len(out) > 0 && &out[0] != &s[0] {
			t.Errorf("DecodeXtext(%q) did not decode in place", in)
		}
	}
}

func TestEqualFold(t *testing.T) {
	for _, tc := range []struct {
		b, s string
		want bool
	}{
		{"", "", true},
		{"mail", "MAIL", true},
		{"MaIl", "mAiL", true},
		{"MAIL", "MAIL ", false},
		{"@", "`", false},
		{"[", "{", false},
		{"^", "~", false},
		{"1", "1", true},
		{"\xc3\xa9", "\xc3\x89", false},
		{"k", "\u212a", false},
	} {
		if got := EqualFold([]byte(tc.b), tc.s); got != tc.want {
			t.Errorf("EqualFold(%q, %q) = %v, want %v", tc.b, tc.s, got, tc.want)
		}
	}
}
