package interop

import (
	"strings"
	"testing"
)

func transcriptOf(end End, trailing string, codes ...int) *Transcript {
	t := &Transcript{End: end, Trailing: []byte(trailing)}
	for i, c := range codes {
		t.Steps = append(t.Steps, Step{Index: i, Line: i * 2, Got: Reply{Code: c}})
	}
	return t
}

func TestCompareReplies(t *testing.T) {
	want := transcriptOf(EndClosed, "", 220, 250, 501, CodeClose)
	if d := CompareReplies("s", want, transcriptOf(EndClosed, "", 220, 250, 501, CodeClose)); len(d) != 0 {
		t.Errorf("equal transcripts differ: %v", d)
	}
	got := transcriptOf(EndOpen, "221 x\r\n", 220, 250, 553)
	d := CompareReplies("s", want, got)
	if len(d) != 3 || d[0].Step != "2" || d[1].Step != "3" || d[2].Step != StepEnd {
		t.Fatalf("differences = %v", d)
	}
	if !strings.Contains(d[0].Detail, "aiosmtpd 501") || !strings.Contains(d[0].Detail, "got 553") {
		t.Errorf("detail = %q", d[0].Detail)
	}
	failed := transcriptOf(EndClosed, "", 220, 250, 501, CodeClose)
	failed.Steps[2].Err = "timeout"
	if d := CompareReplies("s", want, failed); len(d) != 1 || d[0].Step != "2" {
		t.Errorf("a failed read with the right code must differ: %v", d)
	}
}

const (
	aioRendering = DebuggingBegin + "\nSubject: x\nX-Peer: ('127.0.0.1', 40001)\n\nbody\n" + DebuggingEnd + "\n"
	goRendering  = DebuggingBegin + "\nSubject: x\nX-Peer: 127.0.0.1:40002\n\nbody\n" + DebuggingEnd + "\n"
)

func TestParseDebugging(t *testing.T) {
	out := "log line\n" + aioRendering + "another log\n" + goRendering + DebuggingBegin + "\ncut off\n"
	msgs := ParseDebugging(out)
	if len(msgs) != 3 || msgs[0] != aioRendering || msgs[1] != goRendering || msgs[2] != DebuggingBegin+"\ncut off\n" {
		t.Errorf("ParseDebugging = %q", msgs)
	}
	if NormalizeDebugging(aioRendering) != NormalizeDebugging(goRendering) {
		t.Error("renderings that differ only in X-Peer do not compare equal")
	}
	if p := debuggingPeerPort(aioRendering); p != 40001 {
		t.Errorf("aiosmtpd peer port = %d", p)
	}
	if p := debuggingPeerPort(goRendering); p != 40002 {
		t.Errorf("gosmtpd peer port = %d", p)
	}
	if p := debuggingPeerPort(DebuggingBegin + "\nno peer\n"); p != 0 {
		t.Errorf("peer port without X-Peer = %d", p)
	}
}

func TestCompareMessages(t *testing.T) {
	other := strings.Replace(goRendering, "body", "other body", 1)
	noPeer := DebuggingBegin + "\nheaders only\n" + DebuggingEnd + "\n"
	want := map[string][]Message{
		"one":   {{Debugging: NormalizeDebugging(aioRendering)}},
		"two":   {{Debugging: NormalizeDebugging(aioRendering)}},
		"three": {{Debugging: noPeer}},
		"four":  {{Debugging: "never delivered"}},
	}
	ports := map[Client]string{{"x", 40002}: "one", {"x", 40003}: "two", {"y", 40004}: "four"}
	got := RenderedDeliveries("x", goRendering+ // port 40002: session one, matches
		strings.Replace(other, "40002", "40003", 1)+ // session two, wrong body
		noPeer+ // no X-Peer: from the pool, matches three
		strings.Replace(strings.Replace(goRendering, "40002", "49999", 1), "body", "stray", 1)) // unknown port: pool, left over
	d := CompareMessages(want, got, ports, RenderingFacts)
	var summary []string
	for _, x := range d {
		summary = append(summary, x.Session+":"+x.Step+":"+x.Detail[:12])
	}
	wantSummary := []string{
		"four:messages:not delivere",
		"two:messages:not delivere",
		"two:messages:delivered, b",
		"(extra):messages:delivered, b",
	}
	if strings.Join(summary, "|") != strings.Join(wantSummary, "|") {
		t.Errorf("differences:\n got %q\nwant %q", summary, wantSummary)
	}
}

func TestCompareMessagesExact(t *testing.T) {
	m := Message{From: "a@x", To: []string{"b@y"}, Options: []string{"BODY=8BITMIME"}, Content: []byte("hi\r\n")}
	want := map[string][]Message{"s": {m}}
	folded := m
	folded.Options = []string{"body=8bitmime"}
	s1 := map[Client]string{{"x", 1}: "s"}
	if d := CompareMessages(want, []Delivery{{Client{"x", 1}, folded}}, s1, ExactFacts); len(d) != 0 {
		t.Errorf("options that differ in case only differ: %v", d)
	}
	lf := m
	lf.Content = []byte("hi\n")
	d := CompareMessages(want, []Delivery{{Client{"x", 1}, lf}}, s1, ExactFacts)
	if len(d) != 2 || d[0].Step != StepMessages || !strings.Contains(d[0].Detail, "not delivered") ||
		!strings.Contains(d[1].Detail, "not expected") {
		t.Errorf("content that differs in one byte: %v", d)
	}
	if got := BySession([]Delivery{{Client{"x", 1}, m}, {Client{"y", 1}, lf}}, s1); len(got) != 1 || len(got["s"]) != 1 {
		t.Errorf("BySession = %v", got)
	}
}
