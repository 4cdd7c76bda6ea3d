package interop

import (
	"reflect"
	"strings"
	"testing"
)

func sampleTranscript() *Transcript {
	return &Transcript{
		Steps: []Step{
			{Index: 0, Want: 220, Got: Reply{Code: 220, Text: "mx hello", Lines: 1}},
			{Index: 1, Line: 3, Want: 250, Got: Reply{Code: 250, Text: "mx", Lines: 4}},
			{Index: 2, Line: 5, Want: 500, Got: Reply{Code: 500, Text: "Error: \"quoted\" \x00", Lines: 1}},
			{Index: 3, Line: 7, Want: CodeClose, Got: Reply{Code: CodeClose}},
		},
		End:      EndClosed,
		Trailing: []byte("250 late\r\n"),
		Messages: []Message{{
			From:      "a\x00@b",
			To:        []string{"c@d", "\xff@e"},
			Options:   []string{"SIZE=10"},
			Content:   []byte("Subject: x\r\n\r\n\xff\x00\r\n"),
			Debugging: "---------- MESSAGE FOLLOWS ----------\nX-Peer: <peer>\n",
		}, {From: "<>", To: []string{"f@g"}, Content: []byte{}}},
	}
}

func TestGoldenRoundTrip(t *testing.T) {
	want := sampleTranscript()
	text := want.Golden("first header line\nsecond")
	if !strings.HasPrefix(text, "# first header line\n# second\n") {
		t.Errorf("header not written as comments:\n%s", text)
	}
	got, err := ParseGolden([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Steps {
		want.Steps[i].Want = 0 // not kept: the script has it
	}
	want.Messages[1].Content = []byte("")
	if !reflect.DeepEqual(got.Steps, want.Steps) {
		t.Errorf("steps:\n got %+v\nwant %+v", got.Steps, want.Steps)
	}
	if !reflect.DeepEqual(got.Messages, want.Messages) {
		t.Errorf("messages:\n got %+v\nwant %+v", got.Messages, want.Messages)
	}
	if got.End != want.End || string(got.Trailing) != string(want.Trailing) {
		t.Errorf("end %q trailing %q", got.End, got.Trailing)
	}
}

func TestParseGoldenErrors(t *testing.T) {
	for _, src := range []string{
		"bogus line\n",
		"reply 1 line 0 250 1 \"skips reply 0\"\n",
		"reply 0 line 0 250 1 unquoted\n",
		"reply 0 line x 250 1 \"\"\n",
		"reply 0 col 0 250 1 \"\"\n",
		"trailing nope\n",
		"message 2 from \"skips message 1\"\n",
		"message 1 colour \"red\"\n",
		"message 1 from\n",
	} {
		if _, err := ParseGolden([]byte(src)); err == nil {
			t.Errorf("ParseGolden(%q) succeeded, want an error", src)
		}
	}
}

// FuzzGoldenRoundTrip checks that any reply text, message field and
// trailing bytes survive the golden format.
func FuzzGoldenRoundTrip(f *testing.F) {
	f.Add("OK", "a@b", []byte("body\r\n"), []byte(""))
	f.Add("\x00\n\"", "\xff", []byte{0, 255, '\r'}, []byte("250 x\r\n"))
	f.Fuzz(func(t *testing.T, text, from string, content, trailing []byte) {
		in := &Transcript{
			Steps:    []Step{{Got: Reply{Code: 250, Text: text, Lines: 1}}},
			End:      EndClosed,
			Trailing: trailing,
			Messages: []Message{{From: from, Content: content, Debugging: text}},
		}
		out, err := ParseGolden([]byte(in.Golden("h")))
		if err != nil {
			t.Fatal(err)
		}
		if out.Steps[0].Got.Text != text || out.Messages[0].From != from ||
			string(out.Messages[0].Content) != string(content) || string(out.Trailing) != string(trailing) ||
			out.Messages[0].Debugging != text {
			t.Errorf("round trip changed the transcript: %+v", out)
		}
	})
}
