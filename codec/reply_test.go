package codec

import (
	"errors"
	"testing"
)

func TestReplyAppendTo(t *testing.T) {
	for _, tc := range []struct {
		r        Reply
		enhanced bool
		want     string
	}{
		{Reply{Code: 250, Enhanced: "2.0.0", Text: "OK"}, true, "250 2.0.0 OK\r\n"},
		{Reply{Code: 250, Enhanced: "2.0.0", Text: "OK"}, false, "250 OK\r\n"},
		{Reply{Code: 250, Text: "OK"}, true, "250 OK\r\n"},
		{Reply{Code: 250, Text: "host", More: []string{"SIZE 10", "HELP"}}, true, "250-host\r\n250-SIZE 10\r\n250 HELP\r\n"},
		{Reply{Code: 214, Enhanced: "2.0.0", Text: "a", More: []string{"b"}}, true, "214-2.0.0 a\r\n214 2.0.0 b\r\n"},
		{Reply{Code: 214, Enhanced: "2.0.0", Text: "a", More: []string{"b"}}, false, "214-a\r\n214 b\r\n"},
		{Reply{Code: 250}, true, "250\r\n"},
		{Reply{Code: 250, Enhanced: "2.0.0"}, true, "250 2.0.0\r\n"},
		{Reply{Code: 250, Enhanced: "2.0.0"}, false, "250\r\n"},
		{Reply{Code: 250, More: []string{""}}, true, "250-\r\n250\r\n"},
		{Reply{Code: 250, Enhanced: "2.0.0", More: []string{""}}, true, "250-2.0.0\r\n250 2.0.0\r\n"},
		{Reply{Code: 354, Text: "End data with <CR><LF>.<CR><LF>"}, true, "354 End data with <CR><LF>.<CR><LF>\r\n"},

		// Codes a client cannot take become 451.
		{Reply{Code: 99, Text: "bad"}, false, "451 bad\r\n"},
		{Reply{Code: 199, Text: "bad"}, false, "451 bad\r\n"},
		{Reply{Code: 600}, false, "451\r\n"},
		{Reply{Code: -250}, false, "451\r\n"},
		{Reply{Code: 1 << 40}, false, "451\r\n"},
		{Reply{Code: 200}, false, "200\r\n"},
		{Reply{Code: 599}, false, "599\r\n"},

		// T-32: handler text cannot end a line or inject a reply.
		{Reply{Code: 550, Enhanced: "5.0.0", Text: "no\r\n250 2.0.0 OK"}, true, "550 5.0.0 no  250 2.0.0 OK\r\n"},
		{Reply{Code: 550, Text: "a\rb\nc\x00d"}, true, "550 a b c d\r\n"},
		{Reply{Code: 550, Enhanced: "5.0.0\r\n250", Text: "x"}, true, "550 5.0.0  250 x\r\n"},
		{Reply{Code: 250, Text: "a", More: []string{"b\r\n250 c"}}, true, "250-a\r\n250 b  250 c\r\n"},
		{Reply{Code: 550, Text: "\x1b[31mred"}, true, "550 \x1b[31mred\r\n"},
	} {
		if got := string(tc.r.AppendTo(nil, tc.enhanced)); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.r, got, tc.want)
		}
		prefix := "queued"
		if got := string(tc.r.AppendTo([]byte(prefix), tc.enhanced)); got != prefix+tc.want {
			t.Errorf("%+v: appending to %q gave %q", tc.r, prefix, got)
		}
	}
}

func TestReplyError(t *testing.T) {
	var err error = Reply{Code: 550, Enhanced: "5.1.1", Text: "no such user", More: []string{"see the docs"}}
	if got := err.Error(); got != "550-5.1.1 no such user" {
		t.Errorf("Error() = %q", got)
	}
	var r Reply
	if !errors.As(err, &r) || r.Code != 550 {
		t.Errorf("errors.As: %+v", r)
	}
	if got := (Reply{Code: 250}).Error(); got != "250" {
		t.Errorf("Error() of a bare code = %q", got)
	}
}

func TestReplyPredicates(t *testing.T) {
	for _, tc := range []struct {
		code           int
		zero, positive bool
	}{{0, true, false}, {199, false, false}, {220, false, true}, {354, false, true}, {421, false, false}, {550, false, false}} {
		r := Reply{Code: tc.code}
		if r.IsZero() != tc.zero || r.Positive() != tc.positive {
			t.Errorf("code %d: IsZero %v Positive %v", tc.code, r.IsZero(), r.Positive())
		}
	}
}
