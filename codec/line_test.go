package codec

import "testing"

func TestSplitLine(t *testing.T) {
	for _, tc := range []struct {
		buf  string
		line string
		n    int
	}{
		{"EHLO x\r\n", "EHLO x", 8},
		{"EHLO x\r\nMAIL FROM:<>\r\n", "EHLO x", 8},
		{"\r\n", "", 2},
		{"\r\n\r\n", "", 2},
		{"EHLO x", "", 0},
		{"EHLO x\r", "", 0},
		{"", "", 0},
		{"\n", "", 0},
		// T-02: a bare LF or CR stays inside the line.
		{"EHLO a\nX-Injected: 1\r\n", "EHLO a\nX-Injected: 1", 22},
		{"MAIL FROM:<a@b>\rRCPT TO:<c@d>\r\n", "MAIL FROM:<a@b>\rRCPT TO:<c@d>", 31},
		{"a\n\nb\r\n", "a\n\nb", 6},
		{"a\r\r\n", "a\r", 4},
		{"a\n", "", 0},
	} {
		buf := []byte(tc.buf)
		line, n := SplitLine(buf)
		if string(line) != tc.line || n != tc.n {
			t.Errorf("SplitLine(%q) = %q, %d; want %q, %d", tc.buf, line, n, tc.line, tc.n)
		}
		if n > 0 && (!isSubslice(buf, line) || n != len(line)+2 || string(buf[len(line):n]) != "\r\n") {
			t.Errorf("SplitLine(%q): line is not buf's prefix before CRLF", tc.buf)
		}
	}
}

func TestSplitLineLF(t *testing.T) {
	for _, tc := range []struct {
		buf  string
		line string
		n    int
		bare bool
	}{
		{"EHLO x\r\n", "EHLO x", 8, false},
		{"EHLO x\n", "EHLO x", 7, true},
		{"EHLO x\nMAIL FROM:<>\r\n", "EHLO x", 7, true},
		{"\n", "", 1, true},
		{"\r\n", "", 2, false},
		{"EHLO x", "", 0, false},
		{"EHLO x\r", "", 0, false},
		{"", "", 0, false},
		// T-02: the text after a bare LF is a line of its own, never part of the first.
		{"EHLO a\nX-Injected: 1\r\n", "EHLO a", 7, true},
		// A bare CR stays inside the line (ParseCommand refuses it).
		{"MAIL FROM:<a@b>\rRCPT TO:<c@d>\r\n", "MAIL FROM:<a@b>\rRCPT TO:<c@d>", 31, false},
		{"a\r\r\n", "a\r", 4, false},
		{"a\n\rb\r\n", "a", 2, true},
	} {
		buf := []byte(tc.buf)
		line, n, bare := SplitLineLF(buf)
		if string(line) != tc.line || n != tc.n || bare != tc.bare {
			t.Errorf("SplitLineLF(%q) = %q, %d, %v; want %q, %d, %v", tc.buf, line, n, bare, tc.line, tc.n, tc.bare)
		}
		if n > 0 && (!isSubslice(buf, line) || buf[n-1] != '\n') {
			t.Errorf("SplitLineLF(%q): line is not buf's prefix before its LF", tc.buf)
		}
	}
}
