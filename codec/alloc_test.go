package codec

import (
	"bytes"
	"testing"
)

// The parsers run once per command of every session: none may allocate.
func TestZeroAllocations(t *testing.T) {
	line := []byte("MAIL FROM:<@relay.example:\"first last\"@[IPv6:2001:db8::1]> SIZE=1024 BODY=8BITMIME AUTH=a+2Bb")
	rest := line[bytes.IndexByte(line, '>')+2:]
	size := rest[len("SIZE=") : len("SIZE=")+4]
	utf8Path := []byte("<jösé@bücher.example>")
	buf := []byte("EHLO a\nb\r\nMAIL FROM:<>\r\n")
	xtext, b64 := []byte("a+2Bb+3Dc"), []byte("AGFsaWNlAHNlY3JldA==")
	scratch := make([]byte, 64)
	reply := Reply{Code: 250, Enhanced: "2.0.0", Text: "host", More: []string{"SIZE 1024", "8BITMIME"}}
	params, _ := ParseParams(rest, false)
	out := make([]byte, 0, 256)

	// Each input must reach the code under test, or 0 allocations proves nothing.
	if cmd, err := ParseCommand(line); err != nil || string(cmd.Arg[len(cmd.Arg)-len(rest):]) != string(rest) {
		t.Fatalf("ParseCommand: %q %v", cmd.Arg, err)
	}
	if p, r, err := ParsePath(line[len("MAIL FROM:"):], PathOptions{}); err != nil || string(r) != string(rest) || string(p.Domain) != "[IPv6:2001:db8::1]" {
		t.Fatalf("ParsePath: %q %q %v", p.Domain, r, err)
	}
	if _, _, err := ParsePath(utf8Path, PathOptions{AllowUTF8: true}); err != nil {
		t.Fatal(err)
	}
	if v, ok := params.Get("auth"); params.Len() != 3 || !ok || string(v) != "a+2Bb" || string(size) != "1024" {
		t.Fatalf("ParseParams: %q", formatParams(&params))
	}

	for name, f := range map[string]func(){
		"ParseCommand":   func() { ParseCommand(line) },
		"SplitLine":      func() { SplitLine(buf) },
		"SplitLineLF":    func() { SplitLineLF(buf) },
		"ParsePath":      func() { ParsePath(line[len("MAIL FROM:"):], PathOptions{}) },
		"ParsePath/UTF8": func() { ParsePath(utf8Path, PathOptions{AllowUTF8: true}) },
		"ParseParams":    func() { ParseParams(rest, false) },
		"Params.Get":     func() { params.Get("AUTH") },
		"ParseSize":      func() { ParseSize(size) },
		"DecodeXtext":    func() { DecodeXtext(scratch[:copy(scratch, xtext)]) },
		"DecodeBase64":   func() { DecodeBase64(scratch[:copy(scratch, b64)]) },
		"EqualFold":      func() { EqualFold(line[:4], "mail") },
		"Reply.AppendTo": func() { out = reply.AppendTo(out[:0], true) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations per run, want 0", name, n)
		}
	}
}
