package handlers

import (
	"bytes"
	"testing"
)

// On a terminal, a message's control characters and invalid UTF-8 are
// written as escapes, whatever the writes cut them; text, tabs and
// newlines as they are.
func TestEscapingWriter(t *testing.T) {
	in := "Subject: \x1b[31mred\x1b[0m\tok\n\x9b2J \xc2\x9b é\r\x07\xff\n"
	want := "Subject: \\x1b[31mred\\x1b[0m\tok\n\\x9b2J \\u009b é\\r\\a\\xff\n"
	for cut := range len(in) + 1 {
		var out bytes.Buffer
		e := &escapingWriter{w: &out}
		e.Write([]byte(in[:cut]))
		e.Write([]byte(in[cut:]))
		if got := out.String(); got != want {
			t.Fatalf("cut at %d: %q, want %q", cut, got, want)
		}
	}
}
