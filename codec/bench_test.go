package codec

import "testing"

var benchMail = []byte("MAIL FROM:<alice@example.com> SIZE=1024 BODY=8BITMIME")

func BenchmarkParseCommand(b *testing.B) {
	b.SetBytes(int64(len(benchMail)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCommand(benchMail); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePath(b *testing.B) {
	arg := benchMail[len("MAIL FROM:"):]
	b.SetBytes(int64(len(arg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParsePath(arg, PathOptions{AllowNull: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseMailLine is the whole of a MAIL command: verb, path and
// parameters.
func BenchmarkParseMailLine(b *testing.B) {
	b.SetBytes(int64(len(benchMail)))
	b.ReportAllocs()
	for b.Loop() {
		cmd, _ := ParseCommand(benchMail)
		_, rest, _ := ParsePath(cmd.Arg, PathOptions{AllowNull: true})
		if p, err := ParseParams(rest, false); err != nil || p.Len() != 2 {
			b.Fatal(err)
		}
	}
}

func BenchmarkReplyAppend(b *testing.B) {
	r := Reply{Code: 250, Enhanced: "2.0.0", Text: "mx.example", More: []string{"PIPELINING", "SIZE 33554432", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8"}}
	dst := r.AppendTo(nil, true)
	b.SetBytes(int64(len(dst)))
	b.ReportAllocs()
	for b.Loop() {
		dst = r.AppendTo(dst[:0], true)
	}
}

func BenchmarkParseParams(b *testing.B) {
	rest := benchMail[len("MAIL FROM:<alice@example.com> "):]
	b.SetBytes(int64(len(rest)))
	b.ReportAllocs()
	for b.Loop() {
		if p, err := ParseParams(rest, false); err != nil || p.Len() != 2 {
			b.Fatal(err)
		}
	}
}
